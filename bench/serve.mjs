// mmr serve under load: C concurrent streaming clients (20, then 100) against a 50 ms local
// upstream, four ways in the same run, interleaved: straight to the upstream, through a bare
// node:http pass-through proxy, through `mmr serve` with model mmr/auto (routed to an OpenAI
// model: the raw same-protocol path, logged), and through `mmr serve` to an Anthropic model of
// the same local server (the translated path: OpenAI client, Anthropic upstream). Prints the latency each adds over the direct run at p50 and p99 (target: mmr adds at
// most 2× what the bare proxy adds) and CPU time per request of each process, read from
// /proc/<pid>/stat (target: mmr uses less CPU per request than the upstream server).
// Run: npm run build && node bench/serve.mjs [rounds=3] [requestsPerClient=10]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { bin, pct, root } from './lib.mjs';

const ROUNDS = Number(process.argv[2] ?? 3);
const PER_CLIENT = Number(process.argv[3] ?? 10);
const KEY = 'sk-bench-serve-0123456789';
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);
const children = [];

function start(args, env = process.env, cwd = root) {
  const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve({ child, url: line.replace(/^listening on /, '') }));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

/** CPU ms (user + system) the process has used so far. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

const bodyFor = (model) => JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Say something short.' }] });

function one({ base, body }, agent) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const u = new URL(`${base}/chat/completions`);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => (res.statusCode === 200 && text.includes('[DONE]') ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function phase(target, clients) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const times = [];
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = 0; i < PER_CLIENT; i++) times.push(await one(target, agent));
  }));
  agent.destroy();
  return times;
}

const home = mkdtempSync(path.join(tmpdir(), 'mmr-bench-serve-'));
try {
  const upstream = await start([path.join(root, 'bench/serve-upstream.mjs')], { ...process.env, BENCH_KEY: KEY });
  const proxy = await start([path.join(root, 'bench/serve-proxy.mjs'), upstream.url]);
  writeFileSync(path.join(home, '.routerrc.yaml'), 'default: [openai:gpt-4o-mini]\nretries:\n  maxRetries: 0\n');
  const env = {
    PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), OLLAMA_HOST: '127.0.0.1:9',
    OPENAI_API_KEY: KEY, OPENAI_BASE_URL: upstream.url, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: upstream.url.replace(/\/openai\/v1$/, '/anthropic'),
  };
  const mmr = await start([bin, 'serve', '--port', '0', '-q'], env, home);
  const mmrBase = `${mmr.url}/v1`;
  const auto = bodyFor('mmr/auto');
  const targets = {
    direct: { base: upstream.url, body: bodyFor('gpt-4o-mini') },
    'bare proxy': { base: proxy.url, body: bodyFor('gpt-4o-mini') },
    'mmr serve': { base: mmrBase, body: auto },
    'mmr (xlate)': { base: mmrBase, body: bodyFor('anthropic:claude-haiku-4-5') },
  };
  const procs = { direct: null, 'bare proxy': proxy.child.pid, 'mmr serve': mmr.child.pid, 'mmr (xlate)': mmr.child.pid };

  for (const clients of [20, 100]) {
    const lat = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
    const cpu = Object.fromEntries(Object.keys(targets).map((k) => [k, { own: 0, upstream: 0, n: 0 }]));
    for (const base of Object.values(targets)) await phase(base, clients); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, base] of Object.entries(targets)) {
        const pid = procs[name];
        const u0 = cpuMs(upstream.child.pid);
        const p0 = pid ? cpuMs(pid) : 0;
        const t = await phase(base, clients);
        cpu[name].upstream += cpuMs(upstream.child.pid) - u0;
        cpu[name].own += pid ? cpuMs(pid) - p0 : 0;
        cpu[name].n += t.length;
        lat[name].push(...t);
      }
    }
    const d50 = pct(lat.direct, 50);
    const d99 = pct(lat.direct, 99);
    console.log(`\n${clients} concurrent streaming clients, ${lat.direct.length} streams per target (${ROUNDS} interleaved rounds)`);
    console.log(`${'target'.padEnd(12)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'added p50'.padStart(10)} ${'added p99'.padStart(10)} ${'own CPU ms/req'.padStart(15)} ${'upstream CPU ms/req'.padStart(20)}`);
    const added = {};
    for (const name of Object.keys(targets)) {
      const p50 = pct(lat[name], 50);
      const p99 = pct(lat[name], 99);
      added[name] = { p50: p50 - d50, p99: p99 - d99 };
      const own = name === 'direct' ? '—' : (cpu[name].own / cpu[name].n).toFixed(3);
      console.log(`${name.padEnd(12)} ${p50.toFixed(1).padStart(8)} ${p99.toFixed(1).padStart(8)} ${(name === 'direct' ? '—' : added[name].p50.toFixed(1)).padStart(10)} ${(name === 'direct' ? '—' : added[name].p99.toFixed(1)).padStart(10)} ${own.padStart(15)} ${(cpu[name].upstream / cpu[name].n).toFixed(3).padStart(20)}`);
    }
    const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : 'n/a (bare proxy added nothing measurable)');
    for (const name of ['mmr serve', 'mmr (xlate)']) {
      const mCpu = cpu[name].own / cpu[name].n;
      const uCpu = cpu[name].upstream / cpu[name].n;
      console.log(`${name}: latency added ÷ bare proxy's: p50 ×${ratio(added[name].p50, added['bare proxy'].p50)}, p99 ×${ratio(added[name].p99, added['bare proxy'].p99)} (target ≤ 2); CPU per request ÷ upstream's: ×${(mCpu / uCpu).toFixed(2)} (target < 1)`);
    }
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
}
