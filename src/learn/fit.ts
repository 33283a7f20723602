/**
 * Evidence → router, in one call: the dataset, cross-validated training, the tradeoff table
 * calibrated on out-of-fold routing, and the recommended tradeoff. `mmr learn` and the quality
 * benchmarks in bench/ both go through here, so the figures measure exactly what ships.
 */
import { buildDataset, type Dataset, type Outcome } from './dataset.js';
import type { LearnedRouter } from './policy.js';
import { routerFrom } from './router-file.js';
import { train, type TrainOptions, type Trained } from './train.js';
import { calibrate, lambdaFor, realise, type CalibrateOptions, type Margin, type Realised } from './tradeoff.js';
import { curveFigures, qualityAt, upperHull } from './curve.js';

export interface Fitted {
  ds: Dataset;
  trained: Trained;
  router: LearnedRouter;
  /** Prompts where every model's quality is known: the ones curves are measured on. */
  complete: number[];
  /** Out-of-fold routing at T = 0, 0.1, …, 1. */
  oofCurve: Array<Realised & { tradeoff: number }>;
}

/** Smallest tradeoff whose out-of-fold quality is within one point of the best on the curve. */
export function recommendTradeoff(curve: ReadonlyArray<Realised & { tradeoff: number }>): number {
  const top = Math.max(...curve.map((p) => p.quality));
  return curve.find((p) => p.quality >= top - 0.01)?.tradeoff ?? 1;
}

/** Out-of-fold area under the routing curve against the single models, on complete prompts. */
function oofArea(ds: Dataset, complete: number[], pq: Float64Array, pc: Float64Array): number {
  const M = ds.models.length;
  const singles = ds.models.map((_, m) => {
    let q = 0, c = 0;
    for (const i of complete) (q += ds.quality[i * M + m]), (c += ds.costUsd[i * M + m] || 0);
    return { quality: q / complete.length, cost: c / complete.length };
  });
  const tc = ds.costUsd.map((v) => (Number.isNaN(v) ? 0 : v));
  const { curve } = calibrate(pq, pc, ds.quality, tc, M, complete);
  return curveFigures(curve, singles).auc;
}

/** Experiment switches of the decision side (fifth pass); the defaults are today's behaviour. */
export interface DecisionOptions {
  /** T = 1 → the λ with the best out-of-fold quality. */
  top?: boolean;
  spread?: 'sq' | 'dp';
  /** Backward elimination of models by out-of-fold area. */
  prune?: boolean;
  /** Only models within this much quality of the out-of-fold hull of single models are eligible. */
  hullTol?: number;
  /** Exponent of the T spacing (default 2). */
  pow?: number;
  /** Route on each model's mean cost, not the per-prompt prediction. */
  flatCost?: boolean;
  /** Shrink factors tried (chosen by out-of-fold area); [1] = none. */
  shrink?: number[];
  /** Default-model bonuses tried (chosen by out-of-fold area); [0] = none. */
  margin?: number[];
  /** Per-model Platt recalibration fitted on the out-of-fold predictions. */
  platt?: boolean;
}

export function decisionOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DecisionOptions {
  return {
    top: env.MMR_RELQ_TOP === '1',
    spread: env.MMR_RELQ_SPREAD === 'dp' ? 'dp' : 'sq',
    prune: env.MMR_RELQ_PRUNE === '1',
    shrink: env.MMR_RELQ_SHRINK ? env.MMR_RELQ_SHRINK.split(',').map(Number) : undefined,
    margin: env.MMR_RELQ_MARGIN ? env.MMR_RELQ_MARGIN.split(',').map(Number) : undefined,
    platt: env.MMR_RELQ_PLATT === '1',
    hullTol: env.MMR_RELQ_HULL ? Number(env.MMR_RELQ_HULL) : undefined,
    flatCost: env.MMR_RELQ_FLATCOST === '1',
    pow: env.MMR_RELQ_POW ? Number(env.MMR_RELQ_POW) : undefined,
  };
}

/** Per model, logistic regression of the outcome on the out-of-fold logit (Newton, a few steps). */
function plattFit(pq: Float64Array, tq: Float64Array, M: number, rows: readonly number[]): { a: Float64Array; b: Float64Array } {
  const a = new Float64Array(M).fill(1), b = new Float64Array(M);
  for (let m = 0; m < M; m++) {
    let A = 1, B = 0;
    for (let it = 0; it < 25; it++) {
      let gA = 0, gB = 0, hAA = 1e-6, hAB = 0, hBB = 1e-6;
      for (const i of rows) {
        const p0 = Math.min(1 - 1e-9, Math.max(1e-9, pq[i * M + m]));
        const z = Math.log(p0 / (1 - p0));
        const p = 1 / (1 + Math.exp(-(A * z + B)));
        const r = p - tq[i * M + m];
        const w = p * (1 - p);
        gA += r * z; gB += r; hAA += w * z * z; hAB += w * z; hBB += w;
      }
      const det = hAA * hBB - hAB * hAB;
      if (!(det > 0)) break;
      const dA = (hBB * gA - hAB * gB) / det, dB = (hAA * gB - hAB * gA) / det;
      A -= dA; B -= dB;
      if (Math.abs(dA) + Math.abs(dB) < 1e-9) break;
    }
    a[m] = A; b[m] = B;
  }
  return { a, b };
}

function applyPlatt(pq: Float64Array, M: number, pl: { a: Float64Array; b: Float64Array }): Float64Array {
  const out = new Float64Array(pq.length);
  for (let j = 0; j < pq.length; j++) {
    const p = Math.min(1 - 1e-9, Math.max(1e-9, pq[j]));
    out[j] = 1 / (1 + Math.exp(-(pl.a[j % M] * Math.log(p / (1 - p)) + pl.b[j % M])));
  }
  return out;
}

function shrunk(pq: Float64Array, M: number, prior: Float64Array, alpha: number): Float64Array {
  if (alpha === 1) return pq;
  const out = new Float64Array(pq.length);
  for (let j = 0; j < pq.length; j++) out[j] = prior[j % M] + alpha * (pq[j] - prior[j % M]);
  return out;
}

export function fitRouter(outcomes: readonly Outcome[], opts: TrainOptions = {}, decision: DecisionOptions = decisionOptionsFromEnv()): Fitted {
  const ds = buildDataset(outcomes);
  const M = ds.models.length;
  const complete: number[] = [];
  for (let i = 0; i < ds.prompts.length; i++) {
    let ok = true;
    for (let m = 0; m < M && ok; m++) ok = !Number.isNaN(ds.quality[i * M + m]);
    if (ok) complete.push(i);
  }
  // Regularisation is chosen for routing, not for calibration: the strength whose out-of-fold
  // routing curve has the largest area (needs prompts with every model's outcome).
  const select = complete.length >= 20 ? (pq: Float64Array, pc: Float64Array) => oofArea(ds, complete, pq, pc) : undefined;
  const trained = train(ds, { select, ...opts });
  return finishRouter(ds, trained, complete, decision);
}

/** The decision side of a trained router: tradeoff table (and the experiments' pruning / shrinkage). */
export function finishRouter(ds: Dataset, trained: Trained, complete: number[], decision: DecisionOptions = {}): Fitted {
  const M = ds.models.length;
  // With partial evidence (votes), calibrate on whatever rows exist, scoring unknowns by prediction.
  const rows = complete.length ? complete : ds.prompts.map((_, i) => i);
  const tq = complete.length ? ds.quality : ds.quality.map((v, k) => (Number.isNaN(v) ? trained.oofQuality[k] : v));
  const tc = ds.costUsd.map((v, k) => (Number.isNaN(v) ? trained.oofCostUsd[k] : v));
  const singles = ds.models.map((_, m) => {
    let q = 0, c = 0;
    for (const i of rows) (q += tq[i * M + m]), (c += Number.isFinite(tc[i * M + m]) ? tc[i * M + m] : 0);
    return { quality: q / rows.length, cost: c / rows.length };
  });
  const costs = singles.map((s) => s.cost);
  const cheap = singles.reduce((a, b) => (b.cost < a.cost || (b.cost === a.cost && b.quality > a.quality) ? b : a));
  const range = { lo: Math.min(...costs), hi: Math.max(...costs), floor: cheap.quality };
  const prior = Float64Array.from(singles.map((s) => s.quality));
  const priorC = Float64Array.from(singles.map((s) => s.cost));
  let margin: Margin | undefined;
  const copts = (usable?: boolean[]): CalibrateOptions => ({ top: decision.top, spread: decision.spread, pow: decision.pow, range, usable, margin });
  /** Out-of-fold area of the 11-point curve routed with these choices. */
  const area11 = (pq: Float64Array, usable?: boolean[]) => {
    const { table } = calibrate(pq, trained.oofCostUsd, tq, tc, M, rows, copts(usable));
    const pts = Array.from({ length: 11 }, (_, s) => realise(pq, trained.oofCostUsd, tq, tc, M, lambdaFor(s / 10, table), rows, usable, margin));
    return curveFigures(pts, singles).auc;
  };
  if (decision.flatCost) {
    const mc = trained.predictor.meanCostUsd;
    trained = { ...trained, oofCostUsd: trained.oofCostUsd.map((_, j) => mc[j % M]) };
  }
  let alpha = 1;
  let pq = trained.oofQuality;
  let platt: { a: Float64Array; b: Float64Array } | undefined;
  if (decision.platt && complete.length >= 20) {
    platt = plattFit(trained.oofQuality, tq, M, rows);
    pq = applyPlatt(pq, M, platt);
  }
  if (decision.margin && complete.length >= 20) {
    let bestV = -Infinity, bestD = 0;
    for (const delta of decision.margin) {
      margin = { delta, q: prior, c: priorC };
      const v = decision.margin.length > 1 ? area11(pq) : 0;
      if (v > bestV + 1e-12) (bestV = v), (bestD = delta);
    }
    margin = bestD ? { delta: bestD, q: prior, c: priorC } : undefined;
  }
  if (decision.shrink && decision.shrink.length > 1 && complete.length >= 20) {
    let bestA = -Infinity;
    for (const a of decision.shrink) {
      const v = area11(shrunk(platt ? applyPlatt(trained.oofQuality, M, platt) : trained.oofQuality, M, prior, a));
      if (v > bestA + 1e-12) (bestA = v), (alpha = a);
    }
    pq = shrunk(pq, M, prior, alpha);
  } else if (decision.shrink && decision.shrink.length === 1) {
    alpha = decision.shrink[0];
    pq = shrunk(pq, M, prior, alpha);
  }
  let eligible: boolean[] | undefined;
  if (decision.hullTol !== undefined && complete.length >= 20 && M > 2) {
    const hull = upperHull(singles);
    eligible = singles.map((s) => s.quality >= qualityAt(hull, s.cost) - decision.hullTol! - 1e-12);
  }
  if (decision.prune && complete.length >= 20 && M > 2) {
    eligible = new Array(M).fill(true);
    let cur = area11(pq, eligible);
    for (;;) {
      let bestM = -1, bestV = cur;
      for (let m = 0; m < M; m++) {
        if (!eligible[m]) continue;
        eligible[m] = false;
        const v = area11(pq, eligible);
        eligible[m] = true;
        if (v > bestV + 1e-4) (bestV = v), (bestM = m);
      }
      if (bestM < 0 || eligible.filter(Boolean).length <= 2) break;
      eligible[bestM] = false;
      cur = bestV;
    }
  }
  const { table } = calibrate(pq, trained.oofCostUsd, tq, tc, M, rows, copts(eligible));
  const oofCurve = Array.from({ length: 11 }, (_, s) => {
    const t = s / 10;
    return { tradeoff: t, ...realise(pq, trained.oofCostUsd, tq, tc, M, lambdaFor(t, table), rows, eligible, margin) };
  });
  const router = routerFrom(ds.models, trained.predictor, table, recommendTradeoff(oofCurve));
  if (eligible) router.eligible = eligible;
  if (alpha !== 1) router.shrink = { alpha, prior };
  if (platt) router.platt = platt;
  if (margin) router.margin = margin;
  if (decision.flatCost) router.flatCost = true;
  if (process.env.MMR_RELQ_VERBOSE) console.error(`relq: alpha ${alpha}, margin ${margin?.delta ?? 0}, eligible ${eligible ? ds.models.filter((_, m) => eligible![m]).join(' ') : 'all'}`);
  return { ds, trained, router, complete, oofCurve };
}
