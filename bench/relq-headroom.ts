// Fifth pass (decision side) diagnostic: how much area the 11 tradeoff points leave on the table. For each
// ZeroEval dev split, the shipped router routed on the held-out fold at T = 0, 0.1, …, 1, at T in steps of
// 0.01, and straight at a fixed grid of λ (no table), with the area of each over the zero-router. Experiment code.
import { buildDataset, type Outcome } from '../src/learn/dataset.js';
import { fitRouter } from '../src/learn/fit.js';
import { decide, predictPrompt } from '../src/learn/policy.js';
import { curveFigures, upperHull } from '../src/learn/curve.js';
import { lambdaGrid, pick } from '../src/learn/tradeoff.js';
import { bucket, zeroeval } from '../bench/realdata.js';
const all = await zeroeval();
for (const d of [7, 3, 13]) {
  const T11 = Array.from({ length: 11 }, (_, i) => i / 10), T101 = Array.from({ length: 101 }, (_, i) => i / 100);
  const sums: Record<string, { q: number; c: number }[]> = { t11: T11.map(() => ({ q: 0, c: 0 })), t101: T101.map(() => ({ q: 0, c: 0 })) };
  let grid: number[] = [];
  let total = 0; let singles: { q: number; c: number }[] = [];
  for (let k = 0; k < 3; k++) {
    const inFold = (r: Outcome) => Math.floor(bucket(r.group) / d) % 3 === k;
    const fitted = fitRouter(all.filter((r) => !inFold(r)), { seed: 1 }, {});
    const ds = buildDataset(all.filter(inFold));
    const M = ds.models.length, n = ds.prompts.length; total += n;
    if (!singles.length) singles = ds.models.map(() => ({ q: 0, c: 0 }));
    for (let i = 0; i < n; i++) for (let m = 0; m < M; m++) (singles[m].q += ds.quality[i * M + m]), (singles[m].c += ds.costUsd[i * M + m]);
    const col = new Map(ds.models.map((m, i) => [m, i]));
    for (const [key, ts] of [['t11', T11], ['t101', T101]] as const) ts.forEach((t, j) => { for (let i = 0; i < n; i++) { const m = col.get(decide(fitted.router, ds.prompts[i], { tradeoff: t })!.model)!; sums[key][j].q += ds.quality[i * M + m]; sums[key][j].c += ds.costUsd[i * M + m]; } });
    // direct λ grid (same for all folds: fixed scale)
    if (!grid.length) { grid = [Infinity]; for (let e = 60; e >= -60; e--) grid.push(10 ** (e / 20) * 300); grid.push(0); sums.grid = grid.map(() => ({ q: 0, c: 0 })); }
    const q = new Float64Array(M), c = new Float64Array(M);
    for (let i = 0; i < n; i++) { predictPrompt(fitted.router, ds.prompts[i], undefined, q, c); grid.forEach((l, j) => { const m = pick(q, c, l); sums.grid[j].q += ds.quality[i * M + m]; sums.grid[j].c += ds.costUsd[i * M + m]; }); }
  }
  const S = singles.map((s) => ({ quality: s.q / total, cost: s.c / total }));
  const out: string[] = [];
  for (const key of ['t11', 't101', 'grid']) { const pts = sums[key].map((p) => ({ quality: p.q / total, cost: p.c / total })); const f = curveFigures(pts, S); out.push(`${key} ${(f.auc - f.zeroAuc).toFixed(4)} maxQ ${Math.max(...pts.map((p) => p.quality)).toFixed(4)}`); if (key === 'grid') console.log(upperHull(pts).map((p) => `${(p.cost * 1000).toFixed(3)}:${(p.quality * 100).toFixed(1)}`).join(' ')); }
  console.log(`split ${d}: ${out.join(' | ')}`);
}
