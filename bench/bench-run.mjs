// `mmr bench` at scale against mmr's local provider server (node bench/bench-run.mjs after a build):
//  1. speed: CASES (1,000) × 4 models answering in LATENCY_MS (50) at -j 32, wall time vs the
//     ideal cases × models × latency / concurrency, and peak RSS;
//  2. memory: MEM_CASES (10,000) × 4 models with rows streamed to --out; peak RSS must stay < 200 MB.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, bin, timeRun } from './lib.mjs';

const { startMockServer } = await import(path.join(root, 'dist/mock-server/index.js'));
const CASES = Number(process.env.CASES ?? 1000);
const MEM_CASES = Number(process.env.MEM_CASES ?? 10000);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 50);
const J = Number(process.env.J ?? 32);
const MODELS = ['openai:gpt-4o-mini', 'openai:gpt-4.1-nano', 'openai:gpt-4.1-mini', 'openai:gpt-4o'];

let latency = LATENCY_MS;
const server = await startMockServer({ reply: (req) => ({ text: `The answer is ${req.body.messages.at(-1).content.length % 97}.`, usage: { input: 30, output: 8 }, headerDelayMs: latency }) });
const dir = mkdtempSync(path.join(tmpdir(), 'mmr-bench-run-'));
const env = { ...process.env, OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: server.baseUrls.openai, XDG_CACHE_HOME: path.join(dir, 'cache'), NO_COLOR: '1' };
// Peak RSS of the mmr process itself, reported by a preload as it exits (KB on Linux).
const rssHook = `data:text/javascript,process.on('exit',()=>process.stderr.write('MAXRSS '+process.resourceUsage().maxRSS+'\\n'))`;

function promptFile(n, name) {
  const f = path.join(dir, name);
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify({ id: `c${i}`, prompt: `Question ${i}: ${'x'.repeat(i % 50)} what is the number?`, tags: [`t${i % 5}`], expect: [{ type: 'number', value: (i % 50 + 35 + String(i).length) % 97 }] }));
  writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

async function run(file, n, out, nodeFlags = []) {
  const args = [...nodeFlags, '--import', rssHook, bin, 'bench', file, ...MODELS.flatMap((m) => ['-m', m]), '-j', String(J), '--no-cache', '--json', '--out', out];
  const r = await timeRun(process.execPath, args, { env });
  if (r.code !== 0) throw new Error(`mmr bench exited ${r.code}: ${r.err.slice(0, 500)}`);
  const doc = JSON.parse(r.out);
  const rows = doc.models.reduce((a, m) => a + m.n, 0);
  const maxRssMb = Number(/MAXRSS (\d+)/.exec(r.err)?.[1] ?? 0) / 1024;
  return { ms: r.ms, runMs: doc.wallMs, rows, maxRssMb, outMb: statSync(out).size / 1048576, errors: doc.models.reduce((a, m) => a + m.errors, 0) };
}

const speed = await run(promptFile(CASES, 'speed.jsonl'), CASES, path.join(dir, 'speed-rows.jsonl'));
const ideal = (CASES * MODELS.length * LATENCY_MS) / J;
console.log(`speed: ${CASES} cases × ${MODELS.length} models, ${LATENCY_MS} ms each, -j ${J}`);
console.log(`  ideal ${(ideal / 1000).toFixed(2)} s · run ${(speed.runMs / 1000).toFixed(2)} s (×${(speed.runMs / ideal).toFixed(3)}) · whole process ${(speed.ms / 1000).toFixed(2)} s (×${(speed.ms / ideal).toFixed(3)})`);
console.log(`  rows ${speed.rows} · errors ${speed.errors} · peak RSS ${speed.maxRssMb.toFixed(0)} MB`);

latency = Number(process.env.MEM_LATENCY_MS ?? 5);
const mem = await run(promptFile(MEM_CASES, 'mem.jsonl'), MEM_CASES, path.join(dir, 'mem-rows.jsonl'));
console.log(`memory: ${MEM_CASES} cases × ${MODELS.length} models (${latency} ms each, -j ${J}), rows streamed to --out`);
console.log(`  rows ${mem.rows} · errors ${mem.errors} · ${(mem.ms / 1000).toFixed(1)} s · --out ${mem.outMb.toFixed(1)} MB · peak RSS ${mem.maxRssMb.toFixed(0)} MB (budget 200 MB) ${mem.maxRssMb < 200 ? 'OK' : 'OVER'}`);
// V8 grows the heap lazily; the live set is small (rows are not kept), so a heap cap shows the real need.
const capped = await run(path.join(dir, 'mem.jsonl'), MEM_CASES, path.join(dir, 'mem-rows.jsonl'), ['--max-old-space-size=96']);
console.log(`  same with node --max-old-space-size=96: rows ${capped.rows} · ${(capped.ms / 1000).toFixed(1)} s · peak RSS ${capped.maxRssMb.toFixed(0)} MB ${capped.maxRssMb < 200 ? 'OK' : 'OVER'}`);
await server.close();
