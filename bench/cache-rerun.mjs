// A fully cached re-run against `mmr --version` (issue 12), after a build: node bench/cache-rerun.mjs
// CASES (10,000) × 4 models = 40,000 rows are answered once by mmr's local provider server with the
// cache on, then the same command runs again with every answer cached (the server is stopped, so a
// single request would fail the run). Printed: the cold run, the cached re-run and `mmr --version`
// as medians of ROUNDS (5) interleaved runs, the re-run's time over --version (budget 0.5 s), and the
// files and bytes the cache holds (budget 10 files).
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, bin, timeRun, median } from './lib.mjs';

const { startMockServer } = await import(path.join(root, 'dist/mock-server/index.js'));
const CASES = Number(process.env.CASES ?? 10000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const MODELS = ['gpt-4o-mini', 'gpt-4.1-nano', 'gpt-4.1-mini', 'gpt-4o'].map((m) => `openai:${m}`);

const server = await startMockServer({ reply: (req) => ({ text: `The answer is ${req.body.messages.at(-1).content.length % 97}.`, usage: { input: 30, output: 8 } }) });
const dir = mkdtempSync(path.join(tmpdir(), 'mmr-cache-rerun-'));
const env = { ...process.env, OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: server.baseUrls.openai, XDG_CACHE_HOME: path.join(dir, 'cache'), NO_COLOR: '1' };
const file = path.join(dir, 'cases.jsonl');
const lines = [];
for (let i = 0; i < CASES; i++) lines.push(JSON.stringify({ id: `c${i}`, prompt: `Question ${i}: ${'x'.repeat(i % 50)} what is the number?`, expect: [{ type: 'number', value: (i % 50 + 35 + String(i).length) % 97 }] }));
writeFileSync(file, `${lines.join('\n')}\n`);
// The re-run's own CPU time (user + system), reported by a preload as it exits: less noisy than wall time.
const hook = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nCPU '+(u.userCPUTime+u.systemCPUTime)+'\\n')})`;
const args = ['bench', file, ...MODELS.flatMap((m) => ['-m', m]), '-j', '64', '--json', '--out', path.join(dir, 'rows.jsonl')];

async function bench(expectCached, flags = []) {
  const r = await timeRun(process.execPath, [...flags, '--import', hook, bin, ...args], { env });
  if (r.code !== 0) throw new Error(`mmr bench exited ${r.code}: ${r.err.slice(0, 400)}`);
  const doc = JSON.parse(r.out);
  const rows = doc.models.reduce((a, m) => a + m.n, 0);
  const cached = doc.models.reduce((a, m) => a + (m.cached ?? 0), 0);
  if (expectCached && cached !== rows) throw new Error(`re-run: ${cached} of ${rows} rows cached`);
  return { ms: r.ms, rows, cpuMs: Number(/CPU (\d+)/.exec(r.err)?.[1] ?? 0) / 1000 };
}

const cold = await bench(false);
await server.close();
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else files.push(statSync(p).size);
  }
};
walk(path.join(dir, 'cache'));
const version = [];
const rerun = [];
const cpu = [];
await bench(true);
for (let i = 0; i < ROUNDS; i++) {
  version.push((await timeRun(process.execPath, [bin, '--version'], { env })).ms);
  const r = await bench(true);
  rerun.push(r.ms);
  cpu.push(r.cpuMs);
}
// PROF=DIR: one more re-run under node --cpu-prof, its profile written to DIR.
if (process.env.PROF) await bench(true, ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`]);
const over = median(rerun) - median(version);
console.log(`${cold.rows} rows: cold run with the cache ${(cold.ms / 1000).toFixed(2)} s`);
console.log(`cached re-run ${(median(rerun) / 1000).toFixed(2)} s · mmr --version ${(median(version) / 1000).toFixed(2)} s · over --version ${(over / 1000).toFixed(2)} s (≤ 0.5) ${over <= 500 ? 'OK' : 'OVER'} · its CPU ${(median(cpu) / 1000).toFixed(2)} s`);
console.log(`cache: ${files.length} files (≤ 10) ${files.length <= 10 ? 'OK' : 'OVER'}, ${(files.reduce((a, b) => a + b, 0) / 1048576).toFixed(1)} MB`);
