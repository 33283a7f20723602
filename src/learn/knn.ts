/**
 * Nearest-neighbour quality estimates (RouteLLM's similarity-weighted ranking, in small): a prompt
 * is embedded in a few dozen numbers (a signed count sketch of its hashed n-grams, then its dense
 * signals standardised), and each model's quality is the similarity-weighted mean over the k most
 * similar training prompts, shrunk toward the linear model's prediction by `kappa` pseudo-neighbours.
 */
import { DENSE_NAMES, type SparseVec } from './features.js';

export const SKETCH_DIMS = 32;
export const EMBED_DIMS = SKETCH_DIMS + DENSE_NAMES.length;

export interface KnnIndex {
  /** n × EMBED_DIMS, each row unit length. */
  E: Float32Array;
  /** n × M quality (NaN = unknown). */
  Y: Float64Array;
  n: number;
  M: number;
  /** Dense standardisation: per dense signal, mean and 1/sd. */
  mu: Float64Array;
  inv: Float64Array;
  /** Weight of the dense part against the sketch. */
  gamma: number;
}

const mix = (id: number) => Math.imul(id ^ (id >>> 15), 0x2c1b3c6d) >>> 0;

/** Embed hashed ids/vals (n of them) and dense signals into `out` (unit length). */
export function embed(ids: ArrayLike<number>, vals: ArrayLike<number>, n: number, dense: ArrayLike<number>, ix: Pick<KnnIndex, 'mu' | 'inv' | 'gamma'>, out: Float32Array): void {
  out.fill(0);
  for (let k = 0; k < n; k++) {
    const h = mix(ids[k]);
    out[h & (SKETCH_DIMS - 1)] += (h & 0x80000000 ? -1 : 1) * vals[k];
  }
  const g = ix.gamma / Math.sqrt(DENSE_NAMES.length);
  for (let j = 0; j < DENSE_NAMES.length; j++) out[SKETCH_DIMS + j] = g * (dense[j] - ix.mu[j]) * ix.inv[j];
  let s = 0;
  for (let j = 0; j < out.length; j++) s += out[j] * out[j];
  const norm = Math.sqrt(s) || 1;
  for (let j = 0; j < out.length; j++) out[j] /= norm;
}

/** Split a SparseVec into its hashed part and dense part. */
export function parts(x: SparseVec, denseBase: number): { n: number; dense: Float64Array } {
  let n = 0;
  while (n < x.idx.length && x.idx[n] < denseBase) n++;
  const dense = new Float64Array(DENSE_NAMES.length);
  for (let k = n; k < x.idx.length; k++) {
    const j = x.idx[k] - denseBase;
    if (j >= 0 && j < dense.length) dense[j] = x.val[k];
  }
  return { n, dense };
}

export function buildIndex(xs: readonly SparseVec[], Y: Float64Array, M: number, denseBase: number, gamma: number): KnnIndex {
  const n = xs.length;
  const D = DENSE_NAMES.length;
  const split = xs.map((x) => parts(x, denseBase));
  const mu = new Float64Array(D);
  const inv = new Float64Array(D);
  for (const p of split) for (let j = 0; j < D; j++) mu[j] += p.dense[j] / Math.max(1, n);
  for (const p of split) for (let j = 0; j < D; j++) inv[j] += (p.dense[j] - mu[j]) ** 2 / Math.max(1, n);
  for (let j = 0; j < D; j++) inv[j] = inv[j] > 1e-12 ? 1 / Math.sqrt(inv[j]) : 0;
  const ix: KnnIndex = { E: new Float32Array(n * EMBED_DIMS), Y, n, M, mu, inv, gamma };
  const row = new Float32Array(EMBED_DIMS);
  xs.forEach((x, i) => {
    embed(x.idx, x.val, split[i].n, split[i].dense, ix, row);
    ix.E.set(row, i * EMBED_DIMS);
  });
  return ix;
}

/** The k most similar rows (cos > 0), most similar first: their row numbers and cosines. */
export interface Neighbours {
  idx: Int32Array;
  sim: Float64Array;
  count: number;
}

export function neighbours(ix: KnnIndex, e: Float32Array, k: number, out?: Neighbours): Neighbours {
  const K = Math.max(1, k);
  const nb = out && out.idx.length >= K ? out : { idx: new Int32Array(K), sim: new Float64Array(K), count: 0 };
  const { idx, sim } = nb;
  const { E, n } = ix;
  let have = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const b = i * EMBED_DIMS;
    for (let j = 0; j < EMBED_DIMS; j++) s += E[b + j] * e[j];
    if (s <= 0 || (have === K && s <= sim[K - 1])) continue;
    let p = have < K ? have++ : K - 1;
    while (p > 0 && sim[p - 1] < s) (sim[p] = sim[p - 1]), (idx[p] = idx[p - 1]), p--;
    sim[p] = s;
    idx[p] = i;
  }
  nb.count = have;
  return nb;
}

/** q[m] ← (Σ s_j² y_jm + kappa · q[m]) / (Σ s_j² + kappa) over the neighbours (rows of Y, M wide). */
export function blend(nb: Neighbours, Y: Float64Array, M: number, kappa: number, q: Float64Array, at = 0): void {
  for (let m = 0; m < M; m++) {
    let num = kappa * q[at + m], den = kappa;
    for (let t = 0; t < nb.count; t++) {
      const y = Y[nb.idx[t] * M + m];
      if (Number.isNaN(y)) continue;
      const w = nb.sim[t] * nb.sim[t];
      num += w * y;
      den += w;
    }
    q[at + m] = num / den;
  }
}

const scratch: Neighbours = { idx: new Int32Array(256), sim: new Float64Array(256), count: 0 };
/** The blend for one embedded prompt against the index. */
export function blendKnn(ix: KnnIndex, e: Float32Array, k: number, kappa: number, q: Float64Array): void {
  blend(neighbours(ix, e, Math.min(k, 256), scratch), ix.Y, ix.M, kappa, q);
}
