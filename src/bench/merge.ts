/**
 * `mmr bench merge`: the rows of several runs of one bench (its `--shard I/N` slices, or runs
 * on several machines) read as one. Rows stream through the summary (which does not depend on
 * their order, so the result is what one run over all the cases gives); a row whose case,
 * model, turn and sample was already seen (overlapping inputs, a file given twice) is skipped
 * and counted. Only what the report needs is kept, plus the rows themselves when `keepRows`.
 */
import { streamRows } from './rows-file.js';
import { Summary } from './summary.js';
import type { BenchRow } from './types.js';

export interface MergeResult {
  summary: Summary;
  /** Distinct case ids. */
  cases: number;
  /** USD the runs spent (rows not served from the cache), judge calls included. */
  spentUsd: number;
  /** Largest sample number seen (the runs' --repeat). */
  repeat: number;
  /** Rows read (after de-duplication) and duplicates skipped. */
  rows: number;
  duplicates: number;
  /** Lines that were not rows, per file. */
  skippedLines: Map<string, number>;
  /** The rows, in input order, when asked for. */
  kept: BenchRow[] | null;
}

export async function mergeRows(files: string[], o: { keepRows?: boolean; onRow?: (row: BenchRow) => void | Promise<void> } = {}): Promise<MergeResult> {
  const summary = new Summary([]);
  const seen = new Set<string>();
  const caseIds = new Set<string>();
  const res: MergeResult = { summary, cases: 0, spentUsd: 0, repeat: 1, rows: 0, duplicates: 0, skippedLines: new Map(), kept: o.keepRows ? [] : null };
  let spentPico = 0;
  /** The lowest model index each model's rows carry: the run's `-m` order. */
  const order = new Map<string, number>();
  for (const file of files) {
    const counts = { skipped: 0 };
    for await (const row of streamRows(file, 'the rows file', counts)) {
      const key = `${row.caseId}\u0000${row.model}\u0000${row.turn}\u0000${row.sample}`;
      if (seen.has(key)) {
        res.duplicates++;
        continue;
      }
      seen.add(key);
      caseIds.add(row.caseId);
      summary.add(row);
      if (row.modelIndex !== undefined) order.set(row.model, Math.min(order.get(row.model) ?? Infinity, row.modelIndex));
      res.rows++;
      res.repeat = Math.max(res.repeat, row.sample);
      // Whole pico-USD, as the summary sums: the total is the same in any order.
      if (!row.cached) spentPico += Math.round(((row.costUsd ?? 0) + row.judgeCostUsd) * 1e12);
      res.kept?.push(row);
      await o.onRow?.(row);
    }
    if (counts.skipped) res.skippedLines.set(file, counts.skipped);
  }
  // Models as the runs listed them; rows without an index (older files) keep first appearance.
  summary.orderModels([...order].sort((a, b) => a[1] - b[1]).map(([m]) => m));
  res.cases = caseIds.size;
  res.spentUsd = spentPico / 1e12;
  return res;
}
