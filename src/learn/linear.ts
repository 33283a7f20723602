/**
 * One linear model per LLM over shared prompt features, fitted jointly: regularised logistic
 * regression on quality (soft targets in [0, 1], so judge scores / 10 work as well as pass/fail)
 * and ridge regression on relative cost. Missing outcomes (a model not run on a prompt) are simply
 * left out of that model's loss. Weights are stored model-major (`W[m * (F + 1) + col]`, the
 * intercept last), so each model's score is one tight loop over the prompt's features.
 */
import { lbfgs } from './lbfgs.js';
import type { SparseVec } from './features.js';

/** A prompt's features mapped to dense column numbers of the training vocabulary. */
export interface Row {
  cols: Int32Array;
  vals: Float32Array;
}

/** Hashed feature id → column, for ids seen in at least `minDf` training prompts. */
export function buildVocab(xs: readonly SparseVec[], minDf: number): Map<number, number> {
  const df = new Map<number, number>();
  for (const x of xs) for (const id of x.idx) df.set(id, (df.get(id) ?? 0) + 1);
  const ids = [...df.entries()].filter(([, n]) => n >= minDf).map(([id]) => id).sort((a, b) => a - b);
  return new Map(ids.map((id, col) => [id, col]));
}

export function encode(x: SparseVec, vocab: ReadonlyMap<number, number>): Row {
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < x.idx.length; i++) {
    const c = vocab.get(x.idx[i]);
    if (c !== undefined) cols.push(c), vals.push(x.val[i]);
  }
  return { cols: Int32Array.from(cols), vals: Float32Array.from(vals) };
}

export interface LinearModel {
  /** Columns (features). */
  F: number;
  /** Outputs (LLMs). */
  M: number;
  /** M × (F + 1), model-major; each model's intercept is its last entry. */
  W: Float64Array;
}

export type Loss = 'logistic' | 'squared';

/** Raw scores (logits for logistic) of every output for one row, into `out`. */
export function scores(model: LinearModel, r: Row, out: Float64Array): Float64Array {
  const { M, W, F } = model;
  const { cols, vals } = r;
  const K = cols.length;
  for (let m = 0, base = 0; m < M; m++, base += F + 1) {
    let z = W[base + F];
    for (let k = 0; k < K; k++) z += W[base + cols[k]] * vals[k];
    out[m] = z;
  }
  return out;
}

export const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Observations per output (non-NaN targets). */
export function observed(rows: readonly Row[], Y: Float64Array, M: number): Float64Array {
  const counts = new Float64Array(M);
  for (let i = 0; i < rows.length; i++) for (let m = 0; m < M; m++) if (!Number.isNaN(Y[i * M + m])) counts[m]++;
  return counts;
}

/** The intercept-only optimum: each output's mean (as a logit for logistic loss), zero weights. */
export function interceptStart(rows: readonly Row[], Y: Float64Array, M: number, F: number, loss: Loss, counts: Float64Array): Float64Array {
  const x = new Float64Array((F + 1) * M);
  for (let m = 0; m < M; m++) {
    let s = 0;
    for (let i = 0; i < rows.length; i++) if (!Number.isNaN(Y[i * M + m])) s += Y[i * M + m];
    const mean = counts[m] ? s / counts[m] : 0.5;
    const p = Math.min(0.99, Math.max(0.01, mean));
    x[m * (F + 1) + F] = loss === 'logistic' ? Math.log(p / (1 - p)) : mean;
  }
  return x;
}

/**
 * The unpenalised data loss at weights `w` (each output's loss averaged over its own
 * observations), its gradient written into `g`.
 */
export function dataLoss(rows: readonly Row[], Y: Float64Array, M: number, F: number, loss: Loss, counts: Float64Array): (w: Float64Array, g: Float64Array) => number {
  const model: LinearModel = { F, M, W: new Float64Array(0) };
  const z = new Float64Array(M);
  return (w, g) => {
    model.W = w;
    g.fill(0);
    let f = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      scores(model, r, z);
      for (let m = 0; m < M; m++) {
        const y = Y[i * M + m];
        if (Number.isNaN(y)) {
          z[m] = 0;
          continue;
        }
        let resid: number;
        if (loss === 'logistic') {
          const p = sigmoid(z[m]);
          f += (-(y * Math.log(p + 1e-12) + (1 - y) * Math.log(1 - p + 1e-12))) / counts[m];
          resid = p - y;
        } else {
          resid = z[m] - y;
          f += (0.5 * resid * resid) / counts[m];
        }
        z[m] = resid / counts[m];
      }
      const { cols, vals } = r;
      const K = cols.length;
      for (let m = 0, base = 0; m < M; m++, base += F + 1) {
        const zm = z[m];
        if (zm === 0) continue;
        for (let k = 0; k < K; k++) g[base + cols[k]] += zm * vals[k];
        g[base + F] += zm;
      }
    }
    return f;
  };
}

/**
 * Fit on `rows` with targets `Y` (rows × M, NaN = unobserved). `lambda[m]` is output m's L2
 * strength (intercepts are not penalised). Each output's loss is averaged over its own
 * observations, so a model seen on few prompts is shrunk harder toward its mean.
 */
export function fitLinear(rows: readonly Row[], Y: Float64Array, M: number, F: number, loss: Loss, lambda: readonly number[], warm?: LinearModel, maxIter = 40): LinearModel {
  const counts = observed(rows, Y, M);
  const x = warm ? Float64Array.from(warm.W) : interceptStart(rows, Y, M, F, loss, counts);
  const data = dataLoss(rows, Y, M, F, loss, counts);
  const objective = (w: Float64Array, g: Float64Array) => {
    let f = data(w, g);
    for (let m = 0, base = 0; m < M; m++, base += F + 1) {
      const lam = lambda[m];
      let s = 0;
      for (let c = base; c < base + F; c++) {
        const wv = w[c];
        s += wv * wv;
        g[c] += lam * wv;
      }
      f += 0.5 * lam * s;
    }
    return f;
  };
  lbfgs(objective, x, { maxIter, tol: 1e-6 });
  return { F, M, W: x };
}
