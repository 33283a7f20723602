/**
 * `--rerun-failed`: from the last run's rows, the (case, model, sample) cells that errored are
 * run again and every other row of this run's cases and models is kept as it was, so the new
 * rows file and summary cover the whole run. A cell with any errored turn reruns whole
 * (its later turns depended on it).
 */
import { readRows } from './rows-file.js';
import { cellKey, type BenchRow } from './types.js';

export interface PreviousRun {
  /** Rows kept as they are. */
  kept: BenchRow[];
  /** cellKey()s to run again. */
  failed: Set<string>;
  /** Lines of the file that were not rows. */
  skippedLines: number;
  /** Cells of this run the file has no row for (the last run stopped early): not run now. */
  missing: number;
}

/** `caseIds`: the cases of this run (after --limit and --shard). */
export async function previousRun(file: string, caseIds: Set<string>, models: string[], repeat: number): Promise<PreviousRun> {
  const { rows, skipped } = await readRows(file, '--rerun-failed');
  const modelSet = new Set(models);
  const inRun = rows.filter((r) => caseIds.has(r.caseId) && modelSet.has(r.model) && r.sample <= repeat);
  const failed = new Set<string>();
  for (const r of inRun) if (r.error) failed.add(cellKey(r));
  const seen = new Set(inRun.map(cellKey));
  return { kept: inRun.filter((r) => !failed.has(cellKey(r))), failed, skippedLines: skipped, missing: caseIds.size * models.length * repeat - seen.size };
}
