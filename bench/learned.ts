// Learned-routing speed: one decision (features + 14 models) for a 2 KB prompt, p50/p99, against
// the 1 ms p99 budget; `mmr route --batch` over 5,000 prompts, wall time with start-up, against
// 1.2 s; `mmr learn` wall time on the ZeroEval rows (14 models); and what loading re2js costs
// `mmr route` when a rule has a regex. Needs the built CLI (npm run build) and ../shared/realdata.
// Run: npx tsx bench/learned.ts
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fitRouter } from '../src/learn/fit.js';
import { decide } from '../src/learn/policy.js';
import { haveRealdata, zeroeval } from './realdata.js';

const BIN = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../bin/mmr.js');
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs: number[]) => pct(xs, 50);

if (!haveRealdata()) {
  console.log('learned: skipped (../shared/realdata not found)');
  process.exit(0);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'mmr-learned-bench-'));
const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), XDG_DATA_HOME: path.join(dir, 'data') };
const all = await zeroeval();
const ids = new Map<string, string>();
const rows = all.map((o) => {
  if (!ids.has(o.prompt)) ids.set(o.prompt, `c${ids.size}`);
  return JSON.stringify({ caseId: ids.get(o.prompt), where: 'z:1', tags: [], prompt: o.prompt, messages: [{ role: 'user', content: o.prompt }], system: null, model: o.model, answer: '', pass: o.quality === 1, checks: [{ type: 'equals', pass: o.quality === 1 }], error: null, latencyMs: null, ttftMs: null, inputTokens: null, outputTokens: null, costUsd: o.costUsd, judgeCostUsd: 0, cached: false, attempts: 1 });
});
writeFileSync(path.join(dir, 'rows.jsonl'), `${rows.join('\n')}\n`);

// 1. One decision, in process.
const { router } = fitRouter(all, { seed: 1 });
// About 2 KB: a review request with a Python snippet (as bench/routing.ts).
let prompt = 'Please review this function and tell me why it is slow on large inputs. I call it from a web handler and the latency grows with the number of orders. ```python\ndef top_customers(orders, n=5):\n    totals = {}\n    for o in orders:\n        totals[o.customer] = totals.get(o.customer, 0) + o.total\n    return sorted(totals.items(), key=lambda kv: -kv[1])[:n]\n```\n';
while (prompt.length < 2048) prompt += 'The orders table has about two million rows and I would like a faster version. ';
prompt = prompt.slice(0, 2048);
for (let i = 0; i < 500; i++) decide(router, prompt, { tradeoff: 0.5 });
const us: number[] = [];
for (let i = 0; i < 5000; i++) {
  const t = process.hrtime.bigint();
  decide(router, prompt, { tradeoff: 0.5 });
  us.push(Number(process.hrtime.bigint() - t) / 1000);
}
const p99 = pct(us, 99);
console.log(`decision (2 KB prompt, ${router.models.length} models, ${router.predictor.ids.length} features): median ${median(us).toFixed(0)} µs, p99 ${p99.toFixed(0)} µs = ${((p99 / 1000) * 100).toFixed(0)}% of the 1 ms budget ${p99 <= 1000 ? 'OK' : 'OVER'}`);

// 2. mmr learn, then route --batch over 5,000 prompts (the ZeroEval prompts, repeated).
const run = (args: string[]) => {
  const t = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { env, cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`mmr ${args.join(' ')} failed: ${r.stderr}`);
  return { ms: performance.now() - t, out: r.stdout };
};
const learn = run(['learn', 'rows.jsonl', '--out', 'router.json']);
if (process.env.SKIP_LEARN_TIMING) console.log('(learn timing as below)');
console.log(`mmr learn: ${all.length} rows (${ids.size} prompts × ${router.models.length} models) in ${(learn.ms / 1000).toFixed(1)} s wall`);
const prompts = [...ids.keys()];
writeFileSync(path.join(dir, 'prompts.jsonl'), `${Array.from({ length: 5000 }, (_, i) => JSON.stringify({ id: i, prompt: prompts[i % prompts.length] })).join('\n')}\n`);
const base: number[] = [];
const batch: number[] = [];
const cpu: number[] = [];
// CPU seconds of the child too (GNU time): on a machine shared with other jobs, wall time mostly
// measures the queue for a core.
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
for (let i = 0; i < Number(process.env.ROUNDS ?? 5); i++) {
  base.push(run(['--version']).ms);
  const r = run(['route', '--batch', 'prompts.jsonl', '--router', 'router.json', '--tradeoff', '0.5']);
  if (r.out.split('\n').filter(Boolean).length !== 5000) throw new Error('route --batch: wrong number of decisions');
  batch.push(r.ms);
  if (TIME) {
    const t = spawnSync(TIME, ['-f', '%U %S', process.execPath, BIN, 'route', '--batch', 'prompts.jsonl', '--router', 'router.json', '--tradeoff', '0.5'], { env, cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });
    const [u, sys] = t.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    cpu.push((u + sys) * 1000);
  }
}
const b = median(batch);
const c = cpu.length ? `, ${median(cpu).toFixed(0)} ms CPU` : '';
console.log(`mmr route --batch, 5,000 prompts: median ${b.toFixed(0)} ms wall${c} (mmr --version: ${median(base).toFixed(0)} ms wall) = ${((b / 1200) * 100).toFixed(0)}% of the 1.2 s budget ${b <= 1200 ? 'OK' : 'OVER'}`);

// 3. re2js is loaded only when a rule has a regex: its cost on `mmr route`.
const cfg = (regex: boolean) => `rules:\n  - name: r\n    when: {${regex ? 'regex: "\\\\bTICKET-\\\\d+"' : 'keywords: [ticket]'}}\n    use: openai:gpt-4o-mini\n`;
const timeRoute = (regex: boolean) => {
  writeFileSync(path.join(dir, '.routerrc.yaml'), cfg(regex));
  return run(['route', 'TICKET-123 is failing']).ms;
};
const [plain, withRe]: number[][] = [[], []];
for (let i = 0; i < Number(process.env.ROUNDS ?? 5) * 2; i++) {
  plain.push(timeRoute(false));
  withRe.push(timeRoute(true));
}
console.log(`mmr route with a keyword rule ${median(plain).toFixed(0)} ms, with a regex rule ${median(withRe).toFixed(0)} ms (re2js load: +${(median(withRe) - median(plain)).toFixed(0)} ms)`);
