/**
 * Evidence → router, in one call: the dataset, cross-validated training, the tradeoff table
 * calibrated on out-of-fold routing, and the recommended tradeoff. `mmr learn` and the quality
 * benchmarks in bench/ both go through here, so the figures measure exactly what ships.
 */
import { buildDataset, type Dataset, type Outcome } from './dataset.js';
import type { LearnedRouter } from './policy.js';
import { routerFrom } from './router-file.js';
import { train, type TrainOptions, type Trained } from './train.js';
import { calibrate, lambdaFor, realise, type Realised } from './tradeoff.js';
import { curveFigures } from './curve.js';

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

export function fitRouter(outcomes: readonly Outcome[], opts: TrainOptions = {}): Fitted {
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
  // With partial evidence (votes), calibrate on whatever rows exist, scoring unknowns by prediction.
  const rows = complete.length ? complete : ds.prompts.map((_, i) => i);
  const tq = complete.length ? ds.quality : ds.quality.map((v, k) => (Number.isNaN(v) ? trained.oofQuality[k] : v));
  const tc = ds.costUsd.map((v, k) => (Number.isNaN(v) ? trained.oofCostUsd[k] : v));
  const { table } = calibrate(trained.oofQuality, trained.oofCostUsd, tq, tc, M, rows);
  const oofCurve = Array.from({ length: 11 }, (_, s) => {
    const t = s / 10;
    return { tradeoff: t, ...realise(trained.oofQuality, trained.oofCostUsd, tq, tc, M, lambdaFor(t, table), rows) };
  });
  const router = routerFrom(ds.models, trained.predictor, table, recommendTradeoff(oofCurve));
  return { ds, trained, router, complete, oofCurve };
}
