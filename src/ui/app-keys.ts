/**
 * What the keys of the comparison view do (use-keys.ts routes them by mode): vote for a column,
 * scroll, retry, write an answer, follow up, start over, toggle raw Markdown and reasoning. The
 * state they act on is App's, passed in; every refusal is a status line saying why.
 */
import type { Dispatch, MutableRefObject, SetStateAction } from 'react';
import type { AnswerResult } from '../core/results.js';
import type { GridGeometry } from './pane-content.js';
import type { InteractiveOptions, RuleDraft } from './types.js';
import type { Arena } from './use-arena.js';
import { useKeys, type KeyHandler, type Mode } from './use-keys.js';

export interface Status {
  text: string;
  color?: string;
  /** Cleared by itself once nothing is running any more (`retrying 2 models…`). */
  whileRunning?: boolean;
}

/** A rule dialog to open: the proposed draft, the winner's label, the prompt voted on. */
export interface RuleOffer {
  draft: RuleDraft;
  winner: string;
  prompt: string;
}

export interface AppKeyState extends Pick<InteractiveOptions, 'models' | 'proposeRule' | 'writeAnswer'> {
  mode: Mode;
  interactive: boolean;
  canAsk: boolean;
  arena: Arena;
  /** Column → slot, and what the current turn shows. */
  order: number[];
  current: readonly AnswerResult[];
  focus: number;
  geometry: GridGeometry;
  raw: boolean;
  showReasoning: boolean;
  panel: MutableRefObject<KeyHandler | null>;
  quit(code: number): void;
  setMode(m: Mode): void;
  setFocus: Dispatch<SetStateAction<number>>;
  setScroll: Dispatch<SetStateAction<number[]>>;
  setStatus(s: Status | null): void;
  setRaw: Dispatch<SetStateAction<boolean>>;
  setShowReasoning: Dispatch<SetStateAction<boolean>>;
  setInputKind(k: 'new' | 'follow-up'): void;
  openRule(offer: RuleOffer): void;
}

/** `1`–`9` votes for a column, `0` for none; a vote on a winner offers a rule for it. */
function pick(s: AppKeyState, n: number): void {
  const { arena, order, current, canAsk, setStatus } = s;
  const turn = arena.turn;
  if (!turn) return;
  if (turn.winner !== undefined) return setStatus({ text: `already voted on this turn · ${canAsk ? 'f to follow up, n for a new prompt' : 'q to quit'}`, color: 'yellow' });
  if (n > order.length) return setStatus({ text: `there is no column ${n}`, color: 'yellow' });
  const slot = n === 0 ? null : order[n - 1];
  if (slot !== null && current[slot]?.error) return setStatus({ text: `column ${n} failed · pick another, or 0 for none`, color: 'yellow' });
  if (slot !== null && !current[slot]?.done) return setStatus({ text: `column ${n} is still answering · wait for it, or pick another`, color: 'yellow' });
  void arena.vote(slot).then((err) => err && setStatus({ text: err, color: 'red' }));
  if (slot === null) return setStatus({ text: `noted: none was good${canAsk ? ' · f to follow up, n for a new prompt' : ''}` });
  const winner = s.models[slot];
  let draft: RuleDraft;
  try {
    draft = s.proposeRule(turn.prompt, winner.id);
  } catch (err) {
    return setStatus({ text: `vote recorded, but no rule could be proposed: ${err instanceof Error ? err.message : String(err)}`, color: 'yellow' });
  }
  s.openRule({ draft, winner: winner.alias ? `${winner.alias} (${winner.id})` : winner.id, prompt: turn.prompt });
}

export function useAppKeys(s: AppKeyState): void {
  const { arena, order, focus, geometry, current, setStatus } = s;
  useKeys({
    mode: s.mode,
    interactive: s.interactive,
    panes: order.length,
    panel: s.panel,
    quit: s.quit,
    setMode: s.setMode,
    setFocus: s.setFocus,
    pick: (n) => pick(s, n),
    scrollBy: (delta) => {
      arena.sync();
      const slot = order[focus];
      const max = Math.max(0, geometry.bodies[focus].length - geometry.bodyRows);
      const page = Math.max(1, geometry.bodyRows - 1);
      // End follows the answer as it grows; any other move leaves the end.
      if (delta === Number.MAX_SAFE_INTEGER) return s.setScroll((v) => v.map((x, i) => (i === slot ? Number.POSITIVE_INFINITY : x)));
      const by = delta === 'page-down' ? page : delta === 'page-up' ? -page : delta;
      s.setScroll((v) => v.map((x, i) => (i === slot ? Math.min(max, Math.max(0, Math.min(x, max) + by)) : x)));
    },
    retry: () => {
      const n = arena.retryFailed();
      setStatus(n ? { text: `retrying ${n} model${n > 1 ? 's' : ''}…`, whileRunning: true } : { text: 'nothing failed, nothing to retry', color: 'yellow' });
    },
    startWrite: () => {
      if (!current[order[focus]]?.text) return setStatus({ text: 'nothing to write yet', color: 'yellow' });
      if (!s.writeAnswer) return setStatus({ text: 'writing answers is not available here', color: 'yellow' });
      s.setMode('write');
    },
    followUp: () => {
      if (!s.canAsk) return setStatus({ text: 'the demo has only its recorded answers: no follow-ups (mmr ask for your own)', color: 'yellow' });
      if (!arena.conversation) return;
      if (!arena.allDone) return setStatus({ text: 'wait for the answers (or q), then follow up', color: 'yellow' });
      s.setInputKind('follow-up');
      s.setMode('input');
    },
    newPrompt: () => {
      if (!s.canAsk) return setStatus({ text: 'the demo has only its recorded prompts: mmr demo --list', color: 'yellow' });
      s.setInputKind('new');
      s.setMode('input');
    },
    toggleRaw: () => {
      s.setRaw((r) => !r);
      setStatus({ text: s.raw ? 'rendered Markdown · m for the source' : 'Markdown source · m to render it' });
    },
    toggleReasoning: () => {
      s.setShowReasoning((r) => !r);
      setStatus({ text: s.showReasoning ? 'reasoning collapsed · t to show it' : 'reasoning shown · t to collapse it' });
    },
  });
}
