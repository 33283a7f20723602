/**
 * `mmr bench` exit codes (README "Benchmarks over your prompt files"). Each says something
 * different to CI; failed checks alone change nothing, since comparing models means some fail.
 * When several apply, the first in this order wins: signal, no call succeeded, stopped by
 * --max-cost, --threshold missed, some calls errored.
 */
import type { ModelStats } from './summary-types.js';

export const BENCH_EXIT = {
  /** The run completed, no call errored, and --threshold (when given) was met. */
  OK: 0,
  /** A model's pass rate is below --threshold. */
  THRESHOLD: 1,
  /** Usage or config error: bad flag, prompt file, dataset or config. */
  USAGE: 2,
  /** No call succeeded (every row is an error). */
  NONE_SUCCEEDED: 3,
  /** The run completed but some calls errored (the summary lists them by kind). */
  SOME_ERRORED: 4,
  /** Stopped early by --max-cost: incomplete; the rows are kept and a re-run resumes from the cache. */
  BUDGET: 5,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

export interface ExitFacts {
  models: ModelStats[];
  stopped: 'signal' | 'budget' | null;
  signal: NodeJS.Signals | null;
  /** Models below --threshold (empty when none was given or all met it). */
  belowThreshold: string[];
}

export function benchExitCode(f: ExitFacts): number {
  if (f.signal === 'SIGTERM') return BENCH_EXIT.SIGTERM;
  if (f.signal === 'SIGINT' || f.stopped === 'signal') return BENCH_EXIT.SIGINT;
  const rows = f.models.reduce((a, s) => a + s.n, 0);
  const errors = f.models.reduce((a, s) => a + s.errors, 0);
  if (rows > 0 && errors === rows) return BENCH_EXIT.NONE_SUCCEEDED;
  if (f.stopped === 'budget') return BENCH_EXIT.BUDGET;
  if (f.belowThreshold.length) return BENCH_EXIT.THRESHOLD;
  if (errors > 0) return BENCH_EXIT.SOME_ERRORED;
  return BENCH_EXIT.OK;
}

/** Models whose pass rate is below `threshold` (80 or 0.8 both mean 80%). */
export function belowThreshold(models: ModelStats[], threshold: number | undefined): { min: number; models: ModelStats[] } {
  if (threshold === undefined) return { min: 0, models: [] };
  const min = threshold <= 1 ? threshold * 100 : threshold;
  return { min, models: models.filter((s) => s.passRate !== null && s.passRate * 100 < min - 1e-9) };
}
