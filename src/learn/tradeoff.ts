/**
 * The tradeoff knob. A decision maximises predicted quality − λ · predicted cost; users set
 * T ∈ [0, 1] instead of λ: 0 = the cheapest model, 1 = the best predicted quality whatever it
 * costs, and T in between spends T² of the way from the cheapest routing's cost to the
 * best-quality routing's cost (measured out of fold on the training evidence): T = 0.5 spends a
 * quarter of the way, T = 0.9 81%. Squared because quality per dollar is won mostly at the cheap
 * end, where the curve is steepest, so equal steps of T are finer there; with steps spread evenly
 * along the cost axis instead, T = 0.1 already spent a tenth of the range and the area under the
 * routing curve at T = 0, 0.1, …, 1 was 0.002–0.003 lower on every one of three 3-fold splits of
 * ZeroEval (the same on GSM8K and MMLU). T means the same thing on every evidence set.
 */

/** Index of the model to use: highest q − λ·c among `usable`; ties go to the cheaper. */
export function pick(q: ArrayLike<number>, c: ArrayLike<number>, lambda: number, usable?: ArrayLike<boolean>): number {
  let best = -1;
  let bestU = -Infinity;
  let maxCost = 0;
  for (let m = 0; m < c.length; m++) if (Number.isFinite(c[m]) && c[m] > maxCost) maxCost = c[m];
  for (let m = 0; m < q.length; m++) {
    if (usable && !usable[m]) continue;
    // Unknown cost is taken as the dearest known: "cheapest" must be a known fact.
    const cost = Number.isFinite(c[m]) ? c[m] : maxCost;
    const u = lambda === Infinity ? -cost + 1e-9 * q[m] : q[m] - lambda * cost;
    if (best < 0 || u > bestU + 1e-12 || (Math.abs(u - bestU) <= 1e-12 && cost < (Number.isFinite(c[best]) ? c[best] : maxCost))) {
      best = m;
      bestU = u;
    }
  }
  return best;
}

/** [T, λ] pairs, T ascending from 0 (λ = ∞) to 1 (λ = 0). */
export type TradeoffTable = Array<[number, number]>;

/** λ for a tradeoff T, interpolating log λ between table entries. */
export function lambdaFor(t: number, table: TradeoffTable): number {
  if (t <= 0) return table[0]?.[1] ?? Infinity;
  if (t >= 1) return table.length && table[table.length - 1][0] >= 1 ? table[table.length - 1][1] : 0;
  for (let i = 1; i < table.length; i++) {
    const [t0, l0] = table[i - 1];
    const [t1, l1] = table[i];
    if (t > t1) continue;
    if (!Number.isFinite(l0) || l1 === 0) return t - t0 < t1 - t ? l0 : l1;
    const f = (t - t0) / (t1 - t0 || 1);
    return Math.exp(Math.log(l0) + f * (Math.log(l1) - Math.log(l0)));
  }
  return 0;
}

export interface Realised {
  /** Mean realised cost (USD) and quality of routing every evaluated prompt with this λ. */
  cost: number;
  quality: number;
}

/**
 * Route every prompt with λ on predictions (`pq`, `pc`) and score the choice with the truth
 * (`tq`, `tc`), over prompts where every model's outcome is known.
 */
/** Experiment: a bonus `delta` (quality units) for the per-λ default model, argmax of prior q − λ·prior c. */
export interface Margin {
  delta: number;
  q: ArrayLike<number>;
  c: ArrayLike<number>;
}

/** The default model at λ: the best single model by its mean quality and mean cost. */
export function defaultModel(margin: Margin, lambda: number, usable?: ArrayLike<boolean>): number {
  return pick(margin.q, margin.c, lambda, usable);
}

/** pick(), with the default model's utility raised by margin.delta. */
export function pickMargin(q: ArrayLike<number>, c: ArrayLike<number>, lambda: number, usable: ArrayLike<boolean> | undefined, margin: Margin | undefined, dflt: number): number {
  if (!margin || margin.delta === 0 || dflt < 0) return pick(q, c, lambda, usable);
  const m = pick(q, c, lambda, usable);
  if (m === dflt) return m;
  let maxCost = 0;
  for (let k = 0; k < c.length; k++) if (Number.isFinite(c[k]) && c[k] > maxCost) maxCost = c[k];
  const cost = (k: number) => (Number.isFinite(c[k]) ? c[k] : maxCost);
  if (lambda === Infinity) return cost(m) < cost(dflt) - margin.delta * 1e-3 * maxCost ? m : dflt;
  const u = (k: number) => q[k] - lambda * cost(k);
  return u(m) > u(dflt) + margin.delta ? m : dflt;
}

export function realise(pq: Float64Array, pc: Float64Array, tq: Float64Array, tc: Float64Array, M: number, lambda: number, rows: readonly number[], usable?: ArrayLike<boolean>, margin?: Margin): Realised {
  let cost = 0, quality = 0;
  const dflt = margin ? defaultModel(margin, lambda, usable) : -1;
  for (const i of rows) {
    const m = pickMargin(pq.subarray(i * M, i * M + M), pc.subarray(i * M, i * M + M), lambda, usable, margin, dflt);
    quality += tq[i * M + m];
    cost += Number.isFinite(tc[i * M + m]) ? tc[i * M + m] : 0;
  }
  return { cost: cost / Math.max(1, rows.length), quality: quality / Math.max(1, rows.length) };
}

/** λ values from "cost is everything" to "cost is nothing", log-spaced around the data's scale. */
export function lambdaGrid(pq: Float64Array, pc: Float64Array): number[] {
  let cMax = 0;
  for (const c of pc) if (Number.isFinite(c) && c > cMax) cMax = c;
  const scale = cMax > 0 ? 1 / cMax : 1;
  const out: number[] = [Infinity];
  for (let k = 80; k >= -80; k--) out.push(scale * 10 ** (k / 20));
  out.push(0);
  return out;
}

/** Experiment switches (fifth pass, decision side). */
export interface CalibrateOptions {
  /** Models a decision may choose (pruning); default all. */
  usable?: ArrayLike<boolean>;
  margin?: Margin;
  /** T = 1 is the λ with the best out-of-fold quality, not λ = 0. */
  top?: boolean;
  /** 'sq': T² of the cost range (today); 'dp': the 11 points at T = 0, 0.1, …, 1 chosen to maximise the out-of-fold area over `range`. */
  spread?: 'sq' | 'dp';
  /** Exponent of the spacing: T^pow of the cost range (default 2). */
  pow?: number;
  /** The single models' cost range and the cheapest's quality (for 'dp'). */
  range?: { lo: number; hi: number; floor: number };
}

/** Area under the piecewise-linear curve through a→b, clipped to [lo, hi]. */
function segArea(a: Realised, b: Realised, lo: number, hi: number): number {
  const x0 = Math.max(lo, a.cost), x1 = Math.min(hi, b.cost);
  if (!(x1 > x0) || !(b.cost > a.cost)) return 0;
  const at = (x: number) => a.quality + ((b.quality - a.quality) * (x - a.cost)) / (b.cost - a.cost);
  return ((at(x0) + at(x1)) / 2) * (x1 - x0);
}

/** Indices into `curve` (ascending cost) of K points from `first` to `last` maximising the area through them. */
function bestPoints(curve: readonly Realised[], first: number, last: number, K: number, lo: number, hi: number): number[] {
  const N = curve.length;
  // best[k][j]: max area of a path of k+1 points from `first` ending at j.
  const best: Float64Array[] = [];
  const from: Int32Array[] = [];
  best.push(new Float64Array(N).fill(-Infinity));
  from.push(new Int32Array(N).fill(-1));
  best[0][first] = 0;
  for (let k = 1; k < K; k++) {
    const b = new Float64Array(N).fill(-Infinity);
    const f = new Int32Array(N).fill(-1);
    for (let j = first; j <= last; j++) {
      for (let i = first; i <= j; i++) {
        if (best[k - 1][i] === -Infinity) continue;
        const v = best[k - 1][i] + (i === j ? 0 : segArea(curve[i], curve[j], lo, hi));
        if (v > b[j] + 1e-15) (b[j] = v), (f[j] = i);
      }
    }
    best.push(b);
    from.push(f);
  }
  const out = [last];
  for (let k = K - 1; k > 0; k--) out.unshift(from[k][out[0]]);
  return out;
}

/**
 * The T → λ table: for T on a 0.05 grid, the λ whose out-of-fold routing spends
 * cost(∞) + T² · (cost(0) − cost(∞)). Also returns the out-of-fold curve at each grid λ.
 */
export function calibrate(pq: Float64Array, pc: Float64Array, tq: Float64Array, tc: Float64Array, M: number, rows: readonly number[], opts: CalibrateOptions = {}): { table: TradeoffTable; curve: Array<Realised & { lambda: number }> } {
  const curve = lambdaGrid(pq, pc).map((lambda) => ({ lambda, ...realise(pq, pc, tq, tc, M, lambda, rows, opts.usable, opts.margin) }));
  const lo = curve[0].cost;
  let topAt = curve.length - 1;
  if (opts.top) {
    // The best out-of-fold quality; among (near-)ties the cheapest.
    const qMax = Math.max(...curve.map((p) => p.quality));
    topAt = curve.findIndex((p) => p.quality >= qMax - 1e-12);
  }
  const hi = curve[topAt].cost;
  const topLambda = curve[topAt].lambda === Infinity ? curve[1].lambda : curve[topAt].lambda;
  // T = 0 is "as cheap as the cheapest routing", but among λs that spend no more than 5% above
  // it, the one with the best quality: predicted costs are noisy, and near-ties should go to quality.
  const cheapEnough = curve.filter((p) => p.cost <= lo * 1.05 + 1e-15 && Number.isFinite(p.lambda));
  const floor = cheapEnough.length ? cheapEnough.reduce((a, b) => (b.quality > a.quality ? b : a)).lambda : Infinity;
  const table: TradeoffTable = [[0, floor]];
  if (opts.spread === 'dp' && opts.range) {
    const floorAt = Math.max(0, curve.findIndex((p) => p.lambda === floor));
    const last = Math.max(floorAt, topAt);
    const idx = bestPoints(curve, floorAt, last, 11, opts.range.lo, opts.range.hi);
    for (let s = 1; s < 10; s++) table.push([s / 10, Math.min(curve[idx[s]].lambda === Infinity ? curve[1].lambda : curve[idx[s]].lambda, table[table.length - 1][1])]);
    table.push([1, Math.min(opts.top ? topLambda : 0, table[table.length - 1][1])]);
    return { table, curve };
  }
  for (let s = 1; s < 20; s++) {
    const t = s / 20;
    const target = lo + (opts.pow === undefined ? t * t : t ** opts.pow) * (hi - lo);
    // The cheapest λ (largest) whose routing reaches the target spend.
    const hit = curve.find((p) => p.cost >= target - 1e-15) ?? curve[curve.length - 1];
    const lam = hit.lambda === Infinity ? curve[1].lambda : Math.min(hit.lambda, floor);
    table.push([t, Math.min(opts.top ? Math.max(lam, topLambda) : lam, table[table.length - 1][1])]);
  }
  table.push([1, opts.top ? Math.min(topLambda, table[table.length - 1][1]) : 0]);
  return { table, curve };
}
