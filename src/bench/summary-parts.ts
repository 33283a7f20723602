/**
 * Building blocks of the bench summary that make it the same whatever order rows arrive in
 * (a single run, or `mmr bench merge` of its shards): sums kept as whole pico-USD and
 * microseconds (exact, so order-free, up to $9,000 and 285 years), latency samples in a growable
 * Float64Array (8 bytes per answered row: exact percentiles), and a bounded list that keeps the
 * first N items in a fixed order (by where the case is) rather than the first N to arrive.
 */

/** Pico-USD per USD: a cost becomes a whole number, so sums do not depend on their order. */
const PICO = 1e12;
/** Microseconds per ms for latency sums. */
const MICRO = 1e3;

export const toPico = (usd: number) => Math.round(usd * PICO);
export const fromPico = (p: number) => p / PICO;
export const toMicro = (ms: number) => Math.round(ms * MICRO);
export const fromMicro = (u: number) => u / MICRO;

/**
 * The `k`-th smallest of `a` (0-based), what `a.sort()[k]` is, in O(n) rather than a sort (Hoare's
 * selection, median-of-three pivots); `a` is reordered, not sorted. The values are finite.
 */
export function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    // Median of three as the pivot: sorted or constant samples stay linear.
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** A growable list of doubles (latencies): 8 bytes each, no boxing. */
export class Samples {
  private buf = new Float64Array(64);
  private work: Float64Array | null = null;
  length = 0;
  /** Sum in microseconds (exact). */
  sumMicro = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
    this.sumMicro += toMicro(v);
    this.work = null;
  }
  /** Nearest-rank percentile, `p` in [0,100]; null when empty. */
  percentile(p: number): number | null {
    if (this.length === 0) return null;
    // One copy for all the percentiles asked of the same samples, partly ordered by each.
    const s = (this.work ??= this.buf.slice(0, this.length));
    return select(s, Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1)));
  }
  mean(): number | null {
    return this.length ? fromMicro(this.sumMicro) / this.length : null;
  }
}

/** Sorts `where` strings as people read them: `f.jsonl:9` before `f.jsonl:12`. */
let collator: Intl.Collator | null = null;

export interface Placed {
  where: string;
  caseId: string;
  turn: number;
}

export function placeOrder(a: Placed, b: Placed): number {
  // Made on first use: a collator at load time starts ICU (~5-9 ms), and a run with nothing to list never sorts.
  collator ??= new Intl.Collator('en', { numeric: true });
  return collator.compare(a.where, b.where) || collator.compare(a.caseId, b.caseId) || a.turn - b.turn;
}

/** The first `limit` items in `placeOrder`, however many are offered and in whatever order. */
export class FirstN<T extends Placed> {
  readonly items: T[] = [];
  total = 0;
  constructor(readonly limit: number) {}
  offer(item: T): void {
    this.total++;
    if (this.limit <= 0) return;
    const full = this.items.length >= this.limit;
    if (full && placeOrder(item, this.items[this.items.length - 1]) >= 0) return;
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (placeOrder(this.items[mid], item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, item);
    if (this.items.length > this.limit) this.items.pop();
  }
}

/**
 * What pass@1 and its interval need from the graded case-turns of one model, summed as they
 * are folded: per sample count n, the number of cells and the sums of passes and passes².
 */
export class ClusterSums {
  cells = 0;
  passed = 0;
  samples = 0;
  /** Cells where every sample passed (pass^N) and where samples disagreed (flaky). */
  allPassed = 0;
  flaky = 0;
  private byN = new Map<number, { p: number; p2: number; k: number }>();
  add(p: number, n: number): void {
    this.cells++;
    this.passed += p;
    this.samples += n;
    if (p === n) this.allPassed++;
    else if (p > 0) this.flaky++;
    const s = this.byN.get(n) ?? { p: 0, p2: 0, k: 0 };
    s.p += p;
    s.p2 += p * p;
    s.k++;
    this.byN.set(n, s);
  }
  /** Σ over cells of (p/n − rate)², from the integer sums (the same in any order). */
  spread(rate: number): number {
    let ss = 0;
    // In order of n, so the float sum does not depend on which cell came first.
    for (const [n, s] of [...this.byN].sort((a, b) => a[0] - b[0])) ss += s.p2 / (n * n) - (2 * rate * s.p) / n + s.k * rate * rate;
    return Math.max(0, ss);
  }
}
