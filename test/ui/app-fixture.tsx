import { vi } from 'vitest';
import { App, type AppProps } from '../../src/ui/App.js';
import type { RuleDraft, TurnRecordInput, VoteRecord } from '../../src/ui/types.js';
import { recordingStart, renderAt, tick } from './helpers.js';

export const MODELS = [{ id: 'openai:gpt-4o-mini' }, { id: 'anthropic:claude-haiku-4-5' }, { id: 'ollama:qwen2.5-coder' }];
export const PROMPT = 'Write a SQL query for the top 5 customers by revenue';

/** Mounts the App with recording callbacks; every option can be overridden. */
export async function mountApp(over: Partial<AppProps> = {}, size = { columns: 120, rows: 30 }) {
  const rec = recordingStart();
  const votes: VoteRecord[] = [];
  const turns: TurnRecordInput[] = [];
  const exits: number[] = [];
  const saveRule = vi.fn(async (_r: RuleDraft) => ({ file: './.routerrc.yaml' }));
  let ids = 0;
  const writeAnswer = vi.fn(async (_path: string, _text: string) => {});
  const props: AppProps = {
    prompt: PROMPT,
    models: MODELS,
    routeNote: 'rule: sql → 3 models',
    start: rec.start,
    proposeRule: (_prompt, winner) => ({ name: 'sql-query', keywords: ['sql', 'query'], match: 'any', category: 'code', use: winner }),
    saveRule,
    ruleFile: './.routerrc.yaml',
    newConversationId: () => `conv${++ids}`,
    onVote: async (v) => {
      votes.push(v);
    },
    onTurn: (t) => {
      turns.push(t);
    },
    writeAnswer,
    onExit: (code) => exits.push(code),
    interactive: true,
    throttleMs: 5,
    ...over,
  };
  const ui = renderAt(<App {...props} />, size);
  await tick(20);
  return { ui, rec, votes, turns, exits, saveRule, writeAnswer, props, queue: () => rec.calls[rec.calls.length - 1]?.queue };
}

/** The frame line holding a pane's header (its top border is the line before). */
export const lineWith = (frame: string, text: string) => frame.split('\n').find((l) => l.includes(text)) ?? '';

/** The model id a vote record names as its winner. */
export const winnerOf = (v: VoteRecord) => (v.winner === null ? null : v.results[v.winner].model);
