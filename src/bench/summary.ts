/**
 * Folds rows into the numbers the reports show, keeping only what those need (latencies and
 * one pass/fail cell per case × model), never the answers, so 40,000 rows fit in a few MB.
 */
import type { BenchRow } from './types.js';

export interface ModelStats {
  model: string;
  /** Rows (case × this model) that finished. */
  n: number;
  /** Rows with checks: the pass rate's denominator (errors count as failures). */
  graded: number;
  passed: number;
  errors: number;
  cached: number;
  /** Pass rate 0–1 over graded rows; null when nothing was graded. */
  passRate: number | null;
  /** ms. */
  latencyMean: number | null;
  latencyP50: number | null;
  latencyP95: number | null;
  ttftP50: number | null;
  inputTokens: number;
  outputTokens: number;
  /** USD over rows with a known price; null when no row's price is known. */
  costUsd: number | null;
  /** Rows whose price was unknown. */
  costUnknown: number;
  /** USD per passed case; null when nothing passed or the cost is unknown. */
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
  where: string;
  passed: string[];
  failed: string[];
}

/** `p` in [0,100]; nearest-rank on a sorted copy. */
export function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

interface Acc {
  n: number; graded: number; passed: number; errors: number; cached: number;
  lat: number[]; ttft: number[]; inTok: number; outTok: number;
  cost: number; costKnown: number; costUnknown: number; judge: number;
}
const acc = (): Acc => ({ n: 0, graded: 0, passed: 0, errors: 0, cached: 0, lat: [], ttft: [], inTok: 0, outTok: 0, cost: 0, costKnown: 0, costUnknown: 0, judge: 0 });

export class Summary {
  private byModel = new Map<string, Acc>();
  private byTag = new Map<string, Map<string, Acc>>();
  /** caseId → model index → 1 pass / 0 fail (ungraded cases are not stored). */
  private cells = new Map<string, { where: string; marks: Map<number, number> }>();
  readonly models: string[];
  constructor(models: string[]) {
    this.models = models;
    for (const m of models) this.byModel.set(m, acc());
  }

  add(row: BenchRow): void {
    const accs = [this.byModel.get(row.model) ?? this.byModel.set(row.model, acc()).get(row.model)!];
    for (const tag of row.tags) {
      let t = this.byTag.get(tag);
      if (!t) this.byTag.set(tag, (t = new Map()));
      let a = t.get(row.model);
      if (!a) t.set(row.model, (a = acc()));
      accs.push(a);
    }
    for (const a of accs) {
      a.n++;
      if (row.error) a.errors++;
      if (row.cached) a.cached++;
      if (row.pass !== null) {
        a.graded++;
        if (row.pass) a.passed++;
      }
      if (row.latencyMs != null) a.lat.push(row.latencyMs);
      if (row.ttftMs != null) a.ttft.push(row.ttftMs);
      a.inTok += row.inputTokens ?? 0;
      a.outTok += row.outputTokens ?? 0;
      if (row.costUsd != null) {
        a.cost += row.costUsd;
        a.costKnown++;
      } else if (!row.error) a.costUnknown++;
      a.judge += row.judgeCostUsd;
    }
    // Tag accumulators do not need latency samples; drop them so memory follows models, not tags.
    for (const a of accs.slice(1)) {
      a.lat.length = 0;
      a.ttft.length = 0;
    }
    if (row.pass !== null) {
      let c = this.cells.get(row.caseId);
      if (!c) this.cells.set(row.caseId, (c = { where: row.where, marks: new Map() }));
      c.marks.set(this.models.indexOf(row.model), row.pass ? 1 : 0);
    }
  }

  modelStats(): ModelStats[] {
    return [...this.byModel.entries()].map(([model, a]) => {
      const costUsd = a.costKnown ? a.cost : null;
      return {
        model,
        n: a.n,
        graded: a.graded,
        passed: a.passed,
        errors: a.errors,
        cached: a.cached,
        passRate: a.graded ? a.passed / a.graded : null,
        latencyMean: a.lat.length ? a.lat.reduce((x, y) => x + y, 0) / a.lat.length : null,
        latencyP50: percentile(a.lat, 50),
        latencyP95: percentile(a.lat, 95),
        ttftP50: percentile(a.ttft, 50),
        inputTokens: a.inTok,
        outputTokens: a.outTok,
        costUsd,
        costUnknown: a.costUnknown,
        costPerPass: costUsd != null && a.passed > 0 && a.costUnknown === 0 ? costUsd / a.passed : null,
        judgeCostUsd: a.judge,
      };
    });
  }

  tagStats(): TagStats[] {
    const out: TagStats[] = [];
    for (const [tag, t] of [...this.byTag.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      for (const model of this.models) {
        const a = t.get(model);
        if (!a) continue;
        out.push({ tag, model, graded: a.graded, passed: a.passed, passRate: a.graded ? a.passed / a.graded : null, costUsd: a.costKnown ? a.cost : null });
      }
    }
    return out;
  }

  /** Cases some models passed and others failed. */
  disagreements(limit = Infinity): { total: number; cases: Disagreement[] } {
    const cases: Disagreement[] = [];
    let total = 0;
    for (const [caseId, c] of this.cells) {
      const vals = [...c.marks.values()];
      if (vals.includes(1) && vals.includes(0)) {
        total++;
        if (cases.length < limit) {
          const pick = (v: number) => [...c.marks].filter(([, x]) => x === v).map(([i]) => this.models[i]);
          cases.push({ caseId, where: c.where, passed: pick(1), failed: pick(0) });
        }
      }
    }
    return { total, cases };
  }
}
