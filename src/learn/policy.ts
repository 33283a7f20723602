/**
 * The learned routing decision: pure, synchronous, no IO. Features of the prompt → predicted
 * quality and cost of every model the router knows → the usable model with the highest
 * quality − λ(T) · cost. Tens of microseconds for a 2 KB prompt and 14 models (bench/learned.ts).
 */
import type { Classification } from '../core/classify.js';
import type { LearnedCandidate } from '../core/router.js';
import { featurize } from './features.js';
import { encode } from './linear.js';
import { predictRow, type Predictor } from './train.js';
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

const fmtUsd = (c: number | null) => (c === null ? 'cost unknown' : `$${c < 0.001 ? c.toPrecision(2) : c.toFixed(4)}`);

/** Pick a model for `prompt`; null when no model of the router is usable. */
export function decide(router: LearnedRouter, prompt: string, opts: DecideOptions = {}): LearnedDecision | null {
  const t = Math.min(1, Math.max(0, opts.tradeoff ?? router.recommended));
  const lambda = lambdaFor(t, router.table);
  const { predictor: p, models } = router;
  const M = models.length;
  const q = new Float64Array(M);
  const c = new Float64Array(M);
  predictRow(p.quality, p.cost, p.meanCostUsd, encode(featurize(prompt, opts.classification), router.vocab), q, c);
  const why = models.map((m) => opts.unusable?.(m) ?? null);
  const usable = why.map((w) => w === null);
  const m = pick(q, c, lambda, usable);
  if (m < 0) return null;
  let maxCost = 0;
  for (const x of c) if (Number.isFinite(x) && x > maxCost) maxCost = x;
  const candidates: Candidate[] = models.map((model, k) => {
    const cost = Number.isFinite(c[k]) ? c[k] : null;
    const u = lambda === Infinity ? -(cost ?? maxCost) : q[k] - lambda * (cost ?? maxCost);
    const cand: Candidate = { model, quality: q[k], costUsd: cost, utility: u, usable: usable[k] };
    if (why[k]) cand.unusable = why[k]!;
    return cand;
  });
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
