/**
 * Folds rows into the numbers the reports show, keeping only what those need: per model and
 * per tag × model counts and exact sums; latencies of answered calls (8 bytes per row, for exact
 * percentiles); errors by kind with one example; and, per case-turn, the pass marks of each
 * model only until every model's samples are in (`expectedMarks`), when the case-turn is folded
 * into pass@1 sums, flaky and disagreement counts. So memory follows models × tags and the rows
 * in flight, not the run's length, and the result does not depend on the order rows arrive in:
 * a merge of shards gives what one run gives.
 */
import { passAt1FromSums } from './stats.js';
import { ClusterSums, FirstN, fromPico, placeOrder, Samples, toPico, type Placed } from './summary-parts.js';
import type { BenchRow } from './types.js';
import type { Disagreement, ErrorKindStats, ModelStats, TagStats } from './summary-types.js';


/** `p` in [0,100]; nearest-rank on a sorted copy. */
export function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

interface Acc {
  n: number; graded: number; passed: number; errors: number; cached: number;
  inTok: number; outTok: number; costPico: number; costKnown: number; costUnknown: number; judgePico: number;
}
const acc = (): Acc => ({ n: 0, graded: 0, passed: 0, errors: 0, cached: 0, inTok: 0, outTok: 0, costPico: 0, costKnown: 0, costUnknown: 0, judgePico: 0 });

interface ModelAcc extends Acc {
  lat: Samples;
  ttft: Samples;
  kinds: Map<string, ErrorKindStats & { at: Placed }>;
  cluster: ClusterSums;
  flakyCases: FirstN<Placed>;
}

interface Cell extends Placed {
  /** By model index: passed samples, and graded samples (0 or a hole: none yet). */
  passed: number[];
  graded: number[];
  count: number;
}

export interface SummaryOptions {
  /** Graded rows a case-turn gets when the run completes (models × samples): it is folded then. */
  expectedMarks?: number;
  /** Disagreements and flaky cases kept as examples (the counts are always complete). */
  keep?: number;
}

export class Summary {
  private byModel = new Map<string, ModelAcc>();
  private byTag = new Map<string, Map<string, Acc>>();
  /** Open case-turns: turn 1 by case id (no key string built per row), later turns by id and turn. */
  private cells = new Map<string, Cell>();
  private laterCells = new Map<string, Cell>();
  private readonly disagree: FirstN<Disagreement>;
  readonly models: string[];
  constructor(models: string[], private readonly o: SummaryOptions = {}) {
    this.models = [];
    this.disagree = new FirstN(o.keep ?? 1000);
    for (const m of models) this.model(m);
  }

  /** Case-turns with rows still to come (kept in memory until they are folded). */
  get open(): number {
    return this.cells.size + this.laterCells.size;
  }

  private model(m: string): ModelAcc {
    let a = this.byModel.get(m);
    if (!a) {
      a = { ...acc(), lat: new Samples(), ttft: new Samples(), kinds: new Map(), cluster: new ClusterSums(), flakyCases: new FirstN(this.o.keep ?? 1000) };
      this.byModel.set(m, a);
      this.models.push(m);
    }
    return a;
  }

  add(row: BenchRow): void {
    const own = this.model(row.model);
    const turn = row.turn ?? 1;
    this.count(own, row);
    for (const tag of row.tags) {
      let t = this.byTag.get(tag);
      if (!t) this.byTag.set(tag, (t = new Map()));
      let a = t.get(row.model);
      if (!a) t.set(row.model, (a = acc()));
      this.count(a, row);
    }
    if (row.error) {
      const place: Placed = { where: row.where, caseId: row.caseId, turn };
      const k = own.kinds.get(row.error.kind);
      if (!k) own.kinds.set(row.error.kind, { kind: row.error.kind, count: 1, example: row.error.message, status: row.error.status, at: place });
      else {
        k.count++;
        // The example is the first in file order, not the first to arrive.
        if (placeOrder(place, k.at) < 0) Object.assign(k, { example: row.error.message, status: row.error.status, at: place });
      }
    } else {
      if (row.latencyMs != null) own.lat.push(row.latencyMs);
      if (row.ttftMs != null) own.ttft.push(row.ttftMs);
    }
    if (row.pass !== null) this.mark(row.where, row.caseId, turn, this.models.indexOf(row.model), row.pass);
  }

  private count(a: Acc, row: BenchRow): void {
    a.n++;
    if (row.cached) a.cached++;
    if (row.error) a.errors++;
    if (row.pass !== null) {
      a.graded++;
      if (row.pass) a.passed++;
    }
    a.inTok += row.inputTokens ?? 0;
    a.outTok += row.outputTokens ?? 0;
    if (row.costUsd != null) {
      a.costPico += toPico(row.costUsd);
      a.costKnown++;
    } else if (!row.error) a.costUnknown++;
    a.judgePico += toPico(row.judgeCostUsd);
  }

  private mark(where: string, caseId: string, turn: number, model: number, pass: boolean): void {
    const cells = turn === 1 ? this.cells : this.laterCells;
    const key = turn === 1 ? caseId : `${caseId}\u0000${turn}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { where, caseId, turn, passed: [], graded: [], count: 0 }));
    c.passed[model] = (c.passed[model] ?? 0) + (pass ? 1 : 0);
    c.graded[model] = (c.graded[model] ?? 0) + 1;
    c.count++;
    if (this.o.expectedMarks !== undefined && c.count >= this.o.expectedMarks) {
      cells.delete(key);
      this.fold(c);
    }
  }

  /**
   * Puts the models in this order (others after, as they came). Rows read back from files
   * (a merge) arrive in any order; the run's own order is what the report should show. Only
   * before any case-turn was folded (a summary without `expectedMarks`).
   */
  orderModels(order: string[]): void {
    if (this.o.expectedMarks !== undefined) throw new Error('orderModels needs a summary that folds at the end');
    const next = [...order.filter((m) => this.byModel.has(m)), ...this.models.filter((m) => !order.includes(m))];
    const remap = new Map(this.models.map((m, i) => [i, next.indexOf(m)]));
    for (const cells of [this.cells, this.laterCells]) {
      for (const c of cells.values()) {
        const passed: number[] = [];
        const graded: number[] = [];
        c.graded.forEach((n, i) => {
          const to = remap.get(i)!;
          passed[to] = c.passed[i] ?? 0;
          graded[to] = n;
        });
        c.passed = passed;
        c.graded = graded;
      }
    }
    this.models.splice(0, this.models.length, ...next);
  }

  /** A finished case-turn: into pass@1 sums, flaky and disagreement counts. */
  private fold(c: Cell): void {
    const passed: number[] = [];
    const failed: number[] = [];
    for (let i = 0; i < c.graded.length; i++) {
      const n = c.graded[i];
      if (!n) continue;
      const p = c.passed[i] ?? 0;
      const a = this.byModel.get(this.models[i])!;
      a.cluster.add(p, n);
      if (p > 0 && p < n) a.flakyCases.offer({ where: c.where, caseId: c.caseId, turn: c.turn });
      if (p * 2 > n) passed.push(i);
      else if (p * 2 < n) failed.push(i);
    }
    if (passed.length && failed.length) {
      const names = (xs: number[]) => xs.sort((x, y) => x - y).map((i) => this.models[i]);
      this.disagree.offer({ caseId: c.caseId, turn: c.turn, where: c.where, passed: names(passed), failed: names(failed) });
    }
  }

  /** Folds the case-turns still open (the run stopped early, or rows came in any order). */
  private finish(): void {
    for (const cells of [this.cells, this.laterCells]) {
      for (const c of cells.values()) this.fold(c);
      cells.clear();
    }
  }

  modelStats(): ModelStats[] {
    this.finish();
    return this.models.map((model) => {
      const a = this.byModel.get(model)!;
      const costUsd = a.costKnown ? fromPico(a.costPico) : null;
      const p1 = passAt1FromSums(a.cluster);
      const cells = a.cluster.cells;
      return {
        model,
        n: a.n,
        graded: a.graded,
        passed: a.passed,
        errors: a.errors,
        errorKinds: [...a.kinds.values()].sort((x, y) => y.count - x.count || x.kind.localeCompare(y.kind)).map(({ kind, count, example, status }) => ({ kind, count, example, status })),
        cached: a.cached,
        passRate: a.graded ? a.passed / a.graded : null,
        passLow: p1?.low ?? null,
        passHigh: p1?.high ?? null,
        passAllRate: cells ? a.cluster.allPassed / cells : null,
        flaky: a.cluster.flaky,
        latencyMean: a.lat.mean(),
        latencyP50: a.lat.percentile(50),
        latencyP95: a.lat.percentile(95),
        ttftP50: a.ttft.percentile(50),
        inputTokens: a.inTok,
        outputTokens: a.outTok,
        costUsd,
        costUnknown: a.costUnknown,
        costPerPass: costUsd != null && a.passed > 0 && a.costUnknown === 0 ? costUsd / a.passed : null,
        judgeCostUsd: fromPico(a.judgePico),
      };
    });
  }

  tagStats(): TagStats[] {
    const out: TagStats[] = [];
    for (const [tag, t] of [...this.byTag.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      for (const model of this.models) {
        const a = t.get(model);
        if (!a) continue;
        out.push({ tag, model, graded: a.graded, passed: a.passed, passRate: a.graded ? a.passed / a.graded : null, costUsd: a.costKnown ? fromPico(a.costPico) : null });
      }
    }
    return out;
  }

  /** Case-turns some models passed (most samples) and others failed (most samples); the first `limit` in file order. */
  disagreements(limit = Infinity): { total: number; cases: Disagreement[] } {
    this.finish();
    return { total: this.disagree.total, cases: this.disagree.items.slice(0, limit) };
  }

  /** Case-turns (as `id` or `id turn N`) where this model's samples both passed and failed, in file order. */
  flakyCases(model: string, limit = Infinity): string[] {
    this.finish();
    const a = this.byModel.get(model);
    return (a?.flakyCases.items ?? []).slice(0, limit).map((c) => (c.turn > 1 ? `${c.caseId} turn ${c.turn}` : c.caseId));
  }
}
