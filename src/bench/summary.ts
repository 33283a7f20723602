/**
 * Folds rows into the numbers the reports show, keeping only what those need (latencies of
 * answered calls, error counts by kind with one example, and a pass count per case-turn × model),
 * never the answers, so 40,000 rows fit in a few MB.
 */
import { passAt1 } from './stats.js';
import type { BenchRow } from './types.js';

export interface ErrorKindStats {
  kind: string;
  count: number;
  /** The first message seen for this kind (outside text: neutralise before printing). */
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
  /** ms, over calls that answered (failed calls are left out: their time measures the failure). */
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
  kinds: Map<string, ErrorKindStats>;
}
const acc = (): Acc => ({ n: 0, graded: 0, passed: 0, errors: 0, cached: 0, lat: [], ttft: [], inTok: 0, outTok: 0, cost: 0, costKnown: 0, costUnknown: 0, judge: 0, kinds: new Map() });

interface Cell {
  caseId: string;
  turn: number;
  where: string;
  /** model index → [passed samples, graded samples]. */
  marks: Map<number, [number, number]>;
}

export class Summary {
  private byModel = new Map<string, Acc>();
  private byTag = new Map<string, Map<string, Acc>>();
  private cells = new Map<string, Cell>();
  readonly models: string[];
  constructor(models: string[]) {
    this.models = [...models];
    for (const m of models) this.byModel.set(m, acc());
  }

  add(row: BenchRow): void {
    let own = this.byModel.get(row.model);
    if (!own) {
      this.byModel.set(row.model, (own = acc()));
      this.models.push(row.model);
    }
    const accs = [own];
    for (const tag of row.tags) {
      let t = this.byTag.get(tag);
      if (!t) this.byTag.set(tag, (t = new Map()));
      let a = t.get(row.model);
      if (!a) t.set(row.model, (a = acc()));
      accs.push(a);
    }
    for (const a of accs) {
      a.n++;
      if (row.cached) a.cached++;
      if (row.pass !== null) {
        a.graded++;
        if (row.pass) a.passed++;
      }
      a.inTok += row.inputTokens ?? 0;
      a.outTok += row.outputTokens ?? 0;
      if (row.costUsd != null) {
        a.cost += row.costUsd;
        a.costKnown++;
      } else if (!row.error) a.costUnknown++;
      a.judge += row.judgeCostUsd;
    }
    // Tag accumulators need neither latency samples nor error kinds: memory follows models, not tags.
    if (row.error) {
      own.errors++;
      for (const a of accs.slice(1)) a.errors++;
      const k = own.kinds.get(row.error.kind);
      if (k) k.count++;
      else own.kinds.set(row.error.kind, { kind: row.error.kind, count: 1, example: row.error.message, status: row.error.status });
    } else {
      if (row.latencyMs != null) own.lat.push(row.latencyMs);
      if (row.ttftMs != null) own.ttft.push(row.ttftMs);
    }
    if (row.pass !== null) {
      const turn = row.turn ?? 1;
      const key = `${row.caseId}\u0000${turn}`;
      let c = this.cells.get(key);
      if (!c) this.cells.set(key, (c = { caseId: row.caseId, turn, where: row.where, marks: new Map() }));
      const i = this.models.indexOf(row.model);
      const m = c.marks.get(i) ?? [0, 0];
      m[0] += row.pass ? 1 : 0;
      m[1]++;
      c.marks.set(i, m);
    }
  }

  /** Per model: its graded cells as [passed, samples]. */
  private cellsOf(i: number): [number, number][] {
    const out: [number, number][] = [];
    for (const c of this.cells.values()) {
      const m = c.marks.get(i);
      if (m) out.push(m);
    }
    return out;
  }

  modelStats(): ModelStats[] {
    return this.models.map((model, i) => {
      const a = this.byModel.get(model)!;
      const costUsd = a.costKnown ? a.cost : null;
      const cells = this.cellsOf(i);
      const p1 = passAt1(cells);
      return {
        model,
        n: a.n,
        graded: a.graded,
        passed: a.passed,
        errors: a.errors,
        errorKinds: [...a.kinds.values()].sort((x, y) => y.count - x.count),
        cached: a.cached,
        passRate: a.graded ? a.passed / a.graded : null,
        passLow: p1?.low ?? null,
        passHigh: p1?.high ?? null,
        passAllRate: cells.length ? cells.filter(([p, n]) => p === n).length / cells.length : null,
        flaky: cells.filter(([p, n]) => p > 0 && p < n).length,
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

  /** Case-turns some models passed (most samples) and others failed (most samples). */
  disagreements(limit = Infinity): { total: number; cases: Disagreement[] } {
    const cases: Disagreement[] = [];
    let total = 0;
    for (const c of this.cells.values()) {
      const passed: string[] = [];
      const failed: string[] = [];
      for (const [i, [p, n]] of c.marks) {
        if (p * 2 > n) passed.push(this.models[i]);
        else if (p * 2 < n) failed.push(this.models[i]);
      }
      if (passed.length && failed.length) {
        total++;
        if (cases.length < limit) cases.push({ caseId: c.caseId, turn: c.turn, where: c.where, passed, failed });
      }
    }
    return { total, cases };
  }

  /** Case-turns (as `id` or `id turn N`) where this model's samples both passed and failed. */
  flakyCases(model: string, limit = Infinity): string[] {
    const i = this.models.indexOf(model);
    const out: string[] = [];
    for (const c of this.cells.values()) {
      const m = c.marks.get(i);
      if (m && m[0] > 0 && m[0] < m[1]) {
        out.push(c.turn > 1 ? `${c.caseId} turn ${c.turn}` : c.caseId);
        if (out.length >= limit) break;
      }
    }
    return out;
  }
}
