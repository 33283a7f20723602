// Fifth pass (decision side) dev harness: each fold of each dev split is fitted once, then every
// decision variant is finished from the same training and routed on the fold's test prompts.
// Dev only (training parts, the same splits as `learned-quality.ts dev *-rep`). Experiment code.
import { buildDataset, type Outcome } from '../src/learn/dataset.js';
import { finishRouter, fitRouter, type DecisionOptions } from '../src/learn/fit.js';
import { decide } from '../src/learn/policy.js';
import { curveFigures, type Point } from '../src/learn/curve.js';
import { bucket, gsm8k, mmlu, mtbench, split, zeroeval } from './realdata.js';

const TS = Array.from({ length: 11 }, (_, i) => i / 10);
const VARIANTS: Record<string, DecisionOptions> = JSON.parse(process.env.RELQ_VARIANTS ?? '{"base":{}}');
const names = Object.keys(VARIANTS);

async function run(set: string, all: Outcome[], offsets: number[]) {
  const rows: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const d of offsets) {
    const acc = names.map(() => ({ pts: TS.map(() => ({ q: 0, c: 0 })), singles: [] as Point[], n: 0 }));
    let singlesAcc: { q: number; c: number }[] | null = null;
    let total = 0;
    for (let k = 0; k < 3; k++) {
      const inFold = (r: Outcome) => Math.floor(bucket(r.group) / d) % 3 === k;
      const test = all.filter(inFold);
      const fitted = fitRouter(all.filter((r) => !inFold(r)), { seed: 1 }, {});
      const ds = buildDataset(test);
      const M = ds.models.length;
      const col = new Map(ds.models.map((m, i) => [m, i]));
      const n = ds.prompts.length;
      total += n;
      if (!singlesAcc) singlesAcc = ds.models.map(() => ({ q: 0, c: 0 }));
      for (let i = 0; i < n; i++) for (let m = 0; m < M; m++) (singlesAcc[m].q += ds.quality[i * M + m]), (singlesAcc[m].c += ds.costUsd[i * M + m]);
      names.forEach((name, v) => {
        const router = finishRouter(fitted.ds, fitted.trained, fitted.complete, VARIANTS[name]).router;
        TS.forEach((t, j) => {
          for (let i = 0; i < n; i++) {
            const m = col.get(decide(router, ds.prompts[i], { tradeoff: t })!.model)!;
            acc[v].pts[j].q += ds.quality[i * M + m];
            acc[v].pts[j].c += ds.costUsd[i * M + m];
          }
        });
      });
    }
    const singles = singlesAcc!.map((s) => ({ quality: s.q / total, cost: s.c / total }));
    names.forEach((name, v) => {
      const pts = acc[v].pts.map((p) => ({ quality: p.q / total, cost: p.c / total }));
      const f = curveFigures(pts, singles);
      rows[name].push(`${(f.auc - f.zeroAuc >= 0 ? '+' : '') + (f.auc - f.zeroAuc).toFixed(4)}/${f.apgr.toFixed(3)}`);
    });
    console.error(`${set} split ${d} done`);
  }
  console.log(`\n## ${set} (area over zero-router / APGR per split)`);
  for (const name of names) {
    const areas = rows[name].map((r) => Number(r.split('/')[0]));
    const apgrs = rows[name].map((r) => Number(r.split('/')[1]));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`${name.padEnd(14)} ${rows[name].join('  ')}   mean ${mean(areas).toFixed(4)}/${mean(apgrs).toFixed(3)}`);
  }
}

const which = process.argv.slice(2);
const five = [7, 3, 13, 17, 23];
if (which.includes('zeroeval')) await run('ZeroEval', await zeroeval(), [7, 3, 13]);
if (which.includes('gsm8k')) await run('GSM8K', split(await gsm8k())[0], five);
if (which.includes('mmlu')) await run('MMLU', split(await mmlu())[0], five);
if (which.includes('mtbench')) await run('MT-Bench', split(await mtbench())[0], five);
