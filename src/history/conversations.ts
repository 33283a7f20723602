/**
 * Whole conversations of the terminal UI, one JSON line per finished turn in
 * `conversations.jsonl` beside the vote log: every turn is kept whether or not it was voted on,
 * with each column's answer, so `mmr history show ID` can print a conversation and
 * `mmr ask --continue ID` can give every model back its own side of it.
 */
import path from 'node:path';
import type { AnswerResult } from '../core/results.js';
import type { ConversationTurn } from '../core/conversation.js';
import { UsageError } from '../core/errors.js';
import { appendJsonLine, eachJsonLine } from './jsonl.js';
import { votesDir, type VotesLocation } from './votes.js';

export const CONVERSATIONS_FILE = 'conversations.jsonl';

/** One column's answer as stored. */
export interface TurnResult {
  /** `provider:model` that answered. */
  model: string;
  /** The answer as received (raw markdown; the partial text when it failed). */
  answer: string;
  /** The error message when the column failed, else null. */
  error: string | null;
  /** Unified finish reason (`stop`, `length`, ...), null when it failed. */
  finishReason: string | null;
  /** USD; null when unknown. */
  costUsd: number | null;
  /** ms from the answering request being written to the first token. */
  ttftMs: number | null;
  /** ms from the answering request being written to the end. */
  latencyMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

/** One line of conversations.jsonl. */
export interface TurnRecord {
  v: 1;
  conversation: string;
  /** 1-based. */
  turn: number;
  /** When the turn's answers were all in, ISO 8601. */
  time: string;
  system: string | null;
  prompt: string;
  /** The columns' `provider:model` at this turn, in column order. */
  models: string[];
  /** Whether names were hidden on this turn. */
  blind: boolean;
  results: TurnResult[];
}

export const conversationsFile = (loc: VotesLocation = {}) => path.join(loc.dir ?? votesDir(loc.env), CONVERSATIONS_FILE);

export function toTurnRecord(t: { conversation: string; turn: number; system?: string | null; prompt: string; blind: boolean; results: AnswerResult[]; now?: Date }): TurnRecord {
  return {
    v: 1,
    conversation: t.conversation,
    turn: t.turn,
    time: (t.now ?? new Date()).toISOString(),
    system: t.system ?? null,
    prompt: t.prompt,
    models: t.results.map((r) => r.model),
    blind: t.blind,
    results: t.results.map((r) => ({
      model: r.model,
      answer: r.text,
      error: r.error?.message ?? null,
      finishReason: r.error ? null : r.finishReason?.unified ?? null,
      costUsd: r.costUsd,
      ttftMs: r.ttftMs,
      latencyMs: r.latencyMs,
      inputTokens: r.usage?.inputTokens ?? null,
      outputTokens: r.usage?.outputTokens ?? null,
    })),
  };
}

export async function appendTurn(record: TurnRecord, loc: VotesLocation = {}): Promise<string> {
  const file = conversationsFile(loc);
  await appendJsonLine(file, record);
  return file;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A parsed line as a TurnRecord, or null when it is not one (hand-edited, torn, another tool's). */
export function asTurnRecord(v: unknown): TurnRecord | null {
  if (!isObj(v) || typeof v.conversation !== 'string' || !v.conversation || typeof v.prompt !== 'string') return null;
  if (typeof v.turn !== 'number' || !Number.isInteger(v.turn) || v.turn < 1 || !Array.isArray(v.results)) return null;
  const results: TurnResult[] = v.results.filter(isObj).map((r) => ({
    model: str(r.model) ?? '?',
    answer: str(r.answer) ?? '',
    error: str(r.error),
    finishReason: str(r.finishReason),
    costUsd: num(r.costUsd),
    ttftMs: num(r.ttftMs),
    latencyMs: num(r.latencyMs),
    inputTokens: num(r.inputTokens),
    outputTokens: num(r.outputTokens),
  }));
  return {
    v: 1,
    conversation: v.conversation,
    turn: v.turn,
    time: str(v.time) ?? '',
    system: str(v.system),
    prompt: v.prompt,
    models: Array.isArray(v.models) ? v.models.filter((m): m is string => typeof m === 'string') : results.map((r) => r.model),
    blind: v.blind === true,
    results,
  };
}

/** A conversation in a listing: enough to recognise it, without its answers. */
export interface ConversationSummary {
  id: string;
  /** Time of its first and last stored turn. */
  started: string;
  updated: string;
  turns: number;
  /** Columns of its last turn. */
  models: string[];
  /** The first turn's prompt. */
  prompt: string;
}

export interface ConversationScan<T> {
  items: T;
  /** Lines that are not turns. */
  skipped: number;
  file: string;
}

/** Every stored conversation, oldest first by last activity. Answers are not kept in memory. */
export async function listConversations(loc: VotesLocation = {}): Promise<ConversationScan<ConversationSummary[]>> {
  const file = conversationsFile(loc);
  const byId = new Map<string, ConversationSummary>();
  // A turn stored again (after a retry changed it) is still one turn, as readConversation reads it.
  const numbers = new Map<string, Set<number>>();
  let skipped = 0;
  await eachJsonLine(file, (value) => {
    const t = asTurnRecord(value);
    if (!t) return void skipped++;
    const c = byId.get(t.conversation);
    if (!c) {
      byId.set(t.conversation, { id: t.conversation, started: t.time, updated: t.time, turns: 1, models: t.models, prompt: t.prompt });
      numbers.set(t.conversation, new Set([t.turn]));
      return;
    }
    const seen = numbers.get(t.conversation)!;
    seen.add(t.turn);
    c.turns = seen.size;
    c.updated = t.time;
    c.models = t.models;
    if (t.turn === 1) c.prompt = t.prompt;
    // Re-insert so the map's order follows the last activity.
    byId.delete(c.id);
    byId.set(c.id, c);
  });
  return { items: [...byId.values()], skipped, file };
}

/** A stored conversation: its turns in order (a turn stored twice keeps its last version). */
export interface StoredConversation {
  id: string;
  turns: TurnRecord[];
}

/**
 * The conversation `id` names: an id, or a unique prefix of one (at least 4 characters); without
 * one, the most recently active. A UsageError says what exists when nothing (or too much) matches.
 */
export async function readConversation(id: string | undefined, loc: VotesLocation = {}): Promise<StoredConversation> {
  const { items, file } = await listConversations(loc);
  if (items.length === 0) throw new UsageError(`there are no stored conversations yet (${file})`, 'ask in the terminal UI (mmr ask "…") to start one');
  let target: string;
  if (id === undefined) target = items[items.length - 1].id;
  else {
    const matches = items.filter((c) => c.id === id || (id.length >= 4 && c.id.startsWith(id.toLowerCase())));
    if (matches.length === 0) throw new UsageError(`no conversation ${id}`, 'mmr history lists them with their ids');
    if (matches.length > 1 && !matches.some((c) => c.id === id)) {
      throw new UsageError(`${id} could be ${matches.map((c) => c.id).join(', ')}`, 'give more of the id');
    }
    target = matches.find((c) => c.id === id)?.id ?? matches[0].id;
  }
  const turns = new Map<number, TurnRecord>();
  await eachJsonLine(file, (value) => {
    const t = asTurnRecord(value);
    if (t && t.conversation === target) turns.set(t.turn, t);
  });
  return { id: target, turns: [...turns.values()].sort((a, b) => a.turn - b.turn) };
}

/** The stored turns as the engine's conversation, for rebuilding each column's messages. */
export function asConversationTurns(turns: readonly TurnRecord[]): ConversationTurn[] {
  return turns.map((t) => ({
    prompt: t.prompt,
    answers: t.results.map((r) => ({ model: r.model, text: r.answer, failed: r.error !== null })),
  }));
}
