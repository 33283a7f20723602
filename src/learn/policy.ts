/**
 * The learned routing decision: pure, synchronous, no IO. Features of the prompt → predicted
 * quality and cost of every model the router knows → the usable model with the highest
 * quality − λ(T) · cost. Tens of microseconds for a 2 KB prompt and 14 models (bench/learned.ts).
 */
import type { Classification } from '../core/classify.js';
import type { LearnedCandidate } from '../core/router.js';
import type { Predictor } from './train.js';
import { DENSE_BASE, DENSE_NAMES, scanFeatures, type SparseVec } from './features.js';
import { sigmoid } from './linear.js';
import { lambdaFor, pick, type TradeoffTable } from './tradeoff.js';

/** A router as loaded from its file (router-file.ts), ready to decide. */
export interface LearnedRouter {
  /** Model ids exactly as the evidence named them. */
  models: string[];
  predictor: Predictor;
  table: TradeoffTable;
  /** The tradeoff `mmr learn` recommended (used when neither flag nor config sets one). */
  recommended: number;
  /** Where it was read from, for messages. */
  file?: string;
  /** Built once on load: hashed id → weight column. */
  vocab: Map<number, number>;
}

/** One model as the router saw a prompt (the shape routing decisions carry). */
export type Candidate = LearnedCandidate;

export interface LearnedDecision {
  model: string;
  tradeoff: number;
  /** λ in quality per USD. */
  lambda: number;
  /** Every model the router knows, best utility first. */
  candidates: Candidate[];
  reason: string;
}

export interface DecideOptions {
  /** 0 = cheapest, 1 = best predicted quality; default the router's recommendation. */
  tradeoff?: number;
  /** Why a model cannot be called here, or null when it can. Default: every model is usable. */
  unusable?: (model: string) => string | null;
  /** The prompt's classification when the caller already has it (saves a scan). */
  classification?: Classification;
}

/**
 * Prediction weights laid out feature-major in float32 (`[column][model]`, quality and cost side
 * by side): a prompt's ~500 features then touch ~500 cache lines instead of 500 × 14 scattered
 * doubles. Built once per router, on its first decision.
 */
interface Fast {
  /** (F + 1) × 2M: per feature, M quality weights then M cost weights; the last row is the intercepts. */
  W: Float32Array;
  M: number;
  F: number;
  /** Dense signal j → column, or −1. */
  denseCol: Int32Array;
  /** Columns below this have no cost weights (cost is learned from the dense signals): skip them. */
  costFrom: number;
  /** Open-addressing table (128 KB for 16k features, so it stays in cache): hashed id → column. */
  keys: Int32Array;
  cols: Int32Array;
  mask: number;
}
const slot = (id: number, mask: number) => (Math.imul(id, 0x9e3779b1) >>> 0) & mask;
const fastCache = new WeakMap<Predictor, Fast>();
function allZero(a: Float64Array, from: number, n: number): boolean {
  for (let k = from; k < from + n; k++) if (a[k] !== 0) return false;
  return true;
}
/** dst[to + k·stride] = src[from + k] for k < n: one model's row into the feature-major layout. */
function transpose(src: Float64Array, from: number, dst: Float32Array, to: number, n: number, stride: number): void {
  for (let k = 0; k < n; k++) dst[to + k * stride] = src[from + k];
}
function fastOf(p: Predictor): Fast {
  let f = fastCache.get(p);
  if (!f) {
    const { F, M } = p.quality;
    const M2 = 2 * M;
    const W = new Float32Array((F + 1) * M2);
    const qW = p.quality.W;
    const cW = p.cost.W;
    for (let m = 0; m < M; m++) transpose(qW, m * (F + 1), W, m, F + 1, M2);
    for (let m = 0; m < M; m++) transpose(cW, m * (F + 1), W, M + m, F + 1, M2);
    let size = 1;
    while (size < F * 2) size <<= 1;
    const keys = new Int32Array(size).fill(-1);
    const cols = new Int32Array(size);
    const mask = size - 1;
    p.ids.forEach((id, col) => {
      let i = slot(id, mask);
      while (keys[i] !== -1) i = (i + 1) & mask;
      keys[i] = id;
      cols[i] = col;
    });
    const denseCol = new Int32Array(DENSE_NAMES.length).fill(-1);
    p.ids.forEach((id, col) => {
      if (id >= DENSE_BASE && id - DENSE_BASE < denseCol.length) denseCol[id - DENSE_BASE] = col;
    });
    let costFrom = p.ids.findIndex((id) => id >= DENSE_BASE);
    if (costFrom < 0) costFrom = F;
    // A router whose cost model does use words (another version's) gets the full loop.
    const limit = costFrom;
    for (let m = 0; m < M && costFrom > 0; m++) if (!allZero(cW, m * (F + 1), limit)) costFrom = 0;
    fastCache.set(p, (f = { W, M, F, denseCol, costFrom, keys, cols, mask }));
  }
  return f;
}

/** The column of hashed id `id`, or −1 when the router has no weight for it. */
function columnOf(f: Fast, id: number): number {
  const { keys, mask } = f;
  let i = slot(id, mask);
  while (keys[i] !== -1 && keys[i] !== id) i = (i + 1) & mask;
  return keys[i] === -1 ? -1 : f.cols[i];
}

let accBuf = new Float64Array(64);

/** acc[0, 2M) += column `col`'s weights × v. */
function addColumn(f: Fast, acc: Float64Array, col: number, v: number): void {
  const M2 = 2 * f.M;
  const base = col * M2;
  const n = col < f.costFrom ? f.M : M2;
  const W = f.W;
  for (let j = 0; j < n; j++) acc[j] += W[base + j] * v;
}

/** Scores of every model (logits, relative costs) for one prompt's features, into q and c. */
function finish(router: LearnedRouter, f: Fast, acc: Float64Array, q: Float64Array, c: Float64Array): void {
  const M = f.M;
  const mean = router.predictor.meanCostUsd;
  for (let m = 0; m < M; m++) {
    q[m] = sigmoid(acc[m]);
    c[m] = Number.isNaN(mean[m]) ? NaN : mean[m] * Math.max(0.1, acc[M + m]);
  }
}

function startAcc(f: Fast): Float64Array {
  const M2 = 2 * f.M;
  if (accBuf.length < M2) accBuf = new Float64Array(M2);
  const acc = accBuf;
  const b = f.F * M2;
  for (let j = 0; j < M2; j++) acc[j] = f.W[b + j];
  return acc;
}

/** Predicted quality (0–1) and cost (USD) of every model: what train.ts's predictRow computes, faster. */
export function predictFast(router: LearnedRouter, x: SparseVec, q: Float64Array, c: Float64Array): void {
  const f = fastOf(router.predictor);
  const acc = startAcc(f);
  for (let k = 0; k < x.idx.length; k++) {
    const id = x.idx[k];
    const col = id < DENSE_BASE ? columnOf(f, id) : id - DENSE_BASE < f.denseCol.length ? f.denseCol[id - DENSE_BASE] : -1;
    if (col >= 0) addColumn(f, acc, col, x.val[k]);
  }
  finish(router, f, acc, q, c);
}

/** predictFast straight from the prompt (no vector is built): the decision path. */
export function predictPrompt(router: LearnedRouter, prompt: string, classification: Classification | undefined, q: Float64Array, c: Float64Array): void {
  const f = fastOf(router.predictor);
  const { n, ids, vals, dense } = scanFeatures(prompt, classification, false);
  const acc = startAcc(f);
  for (let k = 0; k < n; k++) {
    const col = columnOf(f, ids[k]);
    if (col >= 0) addColumn(f, acc, col, vals[k]);
  }
  for (let j = 0; j < dense.length; j++) {
    const col = f.denseCol[j];
    // float32, as a SparseVec stores it.
    if (col >= 0) addColumn(f, acc, col, Math.fround(dense[j]));
  }
  finish(router, f, acc, q, c);
}

const round = (x: number) => (Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(4)) : x);
const round4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : x);
const fmtUsd = (c: number | null) => (c === null ? 'cost unknown' : `$${c < 0.001 ? c.toPrecision(2) : c.toFixed(4)}`);

/** Pick a model for `prompt`; null when no model of the router is usable. */
export function decide(router: LearnedRouter, prompt: string, opts: DecideOptions = {}): LearnedDecision | null {
  const t = Math.min(1, Math.max(0, opts.tradeoff ?? router.recommended));
  const lambda = lambdaFor(t, router.table);
  const { models } = router;
  const M = models.length;
  const q = new Float64Array(M);
  const c = new Float64Array(M);
  predictPrompt(router, prompt, opts.classification, q, c);
  const why: Array<string | null> = new Array(M).fill(null);
  const usable: boolean[] = new Array(M).fill(true);
  if (opts.unusable) {
    for (let k = 0; k < M; k++) {
      why[k] = opts.unusable(models[k]);
      usable[k] = why[k] === null;
    }
  }
  const m = pick(q, c, lambda, usable);
  if (m < 0) return null;
  let maxCost = 0;
  for (const x of c) if (Number.isFinite(x) && x > maxCost) maxCost = x;
  const candidates: Candidate[] = new Array(M);
  for (let k = 0; k < M; k++) {
    const cost = Number.isFinite(c[k]) ? c[k] : null;
    const u = lambda === Infinity ? -(cost ?? maxCost) : q[k] - lambda * (cost ?? maxCost);
    // Four significant digits: predictions are not more precise than that, and batch output stays small.
    const cand: Candidate = { model: models[k], quality: round4(q[k]), costUsd: cost === null ? null : round(cost), utility: round4(u), usable: usable[k] };
    if (why[k]) cand.unusable = why[k]!;
    candidates[k] = cand;
  }
  candidates.sort((a, b) => Number(b.usable) - Number(a.usable) || b.utility - a.utility);
  const best = candidates[0];
  const alt = candidates.slice(1).filter((x) => x.usable);
  const better = alt.find((x) => x.quality > best.quality);
  const cheaper = alt.find((x) => (x.costUsd ?? Infinity) < (best.costUsd ?? Infinity));
  let reason = `learned router: ${best.model} predicted ${(best.quality * 100).toFixed(0)}% at ${fmtUsd(best.costUsd)} (tradeoff ${t})`;
  if (better) reason += `; ${better.model} predicts ${(better.quality * 100).toFixed(0)}% but costs ${fmtUsd(better.costUsd)}`;
  else if (cheaper) reason += `; cheaper ${cheaper.model} predicts only ${(cheaper.quality * 100).toFixed(0)}%`;
  const skipped = candidates.filter((x) => !x.usable).length;
  if (skipped) reason += `; ${skipped} model${skipped === 1 ? '' : 's'} not usable here`;
  return { model: models[m], tradeoff: t, lambda, candidates, reason };
}
