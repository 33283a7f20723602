// The translated path's client side, layer by layer: CPU per streamed answer of one process
// fetching the same answer from bench/serve-upstream.mjs (50 ms to the first token, then 16
// deltas) five ways, each adding one layer of what `mmr serve` runs for a translated request:
//   node:http   a bare keep-alive request, body read with 'data' listeners (a client exchange's floor)
//   transport   the engine's node:http transport (providers/transport.ts), body iterated
//   + sse       the same body through the SSE parser (providers/sse.ts parseSse)
//   adapter     the protocol's adapter (streamHttp: status, limits, JSON events, usage, errors)
//   runModel    the engine for one model (timeouts, retries, timing, cost: core/run-model.ts)
// C concurrent clients per phase, phases interleaved in rounds whose order alternates, all in
// this one process (process.cpuUsage), so the layers are compared under the same load; the
// upstream's own CPU per request in the same phases is read from /proc for scale. What a layer
// adds is its median minus the previous one's. Against bench/serve.mjs: mmr's translated CPU per
// request minus its raw one is about what the layers above node:http add here.
// Run: npx tsx bench/serve-engine.ts [anthropic|openai] [rounds=12] [clients=20] [requestsPerClient=20]
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildRequest, type Prompt } from '../src/core/request.js';
import type { ResolvedModel } from '../src/core/model.js';
import { runModel, type EngineOptions } from '../src/core/run-model.js';
import { anthropicAdapter, anthropicRequest } from '../src/providers/anthropic.js';
import { openaiAdapter, openaiRequest } from '../src/providers/openai-compatible.js';
import type { ProviderSpec } from '../src/providers/provider.js';
import { parseSse } from '../src/providers/sse.js';
import { nodeRequest } from '../src/providers/transport.js';
import { cpuMs } from './serve-load.mjs';

const [protocol = 'anthropic', ...rest] = process.argv.slice(2);
const [ROUNDS = 12, CLIENTS = 20, PER_CLIENT = 20] = rest.map(Number);
if (protocol !== 'anthropic' && protocol !== 'openai') throw new Error(`protocol must be anthropic or openai, not ${protocol}`);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const KEY = 'sk-bench-serve-engine';

const upstream = spawn(process.execPath, [path.join(root, 'bench/serve-upstream.mjs')], { env: { ...process.env, BENCH_KEY: KEY }, stdio: ['ignore', 'pipe', 'inherit'] });
const openaiBase: string = await new Promise((resolve, reject) => {
  createInterface({ input: upstream.stdout! }).once('line', resolve);
  upstream.once('exit', (code) => reject(new Error(`bench/serve-upstream.mjs exited ${code}`)));
});
const spec: ProviderSpec = protocol === 'anthropic'
  ? { id: 'anthropic', protocol: 'anthropic', baseUrl: openaiBase.replace(/\/openai\/v1$/, '/anthropic'), apiKey: KEY, keyEnv: ['ANTHROPIC_API_KEY'], needsKey: true }
  : { id: 'openai', protocol: 'openai', baseUrl: openaiBase, apiKey: KEY, keyEnv: ['OPENAI_API_KEY'], needsKey: true };
const adapter = protocol === 'anthropic' ? anthropicAdapter : openaiAdapter;
const model: ResolvedModel = { id: `${spec.id}:bench-model`, provider: spec, model: protocol === 'anthropic' ? 'claude-haiku-4-5' : 'gpt-4o-mini', options: {} };
const prompt: Prompt = { messages: [{ role: 'user', content: 'Say something short.' }], options: {} };
const request = buildRequest(model, prompt);
const call = protocol === 'anthropic' ? anthropicRequest(spec, request) : openaiRequest(spec, request);
const body = JSON.stringify(call.body);
const engine: EngineOptions = { adapterFor: async () => adapter, prices: async () => null };

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const target = new URL(call.url);
const bare = () =>
  new Promise<number>((resolve, reject) => {
    const headers = { ...call.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent }, (res) => {
      let n = 0;
      res.on('data', (d: Buffer) => (n += d.length)).once('end', () => resolve(n));
    });
    req.once('error', reject);
    req.end(body);
  });
const viaTransport = async (parse: boolean) => {
  const ac = new AbortController();
  const res = await nodeRequest(call.url, { method: 'POST', headers: { ...call.headers, 'content-type': 'application/json' }, body, signal: ac.signal });
  let n = 0;
  if (!res.body) throw new Error(`HTTP ${res.status} without a body`);
  if (parse) for await (const ev of parseSse(res.body, { signal: ac.signal })) n += ev.data.length;
  else for await (const c of res.body) n += c.byteLength;
  return n;
};
const answer = async (events: AsyncIterable<{ type: string; text?: string; error?: { message: string } }>) => {
  let n = 0;
  for await (const ev of events) {
    if (ev.type === 'error') throw new Error(ev.error!.message);
    if (ev.type === 'text-delta') n += ev.text!.length;
  }
  if (n === 0) throw new Error('no text');
  return n;
};
const layers: Record<string, () => Promise<number>> = {
  'node:http': bare,
  transport: () => viaTransport(false),
  '+ sse': () => viaTransport(true),
  adapter: () => answer(adapter.stream(spec, request, { signal: new AbortController().signal })),
  runModel: () => answer(runModel(model, prompt, engine)),
};
const names = Object.keys(layers);
const phase = (one: () => Promise<number>, perClient: number) =>
  Promise.all(Array.from({ length: CLIENTS }, async () => {
    for (let i = 0; i < perClient; i++) await one();
  }));

const own: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const up: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
try {
  for (const n of names) await phase(layers[n], Math.ceil(3000 / CLIENTS));
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of r % 2 ? [...names].reverse() : names) {
      const u0 = cpuMs(upstream.pid!);
      const c0 = process.cpuUsage();
      await phase(layers[n], PER_CLIENT);
      const c = process.cpuUsage(c0);
      own[n].push((c.user + c.system) / 1000 / (CLIENTS * PER_CLIENT));
      up[n].push((cpuMs(upstream.pid!) - u0) / (CLIENTS * PER_CLIENT));
    }
  }
} finally {
  upstream.kill('SIGTERM');
  agent.destroy();
}
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`${protocol} answers, ${CLIENTS} clients × ${PER_CLIENT} requests, ${ROUNDS} interleaved rounds; CPU ms per answer (median of rounds)`);
console.log(`${'layer'.padEnd(11)} ${'own'.padStart(7)} ${'adds'.padStart(7)} ${'upstream'.padStart(9)}`);
let prev: number | null = null;
for (const n of names) {
  const m = median(own[n]);
  console.log(`${n.padEnd(11)} ${m.toFixed(3).padStart(7)} ${(prev === null ? '—' : (m - prev).toFixed(3)).padStart(7)} ${median(up[n]).toFixed(3).padStart(9)}`);
  prev = m;
}
process.exit(0);
