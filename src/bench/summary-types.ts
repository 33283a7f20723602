/** What the bench summary (summary.ts) reports: per model, per tag × model, disagreements. */

export interface ErrorKindStats {
  kind: string;
  count: number;
  /** The message of the first row (in file order) with this kind (outside text: neutralise before printing). */
  example: string;
  /** Its HTTP status, when there was one. */
  status: number | null;
}

export interface ModelStats {
  model: string;
  /** Rows (case-turn × sample × this model) that finished. */
  n: number;
  /** Rows with checks: the pass rate's denominator (errors count as failures). */
  graded: number;
  passed: number;
  errors: number;
  /** `errors` split by kind (auth, rate-limit, overloaded, ...), most frequent first. */
  errorKinds: ErrorKindStats[];
  cached: number;
  /** Pass rate 0–1 over graded rows (pass@1 under --repeat); null when nothing was graded. */
  passRate: number | null;
  /** 95% interval of the pass rate, 0–1 (Wilson; cluster-robust under --repeat). */
  passLow: number | null;
  passHigh: number | null;
  /** Graded case-turns where every sample passed (pass^N), 0–1; equals passRate without --repeat. */
  passAllRate: number | null;
  /** Graded case-turns whose samples both passed and failed (only under --repeat). */
  flaky: number;
  /** ms, over calls that answered with a measured time (failed calls measure the failure; batch answers have no per-call time). */
  latencyMean: number | null;
  latencyP50: number | null;
  latencyP95: number | null;
  ttftP50: number | null;
  inputTokens: number;
  outputTokens: number;
  /** USD over rows with a known price (a failed call costs $0); null when no row's price is known. */
  costUsd: number | null;
  /** Answered rows whose price was unknown. */
  costUnknown: number;
  /** USD per passed row; null when nothing passed or the cost is unknown. */
  costPerPass: number | null;
  /** USD spent on judge calls for this model's answers. */
  judgeCostUsd: number;
}

export interface TagStats {
  tag: string;
  model: string;
  graded: number;
  passed: number;
  passRate: number | null;
  costUsd: number | null;
}

export interface Disagreement {
  caseId: string;
  /** 1-based turn (1 for single-turn cases). */
  turn: number;
  where: string;
  passed: string[];
  failed: string[];
}
