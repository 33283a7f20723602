// Routing quality of `mmr learn` on public per-prompt outcome data, on held-out prompts only:
// RouteLLM GSM8K and MMLU (2 models; train on 60% of prompts, evaluate on the other 40%, split by
// a hash of the prompt text) and ZeroEval crux+math (14 models; 5-fold cross-validation by prompt
// hash, every prompt evaluated once by a router that never saw it), and MT-Bench judged 1–10 (2
// models, graded quality, 5-fold CV; a check of the judge-score path, never tuned on). For each set:
// the router at T = 0, 0.1, …, 1 against the single models, the zero-router and the oracle.
// Run: npx tsx bench/learned-quality.ts [gsm8k|mmlu|mtbench|zeroeval]   (development figures, never the held-out ones:
// npx tsx bench/learned-quality.ts dev [gsm8k|gsm8k-fine|gsm8k-rep|mmlu|mmlu-rep|mtbench-rep|zeroeval|zeroeval-rep|zeroeval-rep2])
import { buildDataset, rng, type Outcome } from '../src/learn/dataset.js';
import { fitRouter } from '../src/learn/fit.js';
import { decide } from '../src/learn/policy.js';
import { curveFigures, type Point } from '../src/learn/curve.js';
import { bucket, gsm8k, haveRealdata, mmlu, mtbench, split, zeroeval } from './realdata.js';

// T = 0, 0.1, …, 1, as the unseen-data check routes; the 2-model sets also get T in steps of 0.01,
// because RouteLLM's APGR is computed over every threshold of the router's score, not 11 of them.
let TS = Array.from({ length: 11 }, (_, i) => i / 10);
const FINE = Array.from({ length: 101 }, (_, i) => i / 100);

interface Eval {
  points: Array<Point & { t: number }>;
  singles: Array<Point & { model: string }>;
  oracle: Point;
  trainMs: number;
  /** Per prompt: the chosen model's [quality, cost] at each T, and every single model's. */
  perPrompt?: { chosen: Float64Array[]; singles: Float64Array[] };
}

/** Route each held-out prompt at every T; score with its known outcomes. */
function evaluate(train: Outcome[], test: Outcome[], seed = 1, ts = TS): Eval {
  const t0 = performance.now();
  const { router } = fitRouter(train, { seed });
  const trainMs = performance.now() - t0;
  const ds = buildDataset(test);
  const M = ds.models.length;
  const col = new Map(ds.models.map((m, i) => [m, i]));
  const n = ds.prompts.length;
  const chosen: Float64Array[] = [];
  const points = ts.map((t) => {
    let q = 0, c = 0;
    const qc = new Float64Array(2 * n);
    ds.prompts.forEach((p, i) => {
      const d = decide(router, p, { tradeoff: t })!;
      const m = col.get(d.model)!;
      q += qc[2 * i] = ds.quality[i * M + m];
      c += qc[2 * i + 1] = ds.costUsd[i * M + m];
    });
    chosen.push(qc);
    return { t, quality: q / n, cost: c / n };
  });
  const perSingle = ds.models.map((_, m) => {
    const qc = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) (qc[2 * i] = ds.quality[i * M + m]), (qc[2 * i + 1] = ds.costUsd[i * M + m]);
    return qc;
  });
  const singles = ds.models.map((model, m) => {
    let q = 0, c = 0;
    ds.prompts.forEach((_, i) => ((q += ds.quality[i * M + m]), (c += ds.costUsd[i * M + m])));
    return { model, quality: q / ds.prompts.length, cost: c / ds.prompts.length };
  });
  let oq = 0, oc = 0;
  ds.prompts.forEach((_, i) => {
    let best = 0;
    for (let m = 1; m < M; m++) {
      const [a, b] = [ds.quality[i * M + m], ds.quality[i * M + best]];
      if (a > b || (a === b && ds.costUsd[i * M + m] < ds.costUsd[i * M + best])) best = m;
    }
    oq += ds.quality[i * M + best];
    oc += ds.costUsd[i * M + best];
  });
  return { points, singles, oracle: { quality: oq / ds.prompts.length, cost: oc / ds.prompts.length }, trainMs, perPrompt: { chosen, singles: perSingle } };
}

/**
 * How much of a held-out figure is which prompts happened to be held out: 95% intervals of APGR and
 * of the area over the zero-router, over 400 bootstrap resamples of the held-out prompts (the
 * router fixed; seeded, so the same every run).
 */
function bootstrap(e: Eval): string {
  const pp = e.perPrompt;
  if (!pp) return '';
  const n = pp.chosen[0].length / 2;
  const r = rng(5);
  const apgr: number[] = [];
  const area: number[] = [];
  const mean = (qc: Float64Array, idx: Int32Array): Point => {
    let q = 0, c = 0;
    for (const i of idx) (q += qc[2 * i]), (c += qc[2 * i + 1]);
    return { quality: q / idx.length, cost: c / idx.length };
  };
  for (let b = 0; b < 400; b++) {
    const idx = Int32Array.from({ length: n }, () => Math.floor(r() * n));
    const f = curveFigures(pp.chosen.map((qc) => mean(qc, idx)), pp.singles.map((qc) => mean(qc, idx)));
    apgr.push(f.apgr);
    area.push(f.auc - f.zeroAuc);
  }
  const ci = (xs: number[], d: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return `[${s[Math.floor(0.025 * s.length)].toFixed(d)}, ${s[Math.floor(0.975 * s.length)].toFixed(d)}]`;
  };
  return `  95% bootstrap interval over the held-out prompts: APGR ${ci(apgr, 3)}, area over the zero-router ${ci(area, 4)}`;
}

/** Pool k folds' evaluations (each held-out prompt counted once). */
function pool(evals: Eval[], sizes: number[], ts = TS): Eval {
  const total = sizes.reduce((a, b) => a + b, 0);
  const avg = <T extends Point>(get: (e: Eval) => T): Point => ({
    quality: evals.reduce((s, e, k) => s + get(e).quality * sizes[k], 0) / total,
    cost: evals.reduce((s, e, k) => s + get(e).cost * sizes[k], 0) / total,
  });
  return {
    points: ts.map((t, j) => ({ t, ...avg((e) => e.points[j]) })),
    singles: evals[0].singles.map((s, j) => ({ model: s.model, ...avg((e) => e.singles[j]) })),
    oracle: avg((e) => e.oracle),
    trainMs: evals.reduce((s, e) => s + e.trainMs, 0) / evals.length,
  };
}

function report(name: string, e: Eval, unit: string, targets: string, fine?: Eval): void {
  const f = curveFigures(e.points, e.singles);
  const ff = fine ? curveFigures(fine.points, fine.singles) : null;
  const best = e.singles.reduce((a, b) => (b.quality > a.quality ? b : a));
  const fmt = (c: number) => (unit === '$' ? `$${(c * 1000).toFixed(3)}/1k` : `${(c * 100).toFixed(0)}% strong`);
  console.log(`\n## ${name}  (train ${e.trainMs.toFixed(0)} ms per fit)`);
  for (const s of [...e.singles].sort((a, b) => a.cost - b.cost)) console.log(`  single ${s.model.padEnd(30)} quality ${(s.quality * 100).toFixed(1).padStart(5)}%  cost ${fmt(s.cost)}`);
  console.log(`  oracle${' '.repeat(31)} quality ${(e.oracle.quality * 100).toFixed(1).padStart(5)}%  cost ${fmt(e.oracle.cost)}`);
  for (const p of e.points) console.log(`  router T=${p.t.toFixed(1)}${' '.repeat(24)} quality ${(p.quality * 100).toFixed(1).padStart(5)}%  cost ${fmt(p.cost)}`);
  const cheapestAtBest = e.points.filter((p) => p.quality >= best.quality - 1e-9).sort((a, b) => a.cost - b.cost)[0];
  console.log(`  AUC router ${f.auc.toFixed(4)} vs zero-router ${f.zeroAuc.toFixed(4)} (${f.auc - f.zeroAuc >= 0 ? '+' : ''}${(f.auc - f.zeroAuc).toFixed(4)})  APGR ${f.apgr.toFixed(3)}  CPT(50%) ${f.cpt50 === null ? 'never' : `${(f.cpt50 * 100).toFixed(1)}%`}  CPT(80%) ${f.cpt80 === null ? 'never' : `${(f.cpt80 * 100).toFixed(1)}%`}`);
  if (e.perPrompt && unit === '%' && !targets.startsWith('dev')) console.log(bootstrap(e));
  if (ff) console.log(`  with T in steps of 0.01 (RouteLLM's method): APGR ${ff.apgr.toFixed(3)}  CPT(50%) ${ff.cpt50 === null ? 'never' : `${(ff.cpt50 * 100).toFixed(1)}%`}  CPT(80%) ${ff.cpt80 === null ? 'never' : `${(ff.cpt80 * 100).toFixed(1)}%`}  AUC ${ff.auc.toFixed(4)}`);
  console.log(`  best single ${best.model} ${(best.quality * 100).toFixed(1)}% at ${fmt(best.cost)}; router matches it at ${cheapestAtBest ? `${fmt(cheapestAtBest.cost)} (${((cheapestAtBest.cost / best.cost) * 100).toFixed(0)}% of its cost)` : 'no T'}`);
  console.log(`  targets: ${targets}`);
}

if (!haveRealdata()) {
  console.log('learned-quality: skipped (../shared/realdata not found)');
  process.exit(0);
}
/** k-fold cross-validation by prompt hash: every prompt routed once by a router that never saw it. */
function crossValidate(all: Outcome[], K: number, offset = 0, ts = TS): Eval {
  const evals: Eval[] = [];
  const sizes: number[] = [];
  for (let k = 0; k < K; k++) {
    // By group (the prompt, or a bench case's turn), so outcomes of one prompt stay together.
    const inFold = (r: Outcome) => (Math.floor(bucket(r.group) / (offset || 1)) % K) === k;
    const test = all.filter(inFold);
    evals.push(evaluate(all.filter((r) => !inFold(r)), test, 1, ts));
    sizes.push(new Set(test.map((r) => r.group)).size);
  }
  return pool(evals, sizes, ts);
}

const only = process.argv[2];
if (only === 'dev') {
  // Development figures: cross-validation inside the training parts only (3 folds, folds unlike the
  // report's), so choices are never made on the held-out prompts the report uses.
  const which = process.argv[3];
  if (!which || which === 'gsm8k') report('dev: GSM8K training part, 3-fold CV', crossValidate(split(await gsm8k())[0], 3, 7), '%', 'dev');
  if (which === 'gsm8k-fine') {
    TS = FINE;
    report('dev: GSM8K training part, 3-fold CV, T step 0.01', crossValidate(split(await gsm8k())[0], 3, 7), '%', 'dev');
  }
  if (!which || which === 'mmlu') report('dev: MMLU training part, 3-fold CV', crossValidate(split(await mmlu())[0], 3, 7), '%', 'dev');
  if (!which || which === 'zeroeval') report('dev: ZeroEval, 3-fold CV', crossValidate(await zeroeval(), 3, 7), '$', 'dev');
  // Three different 3-fold splits of ZeroEval, to tell a change from the noise of one split.
  // The same for the 2-model sets: a change that only moves one split is noise.
  if (which === 'gsm8k-rep') for (const d of [7, 3, 13, 17, 23]) report(`dev: GSM8K training part, 3-fold CV (split ${d})`, crossValidate(split(await gsm8k())[0], 3, d), '%', 'dev');
  if (which === 'mmlu-rep') for (const d of [7, 3, 13, 17, 23]) report(`dev: MMLU training part, 3-fold CV (split ${d})`, crossValidate(split(await mmlu())[0], 3, d), '%', 'dev');
  if (which === 'mtbench-rep') for (const d of [7, 3, 13, 17, 23]) report(`dev: MT-Bench training part, 3-fold CV (split ${d})`, crossValidate(split(await mtbench())[0], 3, d), '%', 'dev');
  if (which === 'zeroeval-rep') for (const d of [7, 3, 13]) report(`dev: ZeroEval, 3-fold CV (split ${d})`, crossValidate(await zeroeval(), 3, d), '$', 'dev');
  // Three more, for a change that needs more than three splits to tell from noise.
  if (which === 'zeroeval-rep2') for (const d of [17, 23, 29]) report(`dev: ZeroEval, 3-fold CV (split ${d})`, crossValidate(await zeroeval(), 3, d), '$', 'dev');
  process.exit(0);
}
if (!only || only === 'gsm8k') {
  const [tr, te] = split(await gsm8k());
  report(`RouteLLM GSM8K, held-out 40% (${new Set(te.map((r) => r.prompt)).size} prompts)`, evaluate(tr, te), '%', 'above the zero-router; APGR ≥ 0.68', evaluate(tr, te, 1, FINE));
}
if (!only || only === 'mmlu') {
  const [tr, te] = split(await mmlu());
  report(`RouteLLM MMLU (6 subjects), held-out 40% (${new Set(te.map((r) => r.prompt)).size} prompts)`, evaluate(tr, te), '%', 'above the zero-router; APGR ≥ 0.58', evaluate(tr, te, 1, FINE));
}
if (!only || only === 'mtbench') {
  // Graded evidence (judge scores / 10): the path judge-scored bench rows take. Never tuned on.
  report('MT-Bench, 160 prompts (80 questions × 2 turns) judged 1–10, 2 models, 5-fold CV', crossValidate(await mtbench(), 5), '%', 'above the zero-router (graded quality)', crossValidate(await mtbench(), 5, 0, FINE));
}
if (!only || only === 'zeroeval') {
  report('ZeroEval crux+math, 14 models, 5-fold CV (each prompt routed by a router that never saw it)', crossValidate(await zeroeval(), 5), '$', "above the zero-router; the best model's quality at ≤ 50% of its cost");
}
