/**
 * What `mmr learn` prints: per-model evidence with 95% intervals, the learned router's
 * out-of-fold quality–cost curve against the best single model, the zero-router and the oracle,
 * APGR / CPT, the recommended tradeoff, and plain warnings when the evidence is thin or the router
 * does not beat simply picking one model. Every router figure is out of fold (train.ts).
 */
import { curveFigures, qualityAt, upperHull, type CurveFigures, type Point } from './curve.js';
import type { Fitted } from './fit.js';
import { neutralizeLine } from '../core/terminal-safe.js';

export interface ModelLine {
  model: string;
  /** Prompts with an outcome for this model. */
  n: number;
  /** Mean quality 0–1 and its 95% Wilson interval. */
  quality: number;
  low: number;
  high: number;
  /** Mean USD per answer; null when no cost is known. */
  costUsd: number | null;
  /** Mean ms per answer; null when unknown. */
  latencyMs: number | null;
}

export interface LearnReport {
  prompts: number;
  /** Prompts where every model has an outcome: the curve is measured on these. */
  complete: number;
  folds: number;
  models: ModelLine[];
  /** Out-of-fold routing at T = 0, 0.1, …, 1 (mean USD per prompt, mean quality). */
  curve: Array<{ tradeoff: number; costUsd: number; quality: number }>;
  best: { model: string; quality: number; costUsd: number } | null;
  oracle: { quality: number; costUsd: number } | null;
  figures: CurveFigures | null;
  recommended: number;
  /** The model to use instead when the router is not worth it; null when it is. */
  useSingle: string | null;
  warnings: string[];
}

/** Fewer complete prompts than this is thin evidence. */
export const THIN_PROMPTS = 50;
/** Fewer outcomes than this for one model is thin evidence about it. */
export const THIN_PER_MODEL = 20;

/**
 * Mean of 0–1 qualities and its 95% Wilson score interval (exact in form for pass/fail, and
 * sensible at 0% and 100%, where a normal interval collapses to a point).
 */
export function wilson(values: readonly number[]): { mean: number; low: number; high: number } {
  const n = values.length;
  const p = values.reduce((a, b) => a + b, 0) / Math.max(1, n);
  if (!n) return { mean: 0, low: 0, high: 1 };
  const z = 1.96;
  const d = 1 + (z * z) / n;
  const center = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { mean: p, low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

export function buildReport(fit: Fitted): LearnReport {
  const { ds, trained, complete } = fit;
  const M = ds.models.length;
  const col = (arr: Float64Array, m: number, rows?: number[]) => (rows ?? ds.prompts.map((_, i) => i)).map((i) => arr[i * M + m]).filter((v) => !Number.isNaN(v));
  const models: ModelLine[] = ds.models.map((model, m) => {
    const q = wilson(col(ds.quality, m));
    const c = col(ds.costUsd, m);
    const l = col(ds.latencyMs, m);
    return {
      model, n: col(ds.quality, m).length, quality: q.mean, low: q.low, high: q.high,
      costUsd: c.length ? c.reduce((a, b) => a + b, 0) / c.length : null,
      latencyMs: l.length ? l.reduce((a, b) => a + b, 0) / l.length : null,
    };
  });
  const warnings: string[] = [];
  const rec = fit.router.recommended;
  const curve = fit.oofCurve.map((p) => ({ tradeoff: p.tradeoff, costUsd: p.cost, quality: p.quality }));
  let best: LearnReport['best'] = null;
  let oracle: LearnReport['oracle'] = null;
  let figures: CurveFigures | null = null;
  let useSingle: string | null = null;
  if (complete.length) {
    const singles: Array<Point & { model: string }> = ds.models.map((model, m) => {
      const q = col(ds.quality, m, complete);
      const c = col(ds.costUsd, m, complete);
      return { model, quality: q.reduce((a, b) => a + b, 0) / q.length, cost: c.length ? c.reduce((a, b) => a + b, 0) / c.length : 0 };
    });
    const b = singles.reduce((x, y) => (y.quality > x.quality || (y.quality === x.quality && y.cost < x.cost) ? y : x));
    best = { model: b.model, quality: b.quality, costUsd: b.cost };
    let oq = 0, oc = 0;
    for (const i of complete) {
      let k = 0;
      for (let m = 1; m < M; m++) {
        const [a, z] = [ds.quality[i * M + m], ds.quality[i * M + k]];
        if (a > z || (a === z && (ds.costUsd[i * M + m] || 0) < (ds.costUsd[i * M + k] || 0))) k = m;
      }
      oq += ds.quality[i * M + k];
      oc += ds.costUsd[i * M + k] || 0;
    }
    oracle = { quality: oq / complete.length, costUsd: oc / complete.length };
    figures = curveFigures(curve.map((p) => ({ cost: p.costUsd, quality: p.quality })), singles);
    // Beating the zero-router means doing better than some mixture of single models at the
    // recommended point's cost; when it does not, the cheapest single model that is as good wins.
    const at = curve.find((p) => p.tradeoff === rec) ?? curve[curve.length - 1];
    const zero = qualityAt(upperHull(singles), at.costUsd);
    if (figures.auc <= figures.zeroAuc + 0.002 || at.quality <= zero + 0.002) {
      const pickSingle = [...singles].sort((x, y) => y.quality - x.quality || x.cost - y.cost)[0];
      useSingle = pickSingle.model;
      warnings.push(`the learned router does not beat the zero-router (single models and their mixtures) out of fold: use ${pickSingle.model} alone (\`default: [${pickSingle.model}]\`), or gather more evidence`);
    }
  } else warnings.push('no prompt has an outcome for every model (vote evidence compares a few at a time), so the curve is estimated from predictions rather than measured');
  if (complete.length < THIN_PROMPTS) warnings.push(`thin evidence: ${complete.length} prompt${complete.length === 1 ? '' : 's'} with every model's outcome (want ${THIN_PROMPTS}+); the figures below are rough`);
  for (const m of models) if (m.n < THIN_PER_MODEL) warnings.push(`thin evidence for ${m.model}: ${m.n} outcome${m.n === 1 ? '' : 's'} (want ${THIN_PER_MODEL}+)`);
  for (const m of models) if (m.costUsd === null) warnings.push(`no cost known for ${m.model}: it is treated as the dearest model`);
  return { prompts: ds.prompts.length, complete: complete.length, folds: trained.folds, models, curve, best, oracle, figures, recommended: rec, useSingle, warnings };
}

const pct = (q: number) => `${(q * 100).toFixed(1)}%`;
const usd = (c: number | null) => (c === null ? '—' : c === 0 ? '$0' : `$${c < 0.01 ? c.toPrecision(2) : c.toFixed(4)}`);

/** The report as a person reads it. */
export function formatReport(report: LearnReport): string {
  // Model names come from evidence files: neutralise them before they reach a terminal.
  const r = { ...report, models: report.models.map((m) => ({ ...m, model: neutralizeLine(m.model) })), warnings: report.warnings.map(neutralizeLine) };
  if (r.best) r.best = { ...r.best, model: neutralizeLine(r.best.model) };
  const w = Math.max(5, ...r.models.map((m) => m.model.length));
  let out = `evidence: ${r.prompts} prompts (${r.complete} with every model's outcome), ${r.models.length} models; ${r.folds}-fold cross-validation\n\n`;
  out += `${'model'.padEnd(w)}  ${'n'.padStart(5)}  quality (95% CI)        cost/answer  latency\n`;
  for (const m of [...r.models].sort((a, b) => b.quality - a.quality)) {
    out += `${m.model.padEnd(w)}  ${String(m.n).padStart(5)}  ${pct(m.quality).padStart(6)} (${pct(m.low)}–${pct(m.high)})`.padEnd(w + 38) + `  ${usd(m.costUsd).padStart(10)}  ${m.latencyMs === null ? '—' : `${(m.latencyMs / 1000).toFixed(1)}s`}\n`;
  }
  out += `\nlearned router, out of fold (prompts it was not trained on):\n`;
  for (const p of r.curve) out += `  tradeoff ${p.tradeoff.toFixed(1)}  quality ${pct(p.quality).padStart(6)}  cost ${usd(p.costUsd).padStart(10)}${p.tradeoff === r.recommended ? '   ← recommended' : ''}\n`;
  if (r.best) out += `  best single model: ${r.best.model} ${pct(r.best.quality)} at ${usd(r.best.costUsd)}\n`;
  if (r.oracle) out += `  oracle (best model per prompt, in hindsight): ${pct(r.oracle.quality)} at ${usd(r.oracle.costUsd)}\n`;
  if (r.figures) {
    const f = r.figures;
    const d = f.auc - f.zeroAuc;
    out += `  area under the quality–cost curve: ${f.auc.toFixed(3)} vs zero-router ${f.zeroAuc.toFixed(3)} (${d >= 0 ? '+' : ''}${d.toFixed(3)})\n`;
    out += `  APGR ${f.apgr.toFixed(3)} · CPT(50%) ${f.cpt50 === null ? 'never' : pct(f.cpt50)} · CPT(80%) ${f.cpt80 === null ? 'never' : pct(f.cpt80)} of the cheapest→best cost range\n`;
  }
  out += `recommended tradeoff: ${r.recommended}${r.useSingle ? ` — but see the warning: ${r.useSingle} alone does as well` : ''}\n`;
  for (const x of r.warnings) out += `warning: ${x}\n`;
  return out;
}
