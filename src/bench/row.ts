/**
 * A bench row as the runner builds it. The fields every model's row of one case-turn shares (case
 * id, where, tags, prompt, messages, system prompt) are one `RowHead`, made once per case-turn
 * rather than once per row. (Serialising the head once and the row's own fields apart was
 * measured: one `JSON.stringify` of the whole row is as fast on Node 20, and building the line
 * from pieces is slower, in the concatenation and in the collector.)
 */
import type { BenchRow } from './types.js';

/** What the rows of one case-turn share. */
export type RowHead = Pick<BenchRow, 'caseId' | 'where' | 'tags' | 'prompt' | 'messages' | 'system'>;

/** A row's own fields (everything but the head's and the model's place). */
export type RowFields = Omit<BenchRow, keyof RowHead | 'model' | 'turn' | 'sample' | 'modelIndex'>;

/**
 * A row, built field by field in one literal: `{...base, more}` (spread, then properties) costs
 * ~1 µs per property on Node 20's V8, 25 µs for a row, which was most of a cached re-run. The
 * order of the fields is the order of the `--out` line.
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
