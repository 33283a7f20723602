// A fully cached re-run against `mmr --version` (issue 12), after a build: node bench/cache-rerun.mjs
// CASES (10,000) × 4 models = 40,000 rows are answered once by mmr's local provider server with the
// cache on, then the same command runs again with every answer cached (the server is stopped, so a
// single request would fail the run). Printed: the cold run, the cached re-run and `mmr --version`
// as medians of ROUNDS (5) interleaved runs, the re-run's time over --version (budget 0.5 s), and the
// files and bytes the cache holds (budget 10 files).
// BASELINE=/path/to/other/bin/mmr.js (e.g. a copy of main's bin/ and dist/): that build re-runs the
// same cache in the same rounds, interleaved, its wall and CPU printed beside this one's, and each
// round's rows file is compared byte for byte with the baseline's (a difference fails the script).
// Each round also re-runs the first case alone (the fixed cost: start-up and opening the cache).
// PROF=DIR: one more re-run under node --cpu-prof, its profile written to DIR. KEEP=1 keeps the
// temporary directory (cases, cache, rows) and prints it; DIR=that directory re-runs its cache again
// without the cold run.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, bin, timeRun, median } from './lib.mjs';

const { startMockServer } = await import(path.join(root, 'dist/mock-server/index.js'));
const CASES = Number(process.env.CASES ?? 10000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BASELINE = process.env.BASELINE ? path.resolve(process.env.BASELINE) : null;
const MODELS = ['gpt-4o-mini', 'gpt-4.1-nano', 'gpt-4.1-mini', 'gpt-4o'].map((m) => `openai:${m}`);

const server = await startMockServer({ reply: (req) => ({ text: `The answer is ${req.body.messages.at(-1).content.length % 97}.`, usage: { input: 30, output: 8 } }) });
const reuse = process.env.DIR && existsSync(path.join(process.env.DIR, 'cache'));
const dir = reuse ? path.resolve(process.env.DIR) : mkdtempSync(path.join(tmpdir(), 'mmr-cache-rerun-'));
// The base URL is part of every cache key: a re-run of a kept cache uses the cold run's.
const urlFile = path.join(dir, 'base-url');
if (!reuse) writeFileSync(urlFile, server.baseUrls.openai);
const env = { ...process.env, OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: readFileSync(urlFile, 'utf8'), XDG_CACHE_HOME: path.join(dir, 'cache'), NO_COLOR: '1' };
const file = path.join(dir, 'cases.jsonl');
// The first case alone, re-run from the same cache: what a re-run costs before its rows (start-up, the cache's open).
const oneFile = path.join(dir, 'one.jsonl');
const lines = [];
for (let i = 0; i < CASES; i++) lines.push(JSON.stringify({ id: `c${i}`, prompt: `Question ${i}: ${'x'.repeat(i % 50)} what is the number?`, expect: [{ type: 'number', value: (i % 50 + 35 + String(i).length) % 97 }] }));
writeFileSync(file, `${lines.join('\n')}\n`);
writeFileSync(oneFile, `${lines[0]}\n`);
// The re-run's own CPU time (user + system), reported by a preload as it exits: less noisy than wall time.
const hook = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nCPU '+(u.userCPUTime+u.systemCPUTime)+'\\n')})`;
const args = (rows, cases = file) => ['bench', cases, ...MODELS.flatMap((m) => ['-m', m]), '-j', '64', '--json', '--out', rows];

async function bench(expectCached, { flags = [], using = bin, rows = path.join(dir, 'rows.jsonl'), cases = file } = {}) {
  const r = await timeRun(process.execPath, [...flags, '--import', hook, using, ...args(rows, cases)], { env });
  if (r.code !== 0) throw new Error(`mmr bench exited ${r.code}: ${r.err.slice(0, 400)}`);
  const doc = JSON.parse(r.out);
  const n = doc.models.reduce((a, m) => a + m.n, 0);
  const cached = doc.models.reduce((a, m) => a + (m.cached ?? 0), 0);
  if (expectCached && cached !== n) throw new Error(`re-run: ${cached} of ${n} rows cached`);
  return { ms: r.ms, rows: n, cpuMs: Number(/CPU (\d+)/.exec(r.err)?.[1] ?? 0) / 1000, summary: doc.models };
}

const cold = reuse ? null : await bench(false);
await server.close();
const version = [];
const rerun = { wall: [], cpu: [] };
const base = { wall: [], cpu: [] };
const one = { this: [], base: [] };
const oneRows = path.join(dir, 'rows-one.jsonl');
const mine = path.join(dir, 'rows.jsonl');
const theirs = path.join(dir, 'rows-baseline.jsonl');
// Only the summary's numbers that do not depend on timing are compared (wallMs differs run to run).
const stable = (models) => JSON.stringify(models);
await bench(true);
if (BASELINE) await bench(true, { using: BASELINE, rows: theirs });
let differ = 0;
for (let i = 0; i < ROUNDS; i++) {
  version.push((await timeRun(process.execPath, [bin, '--version'], { env })).ms);
  // Alternate which build goes first, so neither always runs on a cache the other just warmed.
  const order = BASELINE && i % 2 ? ['base', 'this'] : ['this', 'base'];
  const got = {};
  for (const who of order) {
    if (who === 'this') {
      got.this = await bench(true);
      rerun.wall.push(got.this.ms);
      rerun.cpu.push(got.this.cpuMs);
      one.this.push((await bench(true, { rows: oneRows, cases: oneFile })).ms);
    } else if (BASELINE) {
      got.base = await bench(true, { using: BASELINE, rows: theirs });
      base.wall.push(got.base.ms);
      base.cpu.push(got.base.cpuMs);
      one.base.push((await bench(true, { using: BASELINE, rows: oneRows, cases: oneFile })).ms);
    }
  }
  if (BASELINE) {
    if (!readFileSync(mine).equals(readFileSync(theirs))) differ++;
    if (stable(got.this.summary) !== stable(got.base.summary)) differ++;
  }
}
if (process.env.PROF) await bench(true, { flags: ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] });
// Counted after the re-runs: the first one writes the segment's index file beside it.
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else files.push(statSync(p).size);
  }
};
walk(path.join(dir, 'cache'));
const s = (ms) => `${(ms / 1000).toFixed(3)} s`;
const over = median(rerun.wall) - median(version);
if (cold) console.log(`${cold.rows} rows: cold run with the cache ${s(cold.ms)}`);
console.log(`one case (4 rows) re-run ${s(median(one.this))}${BASELINE ? ` (baseline ${s(median(one.base))})` : ''}: ${s(median(one.this) - median(version))} over --version`);
console.log(`cached re-run ${s(median(rerun.wall))} · mmr --version ${s(median(version))} · over --version ${s(over)} (≤ 0.5) ${over <= 500 ? 'OK' : 'OVER'} · its CPU ${s(median(rerun.cpu))} (${ROUNDS} rounds, medians)`);
if (BASELINE) {
  console.log(`baseline ${BASELINE}: re-run ${s(median(base.wall))}, CPU ${s(median(base.cpu))} · this/baseline wall ×${(median(rerun.wall) / median(base.wall)).toFixed(3)}, CPU ×${(median(rerun.cpu) / median(base.cpu)).toFixed(3)}`);
  console.log(`rows and summary identical to the baseline's: ${differ === 0 ? 'yes' : `NO (${differ} differences)`}`);
}
console.log(`cache: ${files.length} files (≤ 10) ${files.length <= 10 ? 'OK' : 'OVER'}, ${(files.reduce((a, b) => a + b, 0) / 1048576).toFixed(1)} MB`);
if (process.env.KEEP || reuse) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
if (differ) process.exitCode = 1;
