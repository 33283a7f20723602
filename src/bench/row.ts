/**
 * A bench row as the runner builds it, and its `--out` line. The fields every model's row of one
 * case-turn shares (case id, where, tags, prompt, messages, system prompt) are a `RowHead`, made
 * once per case-turn and serialised once: a row's line is that text, then its own fields (one
 * `JSON.stringify` of them), the same bytes `JSON.stringify(row)` gives (test/bench/row.test.ts checks every
 * field) without walking the case's messages again for every model.
 */
import type { ChatMessage } from '../core/types.js';
import type { BenchRow } from './types.js';

/** What the rows of one case-turn share. */
export interface RowHead {
  caseId: string;
  where: string;
  tags: string[];
  prompt: string;
  messages: ChatMessage[];
  system: string | null;
  /** `JSON.stringify` of the fields above without its closing brace, once a line was asked for. */
  json?: string;
}

/** A row's own fields (everything but the head's and the model's place). */
export type RowFields = Omit<BenchRow, keyof RowHead | 'model' | 'turn' | 'sample' | 'modelIndex'>;

/**
 * A row, built field by field in one literal: `{...base, more}` (spread, then properties) costs
 * ~1 µs per property on Node 20's V8, 25 µs for a row, which was most of a cached re-run. The
 * order of the fields is the order of the `--out` line (`rowLine` follows it).
 */
export function makeRow(h: RowHead, model: string, modelIndex: number, turn: number, sample: number, r: RowFields): BenchRow {
  const row: BenchRow = {
    caseId: h.caseId,
    where: h.where,
    tags: h.tags,
    prompt: h.prompt,
    messages: h.messages,
    system: h.system,
    model,
    answer: r.answer,
    pass: r.pass,
    checks: r.checks,
    error: r.error,
    latencyMs: r.latencyMs,
    ttftMs: r.ttftMs,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costUsd: r.costUsd,
    judgeCostUsd: r.judgeCostUsd,
    cached: r.cached,
    attempts: r.attempts,
    turn,
    sample,
    modelIndex,
  };
  if (r.batch) row.batch = true;
  return row;
}

/** The head's text, serialised on first use. */
function headJson(h: RowHead): string {
  if (h.json === undefined) {
    const s = JSON.stringify({ caseId: h.caseId, where: h.where, tags: h.tags, prompt: h.prompt, messages: h.messages, system: h.system });
    h.json = s.slice(0, -1);
  }
  return h.json;
}

/**
 * The `--out` line of a row `makeRow` built from `head` (newline excluded): the bytes of
 * `JSON.stringify(row)`. A row whose head fields are not the head's own (a copy changed since)
 * is serialised whole.
 */
export function rowLine(row: BenchRow, head?: RowHead): string {
  if (!head || row.caseId !== head.caseId || row.where !== head.where || row.tags !== head.tags || row.prompt !== head.prompt || row.messages !== head.messages || row.system !== head.system) {
    return JSON.stringify(row);
  }
  const h = headJson(head);
  // One JSON.stringify for the row's own fields: a flat string (many small pieces joined cost
  // more, in the concatenation and in the collector, than stringifying the whole row did).
  const own = JSON.stringify({
    model: row.model,
    answer: row.answer,
    pass: row.pass,
    checks: row.checks,
    error: row.error,
    latencyMs: row.latencyMs,
    ttftMs: row.ttftMs,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costUsd: row.costUsd,
    judgeCostUsd: row.judgeCostUsd,
    cached: row.cached,
    attempts: row.attempts,
    turn: row.turn,
    sample: row.sample,
    modelIndex: row.modelIndex,
    batch: row.batch,
  });
  if (h.length === 1) return own;
  return own.length === 2 ? `${h}}` : `${h},${own.slice(1)}`;
}
