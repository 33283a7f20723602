/** The summary object every output form renders, from the folded rows and the run's facts. */
import { paretoFrontier, suggestRules } from './analysis.js';
import type { BenchReport } from './report.js';
import type { Summary } from './summary.js';

export interface RunFacts {
  cases: number;
  spentUsd: number;
  wallMs: number;
  stopped: BenchReport['stopped'];
  skipped: number;
  repeat: number;
  /** How many disagreements to list (all for JSON). */
  disagreementLimit: number;
  /** Suggest rules within this many points of the best; undefined: none. */
  tolerance?: number;
  corruptCache?: number;
}

export function assembleReport(summary: Summary, f: RunFacts): BenchReport {
  const models = summary.modelStats();
  const tags = summary.tagStats();
  const flaky = f.repeat > 1 ? Object.fromEntries(models.map((s) => [s.model, summary.flakyCases(s.model, 10)])) : undefined;
  return {
    models,
    tags,
    disagreements: summary.disagreements(f.disagreementLimit),
    frontier: paretoFrontier(models),
    suggestions: f.tolerance !== undefined ? suggestRules(tags, f.tolerance) : undefined,
    cases: f.cases,
    spentUsd: f.spentUsd,
    judgeCostUsd: models.reduce((a, s) => a + s.judgeCostUsd, 0),
    wallMs: f.wallMs,
    stopped: f.stopped,
    skipped: f.skipped,
    repeat: f.repeat,
    flaky,
    corruptCache: f.corruptCache,
  };
}
