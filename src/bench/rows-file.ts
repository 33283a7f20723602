/**
 * Reading a `--out` rows file back (`mmr report`, `--rerun-failed`, `--compare`). The file is
 * outside input: each line is checked for the fields the readers use, and a line that is not a
 * row (torn tail, hand edit) is skipped and counted, never a crash. Rows from before `turn` and
 * `sample` existed read as turn 1, sample 1.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { readLines } from './lines.js';
import { UsageError } from '../core/errors.js';
import type { BenchRow } from './types.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numOrNull = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && Number.isFinite(v));

/** The row with defaults filled in, or null when the value is not a bench row. */
export function asRow(v: unknown): BenchRow | null {
  if (!isObj(v)) return null;
  if (typeof v.caseId !== 'string' || typeof v.model !== 'string') return null;
  if (v.pass !== null && typeof v.pass !== 'boolean') return null;
  if (v.error !== null && v.error !== undefined && !(isObj(v.error) && typeof v.error.kind === 'string' && typeof v.error.message === 'string')) return null;
  if (!numOrNull(v.latencyMs) || !numOrNull(v.ttftMs) || !numOrNull(v.costUsd) || !numOrNull(v.inputTokens) || !numOrNull(v.outputTokens)) return null;
  const checks = Array.isArray(v.checks) ? v.checks.filter((c) => isObj(c) && typeof c.type === 'string' && typeof c.pass === 'boolean') : [];
  const int = (x: unknown) => (typeof x === 'number' && Number.isInteger(x) && x >= 1 ? x : 1);
  const error = isObj(v.error) ? { kind: String(v.error.kind), message: String(v.error.message), status: typeof v.error.status === 'number' ? v.error.status : null } : null;
  return {
    caseId: v.caseId,
    where: typeof v.where === 'string' ? v.where : '',
    tags: Array.isArray(v.tags) ? v.tags.filter((t): t is string => typeof t === 'string') : [],
    prompt: typeof v.prompt === 'string' ? v.prompt : '',
    messages: Array.isArray(v.messages) ? (v.messages.filter((m) => isObj(m) && typeof m.content === 'string' && typeof m.role === 'string') as BenchRow['messages']) : [],
    system: typeof v.system === 'string' ? v.system : null,
    model: v.model,
    answer: typeof v.answer === 'string' ? v.answer : '',
    pass: v.pass as boolean | null,
    checks: checks as unknown as BenchRow['checks'],
    error,
    latencyMs: (v.latencyMs as number | null) ?? null,
    ttftMs: (v.ttftMs as number | null) ?? null,
    inputTokens: (v.inputTokens as number | null) ?? null,
    outputTokens: (v.outputTokens as number | null) ?? null,
    costUsd: v.costUsd === undefined ? null : (v.costUsd as number | null),
    judgeCostUsd: typeof v.judgeCostUsd === 'number' && Number.isFinite(v.judgeCostUsd) ? v.judgeCostUsd : 0,
    cached: v.cached === true,
    attempts: typeof v.attempts === 'number' ? v.attempts : 1,
    turn: int(v.turn),
    sample: int(v.sample),
    ...(v.batch === true ? { batch: true } : {}),
    ...(typeof v.modelIndex === 'number' && Number.isInteger(v.modelIndex) && v.modelIndex >= 0 && v.modelIndex < 10_000 ? { modelIndex: v.modelIndex } : {}),
  };
}

/** Rows of a rows file as they are read; `counts.skipped` counts lines that were not rows (a line over 64 MB is an error). */
export async function* streamRows(file: string, flag = 'rows file', counts: { skipped: number } = { skipped: 0 }): AsyncGenerator<BenchRow> {
  const hint = 'give the rows file written by mmr bench --out';
  await access(file, constants.R_OK).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${flag} ${file}: ${err.code ?? err.message}`, hint);
  });
  const fail = (where: string, message: string) => new UsageError(`${flag} ${where}: ${message}`, hint);
  for await (const { text } of readLines(file, file, flag, fail)) {
    if (!text.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      counts.skipped++;
      continue;
    }
    const row = asRow(v);
    if (row) yield row;
    else counts.skipped++;
  }
}

/** Every row of a rows file, in order; `skipped` counts lines that were not rows. */
export async function readRows(file: string, flag = 'rows file'): Promise<{ rows: BenchRow[]; skipped: number }> {
  const counts = { skipped: 0 };
  const rows: BenchRow[] = [];
  for await (const r of streamRows(file, flag, counts)) rows.push(r);
  return { rows, skipped: counts.skipped };
}
