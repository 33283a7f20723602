// The pieces bench/serve.mjs and bench/serve-profile.mjs share: the three server processes (the
// 50 ms upstream, the bare proxy, `mmr serve`), CPU time read from /proc, and the load itself:
// C keep-alive clients, each sending its streaming requests one after another.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { bin, root } from './lib.mjs';

export const KEY = 'sk-bench-serve-0123456789';
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

/** Starts a node process that prints its URL as its first stdout line. */
function start(args, env, cwd, children) {
  const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve({ child, url: line.replace(/^listening on /, '') }));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

/**
 * CPU ms (user + system) the process has used so far: the sum over its threads of the kernel's
 * nanosecond run time (/proc/<pid>/task/<tid>/schedstat), so a phase of a few hundred ms is not
 * read at the 10 ms tick of /proc/<pid>/stat (that quantisation alone was ±4% of a phase). A
 * Node process keeps its threads (V8's workers, libuv's pool) for its whole life, so none of the
 * time is lost with a thread that ended. Falls back to the tick count where schedstat is missing.
 */
const SCHEDSTAT = (() => {
  try {
    return readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').length >= 3;
  } catch {
    return false;
  }
})();
export function cpuMs(pid) {
  if (!SCHEDSTAT) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  }
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return ns / 1e6;
}

/** Read and write system calls (read/recv…, write/writev…) the process has made so far, from /proc/<pid>/io. */
export function syscalls(pid) {
  const io = Object.fromEntries(readFileSync(`/proc/${pid}/io`, 'utf8').trim().split('\n').map((l) => l.split(': ')));
  return { reads: Number(io.syscr), writes: Number(io.syscw) };
}

export const bodyFor = (model) =>
  JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Say something short.' }] });

/** One streaming request read to its end; resolves with its wall time in ms. */
function one({ base, body }, agent) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const u = new URL(`${base}/chat/completions`);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, 'content-length': Buffer.byteLength(body) };
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => (res.statusCode === 200 && text.includes('[DONE]') ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `clients` concurrent clients, `perClient` requests each; the latency of every request that
 * succeeded. A failed one is counted in `target.failures` (by message) and left out of the times.
 */
export async function phase(target, clients, perClient) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const times = [];
  target.failures ??= new Map();
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = 0; i < perClient; i++) {
      await one(target, agent).then(
        (ms) => times.push(ms),
        (err) => target.failures.set(err.message, (target.failures.get(err.message) ?? 0) + 1),
      );
    }
  }));
  agent.destroy();
  return times;
}

/**
 * The upstream, the bare proxy and `mmr serve` (routing mmr/auto to the upstream's OpenAI
 * model; the translated target names its Anthropic model). `mmrNodeArgs` go to mmr's node
 * (e.g. --cpu-prof). `before`: the bin/mmr.js of another build, served beside this one as the
 * targets `before raw` / `before xlate`, to compare two builds in one interleaved run.
 * `stop()` ends them all and waits for mmr to exit.
 */
export async function startServers({ mmrNodeArgs = [], before } = {}) {
  const children = [];
  const home = mkdtempSync(path.join(tmpdir(), 'mmr-bench-serve-'));
  const upstream = await start([path.join(root, 'bench/serve-upstream.mjs')], { ...process.env, BENCH_KEY: KEY }, root, children);
  const proxy = await start([path.join(root, 'bench/serve-proxy.mjs'), upstream.url], process.env, root, children);
  writeFileSync(path.join(home, '.routerrc.yaml'), 'default: [openai:gpt-4o-mini]\nretries:\n  maxRetries: 0\n');
  const env = {
    PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), OLLAMA_HOST: '127.0.0.1:9',
    OPENAI_API_KEY: KEY, OPENAI_BASE_URL: upstream.url, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: upstream.url.replace(/\/openai\/v1$/, '/anthropic'),
  };
  const mmr = await start([...mmrNodeArgs, bin, 'serve', '--port', '0', '-q'], env, home, children);
  const mmrBase = `${mmr.url}/v1`;
  const old = before ? await start([before, 'serve', '--port', '0', '-q'], env, home, children) : null;
  const oldTargets = old
    ? { 'before raw': { base: `${old.url}/v1`, body: bodyFor('mmr/auto'), pid: old.child.pid }, 'before xlate': { base: `${old.url}/v1`, body: bodyFor('anthropic:claude-haiku-4-5'), pid: old.child.pid } }
    : {};
  return {
    home,
    pids: { upstream: upstream.child.pid, proxy: proxy.child.pid, mmr: mmr.child.pid },
    targets: {
      direct: { base: upstream.url, body: bodyFor('gpt-4o-mini'), pid: null },
      // The same as direct, measured again: how far two identical runs differ (the noise).
      'direct again': { base: upstream.url, body: bodyFor('gpt-4o-mini'), pid: null },
      'bare proxy': { base: proxy.url, body: bodyFor('gpt-4o-mini'), pid: proxy.child.pid },
      'mmr raw': { base: mmrBase, body: bodyFor('mmr/auto'), pid: mmr.child.pid },
      'mmr xlate': { base: mmrBase, body: bodyFor('anthropic:claude-haiku-4-5'), pid: mmr.child.pid },
      ...oldTargets,
    },
    async stop({ keepHome = false } = {}) {
      const exited = new Promise((r) => (mmr.child.exitCode === null ? mmr.child.once('exit', r) : r()));
      for (const c of children) c.kill('SIGTERM');
      await exited;
      if (!keepHome) rmSync(home, { recursive: true, force: true });
    },
  };
}
