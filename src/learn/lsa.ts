/**
 * Latent semantic analysis of the training prompts (Deerwester et al., 1990): a truncated SVD of
 * the TF-IDF matrix of their hashed n-grams, by the randomised range finder of Halko, Martinsson
 * and Tropp (2011) with power iterations, seeded so the same rows give the same projection. The
 * result is one matrix, hashed column → k dims (IDF and scale folded in), so a prompt's embedding
 * at decision time is its sparse vector times the projection.
 */
import { rng } from './dataset.js';
import type { Row } from './linear.js';

export interface Lsa {
  /** Dimensions. */
  k: number;
  /** Hashed columns [0, cols) have a projection row. */
  cols: number;
  /** cols × k, row-major: column c's contribution to each dimension (IDF and scale included). */
  P: Float32Array;
}

/** Gaussian numbers from a seeded uniform generator (Box–Muller). */
function gaussian(r: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Orthonormalise the l columns of A (rows × l, row-major) in place, by modified Gram–Schmidt. */
function orthonormalise(A: Float64Array, rows: number, l: number): void {
  for (let j = 0; j < l; j++) {
    for (let p = 0; p < j; p++) {
      let d = 0;
      for (let i = 0; i < rows; i++) d += A[i * l + j] * A[i * l + p];
      for (let i = 0; i < rows; i++) A[i * l + j] -= d * A[i * l + p];
    }
    let s = 0;
    for (let i = 0; i < rows; i++) s += A[i * l + j] ** 2;
    const inv = s > 1e-24 ? 1 / Math.sqrt(s) : 0;
    for (let i = 0; i < rows; i++) A[i * l + j] *= inv;
  }
}

/** Eigenvectors of the symmetric l × l matrix S (cyclic Jacobi), eigenvalues descending: [values, vectors column-major by rank]. */
function eigen(S: Float64Array, l: number): [Float64Array, Float64Array] {
  const A = Float64Array.from(S);
  const V = new Float64Array(l * l);
  for (let i = 0; i < l; i++) V[i * l + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += A[p * l + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = A[p * l + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * l + q] - A[p * l + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = A[k * l + p], akq = A[k * l + q];
          A[k * l + p] = c * akp - s * akq;
          A[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = A[p * l + k], aqk = A[q * l + k];
          A[p * l + k] = c * apk - s * aqk;
          A[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = V[k * l + p], vkq = V[k * l + q];
          V[k * l + p] = c * vkp - s * vkq;
          V[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: l }, (_, i) => i).sort((a, b) => A[b * l + b] - A[a * l + a] || a - b);
  const vals = Float64Array.from(order, (i) => A[i * l + i]);
  const vecs = new Float64Array(l * l);
  order.forEach((src, r) => {
    for (let k = 0; k < l; k++) vecs[r * l + k] = V[k * l + src];
  });
  return [vals, vecs];
}

/**
 * The LSA projection of `rows`' hashed columns [0, cols): top `k` right singular vectors of the
 * TF-IDF matrix (row values × log(n / df)), scaled so the training prompts' embeddings have mean
 * length 1. Deterministic for a given seed.
 */
export function fitLsa(rows: readonly Row[], cols: number, k: number, seed = 1, power = 2): Lsa {
  const n = rows.length;
  const df = new Float64Array(cols);
  for (const r of rows) for (let t = 0; t < r.cols.length; t++) if (r.cols[t] < cols) df[r.cols[t]]++;
  const idf = df.map((d) => (d ? Math.log(n / d) + 1 : 0));
  // X as (col, idf·val) per row, hashed columns only.
  const X = rows.map((r) => {
    let m = 0;
    while (m < r.cols.length && r.cols[m] < cols) m++;
    const c = r.cols.subarray(0, m);
    const v = Float64Array.from(r.vals.subarray(0, m), (x, t) => x * idf[c[t]]);
    return { c, v };
  });
  const l = Math.min(k + 10, n, cols);
  const g = gaussian(rng(seed));
  // Z = Xᵀ-side basis (cols × l), Y = X Z (n × l).
  let Z = Float64Array.from({ length: cols * l }, g);
  const Y = new Float64Array(n * l);
  const mulX = () => {
    Y.fill(0);
    X.forEach(({ c, v }, i) => {
      for (let t = 0; t < c.length; t++) {
        const base = c[t] * l;
        const x = v[t];
        for (let j = 0; j < l; j++) Y[i * l + j] += x * Z[base + j];
      }
    });
    orthonormalise(Y, n, l);
  };
  const mulXt = () => {
    Z = new Float64Array(cols * l);
    X.forEach(({ c, v }, i) => {
      for (let t = 0; t < c.length; t++) {
        const base = c[t] * l;
        const x = v[t];
        for (let j = 0; j < l; j++) Z[base + j] += x * Y[i * l + j];
      }
    });
  };
  mulX();
  for (let p = 0; p < power; p++) {
    mulXt();
    orthonormalise(Z, cols, l);
    mulX();
  }
  // B = Qᵀ X is l × cols; stored transposed as Z (cols × l). Its SVD from the eigenvectors of B Bᵀ.
  mulXt();
  const S = new Float64Array(l * l);
  for (let c = 0; c < cols; c++) {
    const base = c * l;
    for (let a = 0; a < l; a++) {
      const za = Z[base + a];
      if (za === 0) continue;
      for (let b = a; b < l; b++) S[a * l + b] += za * Z[base + b];
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) S[a * l + b] = S[b * l + a];
  const [vals, U] = eigen(S, l);
  const kk = Math.min(k, l);
  // V_j = Bᵀ u_j / σ_j: column c's row of V is Z[c] · u_j / σ_j.
  const P = new Float32Array(cols * k);
  const V = new Float64Array(cols * k);
  for (let j = 0; j < kk; j++) {
    const sigma = Math.sqrt(Math.max(vals[j], 0));
    if (sigma < 1e-12) continue;
    // Sign fixed (largest entry positive) so the projection does not flip between runs of the SVD.
    let big = 0;
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let a = 0; a < l; a++) s += Z[c * l + a] * U[j * l + a];
      V[c * k + j] = s / sigma;
      if (Math.abs(V[c * k + j]) > Math.abs(big)) big = V[c * k + j];
    }
    if (big < 0) for (let c = 0; c < cols; c++) V[c * k + j] = -V[c * k + j];
  }
  // Mean embedding length over the training rows → 1.
  const e = new Float64Array(k);
  let total = 0;
  for (const { c, v } of X) {
    e.fill(0);
    for (let t = 0; t < c.length; t++) for (let j = 0; j < k; j++) e[j] += v[t] * V[c[t] * k + j];
    let s = 0;
    for (let j = 0; j < k; j++) s += e[j] * e[j];
    total += Math.sqrt(s);
  }
  const scale = total > 0 ? n / total : 1;
  for (let c = 0; c < cols; c++) for (let j = 0; j < k; j++) P[c * k + j] = V[c * k + j] * idf[c] * scale;
  return { k, cols, P };
}

/** The embedding (k numbers) of a row's hashed columns, into `out`. */
export function embed(lsa: Lsa, cols: ArrayLike<number>, vals: ArrayLike<number>, n: number, out: Float64Array): Float64Array {
  const { k, P } = lsa;
  out.fill(0, 0, k);
  for (let t = 0; t < n; t++) {
    const c = cols[t];
    if (c >= lsa.cols) continue;
    const base = c * k;
    const x = vals[t];
    for (let j = 0; j < k; j++) out[j] += x * P[base + j];
  }
  return out;
}
