/**
 * Training: per-model quality (regularised logistic regression on hashed n-grams and dense
 * prompt signals, the "logistic router" of the routing literature, with each model's L2 strength
 * picked by cross-validated log-loss; with three or more models fitted jointly as related tasks,
 * multitask.ts) and per-model relative cost (ridge). The same k folds give
 * the out-of-fold predictions the report and the tradeoff calibration are computed from, so every
 * figure `mmr learn` prints is measured on prompts the predicting model did not see.
 */
import { buildVocab, encode, fitLinear, scores, sigmoid, type LinearModel, type Row } from './linear.js';
import { folds as makeFolds, type Dataset } from './dataset.js';
import { DENSE_BASE } from './features.js';
import { fitShared, type Sharing } from './multitask.js';

/**
 * With three or more models, quality is fitted as related tasks (multitask.ts), each model's
 * difference from the shared weights penalised 3× harder than the shared part: chosen on dev
 * splits of ZeroEval's 14 models (the routing area up on all six: +0.002 to +0.006). With two
 * models the shared part is only their sum and the shrunk difference is the routing signal itself
 * (GSM8K and MMLU dev APGR went down on four or five of five splits), so two are fitted apart.
 */
const SHARING: Sharing = { shared: 1, differences: 3 };
const sharingFor = (M: number): Sharing | undefined => (M >= 3 ? SHARING : undefined);

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

/** Fit both models on the prompts `idx`; `lambda` per model (or one path of them, warm-started). */
function fitOn(ds: Dataset, idx: readonly number[], minDf: number, lambdas: number[][]): { vocab: Map<number, number>; rows: Row[]; quality: LinearModel[]; cost: LinearModel; meanCostUsd: Float64Array } {
  const M = ds.models.length;
  const vocab = buildVocab(idx.map((i) => ds.xs[i]), minDf);
  const rows = idx.map((i) => encode(ds.xs[i], vocab));
  const Yq = subset(ds, ds.quality, idx);
  const quality: LinearModel[] = [];
  let warm: LinearModel | undefined;
  // Strongest first; each later strength starts from the previous solution and needs fewer steps.
  const share = sharingFor(M);
  for (const lam of lambdas) quality.push((warm = share ? fitShared(rows, Yq, M, vocab.size, 'logistic', lam, share, warm, warm ? 20 : 40) : fitLinear(rows, Yq, M, vocab.size, 'logistic', lam, warm, warm ? 20 : 40)));
  const meanCostUsd = columnMeans(ds, ds.costUsd, idx);
  const Yc = subset(ds, ds.costUsd, idx, meanCostUsd);
  // Constant cost per model (a price per call, or none known): nothing to learn about cost.
  const varies = Yc.some((v) => !Number.isNaN(v) && Math.abs(v - 1) > 1e-6);
  // Cost depends on the prompt's shape (length, code, category), not on its words: the cost model
  // sees only the dense signals, which keeps a decision's work to the quality weights.
  const dense = [...vocab.keys()].findIndex((id) => id >= DENSE_BASE);
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
  const lambdas = opts.lambdas ?? DEFAULT_LAMBDAS;
  const minDf = opts.minDf ?? 2;
  const k = Math.max(2, Math.min(opts.folds ?? 4, n));
  const fold = makeFolds(n, k, opts.seed ?? 1);
  const oofByLambda = lambdas.map(() => new Float64Array(n * M));
  const oofCostUsd = new Float64Array(n * M);
  const q = new Float64Array(M);
  const c = new Float64Array(M);
  for (let f = 0; f < k; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? testIdx : trainIdx).push(i);
    if (!testIdx.length || !trainIdx.length) continue;
    const fit = fitOn(ds, trainIdx, minDf, lambdas.map((l) => new Array(M).fill(l)));
    for (const i of testIdx) {
      const r = encode(ds.xs[i], fit.vocab);
      fit.quality.forEach((qm, li) => {
        predictRow(qm, fit.cost, fit.meanCostUsd, r, q, c);
        oofByLambda[li].set(q, i * M);
      });
      oofCostUsd.set(c, i * M);
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
  // One strength for all by the caller's score, else per model the lowest out-of-fold log-loss.
  const chosen = new Array<number>(M).fill(0);
  let averaged = false;
  if (opts.select) {
    const score = oofByLambda.map((oq) => opts.select!(oq, oofCostUsd));
    chosen.fill(score.indexOf(Math.max(...score)));
    averaged = lambdas.length > 1 && opts.select(pathMean, oofCostUsd) > Math.max(...score);
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
  const oofQuality = averaged ? pathMean : new Float64Array(n * M);
  if (!averaged) for (let i = 0; i < n; i++) for (let m = 0; m < M; m++) oofQuality[i * M + m] = oofByLambda[chosen[m]][i * M + m];
  const lambda = chosen.map((li) => lambdas[li]);
  const all = Array.from({ length: n }, (_, i) => i);
  const fit = fitOn(ds, all, minDf, averaged ? lambdas.map((l) => new Array(M).fill(l)) : [lambda]);
  const quality = fit.quality[0];
  if (averaged) {
    const W = new Float64Array(quality.W.length);
    for (const qm of fit.quality) for (let j = 0; j < W.length; j++) W[j] += qm.W[j] / fit.quality.length;
    quality.W = W;
  }
  const ids = Int32Array.from([...fit.vocab.keys()]);
  return { predictor: { ids, quality, cost: fit.cost, meanCostUsd: fit.meanCostUsd }, oofQuality, oofCostUsd, lambda: averaged ? [...lambdas] : lambda, folds: k, averaged };
}
