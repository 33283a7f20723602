/**
 * Reading a `--out` rows file back (`mmr report`, `--rerun-failed`, `--compare`). The file is
 * outside input: each line is checked for the fields the readers use, and a line that is not a
 * row (torn tail, hand edit) is skipped and counted, never a crash. Rows from before `turn` and
 * `sample` existed read as turn 1, sample 1.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
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
  };
}

/** Every row of a rows file, in order; `skipped` counts lines that were not rows. */
export async function readRows(file: string, flag = 'rows file'): Promise<{ rows: BenchRow[]; skipped: number }> {
  const rows: BenchRow[] = [];
  let skipped = 0;
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw new UsageError(`cannot read ${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'give the rows file written by mmr bench --out');
  }
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const row = asRow(v);
    if (row) rows.push(row);
    else skipped++;
  }
  return { rows, skipped };
}
