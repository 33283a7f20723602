// `mmr bench` at scale against a plain Node client doing the same requests (issue 12), after a
// build: node bench/scale.mjs
// For each size (SIZES, default 50000x1 and 10000x4: cases × models) and concurrency (JS,
// default 32,128,512), against mmr's local provider server answering after LATENCY_MS (50):
//   plain  bench/plain-client.mjs: fetch, body read to the end, nothing else;
//   mmr    mmr bench FILE -m … -j J --no-cache --json --out rows.jsonl (checks graded, rows written).
// The two alternate ROUNDS (1) times. Printed per run: wall time, CPU time (user + system of the
// client process) and its peak RSS, and the ratios mmr / plain: wall (budget ×1.25) and CPU per
// request (budget ×1.3). The server runs in this process, shared by both.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, bin, timeRun, median } from './lib.mjs';

const { startMockServer } = await import(path.join(root, 'dist/mock-server/index.js'));
const SIZES = (process.env.SIZES ?? '50000x1,10000x4').split(',').map((s) => s.split('x').map(Number));
const JS = (process.env.JS ?? '32,128,512').split(',').map(Number);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 50);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const MODELS = ['gpt-4o-mini', 'gpt-4.1-nano', 'gpt-4.1-mini', 'gpt-4o'];

const server = await startMockServer({ reply: (req) => ({ text: `The answer is ${req.body.messages.at(-1).content.length % 97}.`, usage: { input: 30, output: 8 }, headerDelayMs: LATENCY_MS }) });
const dir = mkdtempSync(path.join(tmpdir(), 'mmr-scale-'));
const env = { ...process.env, OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: server.baseUrls.openai, XDG_CACHE_HOME: path.join(dir, 'cache'), NO_COLOR: '1' };
// The client's own CPU and peak RSS, reported by a preload as it exits.
const hook = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nUSAGE '+(u.userCPUTime+u.systemCPUTime)+' '+u.maxRSS+'\\n')})`;
const usage = (err) => {
  const m = /USAGE (\d+) (\d+)/.exec(err);
  return { cpuMs: Number(m?.[1] ?? 0) / 1000, rssMb: Number(m?.[2] ?? 0) / 1024 };
};

function promptFile(n) {
  const f = path.join(dir, `cases-${n}.jsonl`);
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify({ id: `c${i}`, prompt: `Question ${i}: ${'x'.repeat(i % 50)} what is the number?`, expect: [{ type: 'number', value: (i % 50 + 35 + String(i).length) % 97 }] }));
  writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

async function plain(n, k, j) {
  const r = await timeRun(process.execPath, ['--import', hook, path.join(root, 'bench/plain-client.mjs'), server.baseUrls.openai, String(n), MODELS.slice(0, k).join(','), String(j)], { env });
  const out = JSON.parse(r.out);
  if (out.failed) throw new Error(`plain client: ${out.failed} requests failed`);
  return { ms: r.ms, ...usage(r.err) };
}

async function mmr(file, k, j) {
  const out = path.join(dir, 'rows.jsonl');
  const args = ['--import', hook, bin, 'bench', file, ...MODELS.slice(0, k).flatMap((m) => ['-m', `openai:${m}`]), '-j', String(j), '--no-cache', '--json', '--out', out];
  const r = await timeRun(process.execPath, args, { env });
  if (r.code !== 0) throw new Error(`mmr bench exited ${r.code}: ${r.err.slice(0, 400)}`);
  const doc = JSON.parse(r.out);
  const errors = doc.models.reduce((a, m) => a + m.errors, 0);
  if (errors) throw new Error(`mmr bench: ${errors} calls errored`);
  return { ms: r.ms, ...usage(r.err) };
}

const results = [];
for (const [n, k] of SIZES) {
  const file = promptFile(n);
  for (const j of JS) {
    const a = [];
    const b = [];
    for (let i = 0; i < ROUNDS; i++) {
      a.push(await plain(n, k, j));
      b.push(await mmr(file, k, j));
    }
    const med = (xs, key) => median(xs.map((x) => x[key]));
    const reqs = n * k;
    const wall = med(b, 'ms') / med(a, 'ms');
    const cpu = med(b, 'cpuMs') / med(a, 'cpuMs');
    const row = { name: `${n}×${k} -j ${j}`, plainMs: med(a, 'ms'), mmrMs: med(b, 'ms'), wall, cpu, plainCpuPerReqMs: med(a, 'cpuMs') / reqs, mmrCpuPerReqMs: med(b, 'cpuMs') / reqs, plainRssMb: med(a, 'rssMb'), mmrRssMb: med(b, 'rssMb'), ok: wall <= 1.25 && cpu <= 1.3 };
    results.push(row);
    console.log(
      `${row.name.padEnd(18)} plain ${(row.plainMs / 1000).toFixed(1)} s (${row.plainCpuPerReqMs.toFixed(3)} ms CPU/req, ${row.plainRssMb.toFixed(0)} MB) · ` +
        `mmr ${(row.mmrMs / 1000).toFixed(1)} s (${row.mmrCpuPerReqMs.toFixed(3)} ms CPU/req, ${row.mmrRssMb.toFixed(0)} MB) · wall ×${wall.toFixed(2)} (≤1.25) · CPU/req ×${cpu.toFixed(2)} (≤1.3) ${row.ok ? 'OK' : 'OVER'}`,
    );
  }
}
await server.close();
export default results;
