/**
 * Training: per-model quality (regularised logistic regression on hashed n-grams and dense
 * prompt signals, the "logistic router" of the routing literature, with each model's L2 strength
 * picked by cross-validated log-loss) and per-model relative cost (ridge). The same k folds give
 * the out-of-fold predictions the report and the tradeoff calibration are computed from, so every
 * figure `mmr learn` prints is measured on prompts the predicting model did not see.
 */
import { buildVocab, encode, fitLinear, scores, sigmoid, type LinearModel, type Row } from './linear.js';
import { folds as makeFolds, type Dataset } from './dataset.js';
import { DENSE_BASE } from './features.js';
import { blend, buildIndex, EMBED_DIMS, embed, neighbours, parts, type KnnIndex } from './knn.js';

const KNN_K = Number(process.env.MMR_KNN_K ?? 0);
const KNN_BY = process.env.MMR_KNN_BY ?? 'brier';
const KNN_GAMMA = Number(process.env.MMR_KNN_GAMMA ?? 1);
const KNN_KAPPAS = (process.env.MMR_KNN_KAPPAS ?? '10,3').split(',').map(Number);

export interface TrainOptions {
  /** Shuffles the folds; the same seed and evidence give the same router. */
  seed?: number;
  /** Cross-validation folds (default 4; fewer when there are few prompts). */
  folds?: number;
  /** L2 strengths tried, strongest first. */
  lambdas?: number[];
  /** A hashed feature is kept when at least this many training prompts have it. */
  minDf?: number;
  /**
   * Scores out-of-fold predictions (higher is better) to pick one L2 strength for all models, e.g.
   * the routing curve's area; without it each model takes the strength with the best log-loss.
   */
  select?: (oofQuality: Float64Array, oofCostUsd: Float64Array) => number;
}

export const DEFAULT_LAMBDAS = [3e-2, 1e-2, 3e-3, 1e-3];
const COST_LAMBDA = 1e-3;

/** What predicts quality and cost for a prompt: the part of a router file that is numbers. */
export interface Predictor {
  /** Hashed feature ids kept, ascending; column c of the weights is ids[c]. */
  ids: Int32Array;
  quality: LinearModel;
  /** Predicts cost / meanCostUsd[m]. */
  cost: LinearModel;
  /** USD per answer over the training prompts; NaN when no cost is known. */
  meanCostUsd: Float64Array;
  knn?: { index: KnnIndex; k: number; kappa: number };
}

export interface Trained {
  predictor: Predictor;
  /** Out-of-fold predictions, prompts × models. */
  oofQuality: Float64Array;
  oofCostUsd: Float64Array;
  /** True when the weights are the mean over the whole regularisation path (it routed better out of fold). */
  averaged: boolean;
  /** L2 strength chosen per model (all of them when averaged). */
  lambda: number[];
  folds: number;
}

function columnMeans(ds: Dataset, which: Float64Array, idx: readonly number[]): Float64Array {
  const M = ds.models.length;
  const out = new Float64Array(M);
  for (let m = 0; m < M; m++) {
    let s = 0, n = 0;
    for (const i of idx) if (!Number.isNaN(which[i * M + m])) (s += which[i * M + m]), n++;
    out[m] = n ? s / n : NaN;
  }
  return out;
}

function subset(ds: Dataset, which: Float64Array, idx: readonly number[], scale?: Float64Array): Float64Array {
  const M = ds.models.length;
  const out = new Float64Array(idx.length * M);
  idx.forEach((i, r) => {
    for (let m = 0; m < M; m++) {
      const v = which[i * M + m];
      out[r * M + m] = scale ? (scale[m] > 0 ? v / scale[m] : NaN) : v;
    }
  });
  return out;
}

/** Predicts exactly 1 (relative cost) for every model. */
function constantModel(F: number, M: number): Float64Array {
  const W = new Float64Array((F + 1) * M);
  for (let m = 0; m < M; m++) W[m * (F + 1) + F] = 1;
  return W;
}

const NB_BETA = Number(process.env.MMR_NB_BETA ?? 0);
const NB_ALPHA = Number(process.env.MMR_NB_ALPHA ?? 1);

/**
 * Naive-Bayes log-count ratios as feature scales (NBSVM, Wang & Manning 2012), per model: how much
 * more often a hashed n-gram occurs in prompts the model got right than in ones it got wrong.
 * Dense columns and intercepts keep scale 1. Returns (F + 1) × M, model-major like the weights.
 */
export function nbScale(rows: readonly Row[], Y: Float64Array, M: number, F: number, dense: number, beta: number, alpha: number): Float64Array {
  const S = new Float64Array((F + 1) * M).fill(1);
  const pos = new Float64Array(F);
  const neg = new Float64Array(F);
  for (let m = 0, base = 0; m < M; m++, base += F + 1) {
    pos.fill(alpha, 0, dense);
    neg.fill(alpha, 0, dense);
    rows.forEach((r, i) => {
      const y = Y[i * M + m];
      if (Number.isNaN(y)) return;
      for (let k = 0; k < r.cols.length && r.cols[k] < dense; k++) (pos[r.cols[k]] += y), (neg[r.cols[k]] += 1 - y);
    });
    let sp = 0, sn = 0;
    for (let c = 0; c < dense; c++) (sp += pos[c]), (sn += neg[c]);
    let sq = 0;
    for (let c = 0; c < dense; c++) {
      const r = Math.abs(Math.log(pos[c] / sp) - Math.log(neg[c] / sn));
      S[base + c] = r;
      sq += r * r;
    }
    const rms = Math.sqrt(sq / Math.max(1, dense)) || 1;
    for (let c = 0; c < dense; c++) S[base + c] = 1 - beta + (beta * S[base + c]) / rms;
  }
  return S;
}

const AGREE_W = Number(process.env.MMR_AGREE_W ?? 1);
/** Per row: AGREE_W when every observed model has the same quality (nothing to route on), else 1. */
function agreeWeights(Y: Float64Array, M: number): Float64Array | undefined {
  if (AGREE_W === 1) return undefined;
  const n = Y.length / M;
  const w = new Float64Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    let lo = Infinity, hi = -Infinity, seen = 0;
    for (let m = 0; m < M; m++) {
      const y = Y[i * M + m];
      if (Number.isNaN(y)) continue;
      seen++;
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
    if (seen > 1 && hi - lo < 1e-9) w[i] = AGREE_W;
  }
  return w;
}

/** Fit both models on the prompts `idx`; `lambda` per model (or one path of them, warm-started). */
function fitOn(ds: Dataset, idx: readonly number[], minDf: number, lambdas: number[][]): { vocab: Map<number, number>; rows: Row[]; quality: LinearModel[]; cost: LinearModel; meanCostUsd: Float64Array } {
  const M = ds.models.length;
  const vocab = buildVocab(idx.map((i) => ds.xs[i]), minDf);
  const rows = idx.map((i) => encode(ds.xs[i], vocab));
  const Yq = subset(ds, ds.quality, idx);
  const TH = Number(process.env.MMR_GRADED_THRESH ?? NaN);
  if (!Number.isNaN(TH)) for (let j = 0; j < Yq.length; j++) if (!Number.isNaN(Yq[j])) Yq[j] = Yq[j] >= TH - 1e-9 ? 1 : 0;
  const quality: LinearModel[] = [];
  const dense = [...vocab.keys()].findIndex((id) => id >= DENSE_BASE);
  const scale = NB_BETA > 0 ? nbScale(rows, Yq, M, vocab.size, dense < 0 ? vocab.size : dense, NB_BETA, NB_ALPHA) : undefined;
  let warm: LinearModel | undefined;
  // Strongest first; each later strength starts from the previous solution and needs fewer steps.
  for (const lam of lambdas) quality.push((warm = fitLinear(rows, Yq, M, vocab.size, 'logistic', lam, warm, warm ? 20 : 40, { scale, weight: agreeWeights(Yq, M) })));
  const meanCostUsd = columnMeans(ds, ds.costUsd, idx);
  const Yc = subset(ds, ds.costUsd, idx, meanCostUsd);
  // Constant cost per model (a price per call, or none known): nothing to learn about cost.
  const varies = Yc.some((v) => !Number.isNaN(v) && Math.abs(v - 1) > 1e-6);
  // Cost depends on the prompt's shape (length, code, category), not on its words: the cost model
  // sees only the dense signals, which keeps a decision's work to the quality weights.
  const denseRows = rows.map((r) => {
    let k = 0;
    while (k < r.cols.length && r.cols[k] < dense) k++;
    return { cols: r.cols.subarray(k), vals: r.vals.subarray(k) };
  });
  const cost: LinearModel = varies ? fitLinear(denseRows, Yc, M, vocab.size, 'squared', new Array(M).fill(COST_LAMBDA), undefined, 30) : { F: vocab.size, M, W: constantModel(vocab.size, M) };
  return { vocab, rows, quality, cost, meanCostUsd };
}

/** Predicted quality (0–1) and cost (USD) of every model for one encoded prompt. */
export function predictRow(quality: LinearModel, cost: LinearModel, meanCostUsd: Float64Array, r: Row, q: Float64Array, c: Float64Array): void {
  scores(quality, r, q);
  scores(cost, r, c);
  for (let m = 0; m < q.length; m++) {
    q[m] = sigmoid(q[m]);
    const mean = meanCostUsd[m];
    // Relative cost is floored: a regression below zero still costs something.
    c[m] = Number.isNaN(mean) ? NaN : mean * Math.max(0.1, c[m]);
  }
}

export function train(ds: Dataset, opts: TrainOptions = {}): Trained {
  const n = ds.prompts.length;
  const M = ds.models.length;
  const lambdas = opts.lambdas ?? (process.env.MMR_LAMBDAS ? process.env.MMR_LAMBDAS.split(',').map(Number) : DEFAULT_LAMBDAS);
  const minDf = opts.minDf ?? 2;
  const k = Math.max(2, Math.min(opts.folds ?? 4, n));
  const fold = makeFolds(n, k, opts.seed ?? 1);
  const oofByLambda = lambdas.map(() => new Float64Array(n * M));
  const oofCostUsd = new Float64Array(n * M);
  const q = new Float64Array(M);
  const c = new Float64Array(M);
  // Each prompt's nearest training-fold prompts, for the neighbour blends tried below.
  const knnK = KNN_K > 0 && n >= 20 ? KNN_K : 0;
  const nbIdx = new Int32Array(n * knnK);
  const nbSim = new Float64Array(n * knnK);
  const nbCount = new Int32Array(n);
  const e = new Float32Array(EMBED_DIMS);
  for (let f = 0; f < k; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? testIdx : trainIdx).push(i);
    if (!testIdx.length || !trainIdx.length) continue;
    const fit = fitOn(ds, trainIdx, minDf, lambdas.map((l) => new Array(M).fill(l)));
    const index = knnK ? buildIndex(trainIdx.map((i) => ds.xs[i]), subset(ds, ds.quality, trainIdx), M, DENSE_BASE, KNN_GAMMA) : null;
    for (const i of testIdx) {
      const r = encode(ds.xs[i], fit.vocab);
      fit.quality.forEach((qm, li) => {
        predictRow(qm, fit.cost, fit.meanCostUsd, r, q, c);
        oofByLambda[li].set(q, i * M);
      });
      oofCostUsd.set(c, i * M);
      if (index) {
        const p = parts(ds.xs[i], DENSE_BASE);
        embed(ds.xs[i].idx, ds.xs[i].val, p.n, p.dense, index, e);
        const nb = neighbours(index, e, knnK);
        // Neighbours as rows of the whole dataset.
        for (let t = 0; t < nb.count; t++) (nbIdx[i * knnK + t] = trainIdx[nb.idx[t]]), (nbSim[i * knnK + t] = nb.sim[t]);
        nbCount[i] = nb.count;
      }
    }
  }
  // Candidate "all of them": the mean logit over the regularisation path, a cheap ensemble that
  // is still one linear model (the mean of the path's weights).
  const logit = (p: number) => Math.log(Math.max(1e-9, p) / Math.max(1e-9, 1 - p));
  const pathMean = new Float64Array(n * M);
  for (let j = 0; j < n * M; j++) {
    let z = 0;
    for (const oq of oofByLambda) z += logit(oq[j]);
    pathMean[j] = sigmoid(z / oofByLambda.length);
  }
  /** Out-of-fold predictions blended with the out-of-fold neighbours' outcomes. */
  const blended = (oq: Float64Array, kappa: number): Float64Array => {
    if (kappa === Infinity) return oq;
    const out = Float64Array.from(oq);
    const nb = { idx: new Int32Array(knnK), sim: new Float64Array(knnK), count: 0 };
    for (let i = 0; i < n; i++) {
      nb.idx.set(nbIdx.subarray(i * knnK, (i + 1) * knnK));
      nb.sim.set(nbSim.subarray(i * knnK, (i + 1) * knnK));
      nb.count = nbCount[i];
      blend(nb, ds.quality, M, kappa, out, i * M);
    }
    return out;
  };
  // One strength for all by the caller's score, else per model the lowest out-of-fold log-loss.
  const chosen = new Array<number>(M).fill(0);
  let averaged = false;
  let kappa = Infinity;
  let oofQuality: Float64Array | undefined;
  if (opts.select) {
    let best = -Infinity;
    const fixed = knnK && KNN_BY === 'fixed' ? KNN_KAPPAS[0] : Infinity;
    const cands = [...oofByLambda, ...(lambdas.length > 1 ? [pathMean] : [])].map((oq) => blended(oq, fixed));
    if (fixed !== Infinity) kappa = fixed;
    cands.forEach((oq, li) => {
      const sc = opts.select!(oq, oofCostUsd);
      if (sc > best + 1e-12) {
        best = sc;
        averaged = li === lambdas.length;
        chosen.fill(averaged ? 0 : li);
        oofQuality = oq;
      }
    });
    // The neighbour blend by out-of-fold squared error of the predictions (smoother than the area).
    if (knnK && KNN_BY === 'brier') {
      let bestErr = Infinity;
      const base = oofQuality!;
      for (const kp of [Infinity, ...KNN_KAPPAS]) {
        const b = blended(base, kp);
        let err = 0;
        for (let j = 0; j < n * M; j++) if (!Number.isNaN(ds.quality[j])) err += (b[j] - ds.quality[j]) ** 2;
        if (err < bestErr - 1e-12) (bestErr = err), (kappa = kp), (oofQuality = b);
      }
    } else if (knnK && KNN_BY === 'area') {
      for (const kp of KNN_KAPPAS) {
        const b = blended(oofQuality!, kp);
        const sc = opts.select!(b, oofCostUsd);
        if (sc > best + 1e-12) (best = sc), (kappa = kp), (oofQuality = b);
      }
    }
  }
  for (let m = 0; m < M && !opts.select; m++) {
    let best = Infinity;
    lambdas.forEach((_, li) => {
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const y = ds.quality[i * M + m];
        if (Number.isNaN(y)) continue;
        const p = Math.min(1 - 1e-9, Math.max(1e-9, oofByLambda[li][i * M + m]));
        loss -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
      }
      if (loss < best - 1e-9) (best = loss), (chosen[m] = li);
    });
  }
  if (!oofQuality) {
    oofQuality = new Float64Array(n * M);
    for (let i = 0; i < n; i++) for (let m = 0; m < M; m++) oofQuality[i * M + m] = oofByLambda[chosen[m]][i * M + m];
  }
  const lambda = chosen.map((li) => lambdas[li]);
  if (process.env.MMR_DEBUG) console.error(`kappa ${kappa} averaged ${averaged} lambda ${lambda[0]}`);
  const all = Array.from({ length: n }, (_, i) => i);
  const fit = fitOn(ds, all, minDf, averaged ? lambdas.map((l) => new Array(M).fill(l)) : [lambda]);
  const quality = fit.quality[0];
  if (averaged) {
    const W = new Float64Array(quality.W.length);
    for (const qm of fit.quality) for (let j = 0; j < W.length; j++) W[j] += qm.W[j] / fit.quality.length;
    quality.W = W;
  }
  if (process.env.MMR_SHRINK) {
    // Per model: shrink the logit's deviation from its mean by the out-of-fold calibration slope
    // (the regression of the outcome on the predicted probability), clipped to [0, 1].
    const F = quality.F;
    for (let m = 0; m < M; m++) {
      let sp = 0, sy = 0, cnt = 0, sz = 0;
      for (let i = 0; i < n; i++) {
        const y = ds.quality[i * M + m];
        if (Number.isNaN(y)) continue;
        const p = oofQuality[i * M + m];
        (sp += p), (sy += y), (sz += logit(p)), cnt++;
      }
      if (cnt < 2) continue;
      const mp = sp / cnt, my = sy / cnt, mz = sz / cnt;
      let cov = 0, vp = 0;
      for (let i = 0; i < n; i++) {
        const y = ds.quality[i * M + m];
        if (Number.isNaN(y)) continue;
        const p = oofQuality[i * M + m];
        (cov += (p - mp) * (y - my)), (vp += (p - mp) ** 2);
      }
      const a = vp > 1e-12 ? Math.min(1, Math.max(0, cov / vp)) : 1;
      if (process.env.MMR_DEBUG) console.error(`model ${m} slope ${a.toFixed(3)}`);
      for (let i = 0; i < n; i++) {
        const j = i * M + m;
        oofQuality[j] = sigmoid(mz + a * (logit(oofQuality[j]) - mz));
      }
      const base = m * (F + 1);
      for (let c = 0; c < F; c++) quality.W[base + c] *= a;
      quality.W[base + F] = a * quality.W[base + F] + (1 - a) * mz;
    }
  }
  const ids = Int32Array.from([...fit.vocab.keys()]);
  const knn = kappa !== Infinity ? { index: buildIndex(ds.xs, ds.quality, M, DENSE_BASE, KNN_GAMMA), k: knnK, kappa } : undefined;
  return { predictor: { ids, quality, cost: fit.cost, meanCostUsd: fit.meanCostUsd, knn }, oofQuality, oofCostUsd, lambda: averaged ? [...lambdas] : lambda, folds: k, averaged };
}
