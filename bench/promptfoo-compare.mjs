// `mmr bench` vs `promptfoo eval` on the same matrix (issue 6), after a build:
//   node bench/promptfoo-compare.mjs
// Both tools ask mmr's local provider server (OpenAI wire format, LATENCY_MS before the headers)
// CASES (1,000) prompts × 4 models with one `contains` check each, at -j J (32), caching off,
// and are run alternately ROUNDS (1) times after a small warm-up of each, and so is a plain Node
// client making the same requests (the floor: what any client's wall time is on this machine). For every run the
// wall time and the peak RSS of the whole process tree (summed over all live processes of the
// tree, polled from /proc every POLL_MS) are recorded, plus /usr/bin/time's maxrss (largest
// single process) when /usr/bin/time exists.
// promptfoo needs Node 22: it is run with the node binary of a scratch install at PROMPTFOO_DIR
// (default /tmp/pf):  mkdir -p /tmp/pf && cd /tmp/pf && npm init -y && npm i --save-exact node@22 promptfoo
// By default promptfoo runs with --no-write (no eval record in its SQLite db, like mmr which keeps
// no history for bench); PF_WRITE=1 lets it write its db (into a temp PROMPTFOO_CONFIG_DIR).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, bin, median } from './lib.mjs';

const CASES = Number(process.env.CASES ?? 1000);
const WARMUP_CASES = Number(process.env.WARMUP_CASES ?? 20);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 50);
const J = Number(process.env.J ?? 32);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const POLL_MS = Number(process.env.POLL_MS ?? 50);
const PF_WRITE = process.env.PF_WRITE === '1';
const PF_DIR = process.env.PROMPTFOO_DIR ?? '/tmp/pf';
const MODELS = ['gpt-4o-mini', 'gpt-4.1-nano', 'gpt-4.1-mini', 'gpt-4o'];

const pfNode = path.join(PF_DIR, 'node_modules/node/bin/node');
const pfCli = path.join(PF_DIR, 'node_modules/promptfoo/dist/src/entrypoint.js');
const pfBin = existsSync(pfCli) ? pfCli : path.join(PF_DIR, 'node_modules/.bin/promptfoo');
if (!existsSync(pfNode) || !existsSync(pfBin)) {
  console.log(`promptfoo (with Node 22) is not installed at PROMPTFOO_DIR=${PF_DIR}. Install it outside the repo with:`);
  console.log(`  mkdir -p ${PF_DIR} && cd ${PF_DIR} && npm init -y && npm i --save-exact node@22 promptfoo`);
  console.log('then run this script again (PROMPTFOO_DIR=<dir> to use another folder).');
  process.exit(0);
}

const { startMockServer, lastUserText } = await import(path.join(root, 'dist/mock-server/index.js'));
const answerFor = (text) => `The answer is ${text.length % 97}.`;
let requests = 0;
let starts = [];
/** Most requests that arrived within any LATENCY_MS window: about the concurrency the server saw. */
function peakInFlight(ts) {
  let best = 0;
  for (let i = 0, j = 0; i < ts.length; i++) {
    while (ts[i] - ts[j] >= LATENCY_MS) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
const server = await startMockServer({
  reply: (req) => {
    requests++;
    starts.push(performance.now());
    const last = req.body.messages.at(-1).content;
    const text = typeof last === 'string' ? last : lastUserText(req.body.messages);
    return { text: answerFor(text), usage: { input: 30, output: 8 }, headerDelayMs: LATENCY_MS };
  },
});
const dir = mkdtempSync(path.join(tmpdir(), 'mmr-vs-promptfoo-'));

/** The same n cases in both formats: an mmr JSONL file and a promptfoo config + tests file. */
function writeCases(n, name) {
  const mmrLines = [];
  const tests = [];
  for (let i = 0; i < n; i++) {
    const prompt = `Question ${i}: ${'x'.repeat(i % 50)} what is the number?`;
    const want = `answer is ${prompt.length % 97}`;
    mmrLines.push(JSON.stringify({ id: `c${i}`, prompt, expect: [{ type: 'contains', value: want }] }));
    tests.push({ description: `c${i}`, vars: { prompt }, assert: [{ type: 'contains', value: want }] });
  }
  const mmrFile = path.join(dir, `${name}.jsonl`);
  writeFileSync(mmrFile, `${mmrLines.join('\n')}\n`);
  const testsFile = path.join(dir, `${name}-tests.json`);
  writeFileSync(testsFile, JSON.stringify(tests));
  const config = {
    description: `mmr-compare ${name}`,
    prompts: ['{{prompt}}'],
    providers: MODELS.map((m) => ({ id: `openai:chat:${m}`, label: m, config: { apiBaseUrl: server.baseUrls.openai, apiKey: 'bench' } })),
    tests: `file://${testsFile}`,
  };
  const pfConfig = path.join(dir, `${name}-promptfooconfig.json`);
  writeFileSync(pfConfig, JSON.stringify(config, null, 2));
  return { mmrFile, pfConfig };
}

const baseEnv = { ...process.env, OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: server.baseUrls.openai, NO_COLOR: '1', FORCE_COLOR: '0' };
const mmrEnv = { ...baseEnv, XDG_CACHE_HOME: path.join(dir, 'mmr-cache'), XDG_CONFIG_HOME: path.join(dir, 'mmr-config') };
const pfEnv = {
  ...baseEnv,
  PROMPTFOO_CONFIG_DIR: path.join(dir, 'promptfoo-home'),
  PROMPTFOO_CACHE_PATH: path.join(dir, 'promptfoo-cache'),
  PROMPTFOO_CACHE_ENABLED: 'false',
  PROMPTFOO_DISABLE_TELEMETRY: '1',
  PROMPTFOO_DISABLE_UPDATE: '1',
  PROMPTFOO_DISABLE_SHARING: '1',
  PROMPTFOO_DISABLE_SHARE_WARNING: '1',
  PROMPTFOO_SELF_HOSTED: '1',
  PROMPTFOO_DISABLE_REMOTE_GENERATION: 'true',
  PROMPTFOO_DISABLE_WAL_MODE: process.env.PROMPTFOO_DISABLE_WAL_MODE ?? '',
  NODE_NO_WARNINGS: '1',
};

/** Sum of VmRSS (kB) over pid and all its descendants, read from /proc. */
function treeRssKb(pid) {
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {}
  }
  let kb = 0;
  let procs = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop();
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) { kb += Number(m[1]); procs++; }
    } catch {}
    todo.push(...(children.get(p) ?? []));
  }
  return { kb, procs };
}

const haveTime = existsSync('/usr/bin/time');
/** Runs cmd to completion under /usr/bin/time -v (if present), polling the tree's RSS. */
function measure(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const timeFile = path.join(dir, 'time.txt');
    rmSync(timeFile, { force: true });
    const [c, a] = haveTime ? ['/usr/bin/time', ['-v', '-o', timeFile, cmd, ...args]] : [cmd, args];
    const t0 = performance.now();
    const child = spawn(c, a, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    let peakKb = 0;
    let maxProcs = 0;
    const poll = () => {
      const { kb, procs } = treeRssKb(child.pid);
      // /usr/bin/time's own RSS (~2 MB) is not the tool's: leave it out.
      const timeKb = haveTime ? Number(/VmRSS:\s+(\d+)/.exec(safeRead(`/proc/${child.pid}/status`))?.[1] ?? 0) : 0;
      peakKb = Math.max(peakKb, kb - timeKb);
      maxProcs = Math.max(maxProcs, procs - (haveTime ? 1 : 0));
    };
    const timer = setInterval(poll, POLL_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const ms = performance.now() - t0;
      const tv = haveTime && existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
      const maxrssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(tv)?.[1] ?? 0);
      const cpuS = Number(/User time \(seconds\): ([\d.]+)/.exec(tv)?.[1] ?? NaN) + Number(/System time \(seconds\): ([\d.]+)/.exec(tv)?.[1] ?? NaN);
      resolve({ ms, code, out, err, peakMb: peakKb / 1024, maxrssMb: maxrssKb / 1024, procs: maxProcs, cpuS });
    });
  });
}
function safeRead(f) {
  try { return readFileSync(f, 'utf8'); } catch { return ''; }
}

const mmrArgs = (file, out) => [bin, 'bench', file, ...MODELS.flatMap((m) => ['-m', `openai:${m}`]), '-j', String(J), '--no-cache', '--json', '-q', '--out', out];
const pfArgs = (config, out) => [pfBin, 'eval', '-c', config, '-j', String(J), '--no-cache', '--no-table', '--no-progress-bar', '--no-share', ...(PF_WRITE ? [] : ['--no-write']), '-o', out];

async function runMmr(file) {
  const out = path.join(dir, 'mmr-rows.jsonl');
  const before = requests;
  starts = [];
  const r = await measure(process.execPath, mmrArgs(file, out), mmrEnv);
  if (r.code !== 0) throw new Error(`mmr bench exited ${r.code}: ${r.err.slice(0, 800)}`);
  const doc = JSON.parse(r.out);
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const passed = lines.filter((l) => l.pass ?? l.passed ?? l.checks?.every?.((c) => c.pass ?? c.passed)).length;
  return { ...r, rows: lines.length, passed, errors: doc.models.reduce((a, m) => a + (m.errors ?? 0), 0), requests: requests - before, inflight: peakInFlight(starts) };
}

async function runPf(config) {
  const out = path.join(dir, 'promptfoo-results.json');
  rmSync(out, { force: true });
  const before = requests;
  starts = [];
  const r = await measure(pfNode, pfArgs(config, out), pfEnv);
  // promptfoo exits 100 when some test fails; anything else non-zero is a real failure.
  if (r.code !== 0 && r.code !== 100) throw new Error(`promptfoo eval exited ${r.code}: ${r.err.slice(0, 800)}${r.out.slice(0, 800)}`);
  const doc = JSON.parse(readFileSync(out, 'utf8'));
  const results = doc.results?.results ?? [];
  return { ...r, rows: results.length, passed: results.filter((x) => x.success).length, errors: doc.results?.stats?.errors ?? 0, requests: requests - before, inflight: peakInFlight(starts) };
}

// The floor no tool can beat on this machine: a plain Node client making the same streaming
// requests (no checks, rows or retries; bench/plain-client.mjs, also scale.mjs's baseline).
async function runPlain(n) {
  const before = requests;
  starts = [];
  const r = await measure(process.execPath, [path.join(root, 'bench/plain-client.mjs'), server.baseUrls.openai, String(n), MODELS.join(','), String(J)], baseEnv);
  if (r.code !== 0) throw new Error(`plain client exited ${r.code}: ${r.err.slice(0, 800)}`);
  const doc = JSON.parse(r.out);
  return { ...r, rows: doc.requests, passed: '-', errors: doc.failed, requests: requests - before, inflight: peakInFlight(starts) };
}

const versions = {
  mmr: JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version,
  mmrNode: process.version,
  promptfoo: JSON.parse(readFileSync(path.join(PF_DIR, 'node_modules/promptfoo/package.json'), 'utf8')).version,
  pfNode: (await measure(pfNode, ['--version'], process.env)).out.trim(),
};

const warm = writeCases(WARMUP_CASES, 'warmup');
const main = writeCases(CASES, 'main');
console.log(`matrix: ${CASES} cases × ${MODELS.length} models, 1 contains check, ${LATENCY_MS} ms per answer, -j ${J}, caching off; ${ROUNDS} round(s), alternating, after a ${WARMUP_CASES}-case warm-up of each`);
console.log(`versions: mmr ${versions.mmr} on node ${versions.mmrNode} · promptfoo ${versions.promptfoo} on node ${versions.pfNode}${PF_WRITE ? ' · promptfoo writes its db' : ' · promptfoo --no-write'}`);
console.log(`commands (in ${dir}):`);
console.log(`  node ${mmrArgs(main.mmrFile, path.join(dir, 'mmr-rows.jsonl')).join(' ')}`);
console.log(`  ${pfNode} ${pfArgs(main.pfConfig, path.join(dir, 'promptfoo-results.json')).join(' ')}`);

await runMmr(warm.mmrFile);
await runPf(warm.pfConfig);
await runPlain(WARMUP_CASES);
const samples = { mmr: [], promptfoo: [], plain: [] };
for (let i = 0; i < ROUNDS; i++) {
  samples.mmr.push(await runMmr(main.mmrFile));
  samples.promptfoo.push(await runPf(main.pfConfig));
  samples.plain.push(await runPlain(CASES));
}
await server.close();

const ideal = (CASES * MODELS.length * LATENCY_MS) / J / 1000;
const row = (name, xs) => {
  const wall = median(xs.map((x) => x.ms)) / 1000;
  const peak = median(xs.map((x) => x.peakMb));
  const maxrss = median(xs.map((x) => x.maxrssMb));
  const cpu = median(xs.map((x) => x.cpuS));
  const last = xs.at(-1);
  console.log(
    `${name.padEnd(10)} ${wall.toFixed(2).padStart(7)} ${(wall / ideal).toFixed(2).padStart(8)} ${(haveTime ? cpu.toFixed(1) : '-').padStart(6)} ${peak.toFixed(0).padStart(13)} ${(haveTime ? maxrss.toFixed(0) : '-').padStart(10)} ${String(last.procs).padStart(6)} ${String(last.inflight).padStart(9)} ${String(last.rows).padStart(6)} ${String(last.passed).padStart(7)} ${String(last.errors).padStart(7)} ${String(last.requests).padStart(9)}`,
  );
  return { wall, peak, maxrss, cpu };
};
console.log(`\nideal wall (cases × models × latency / j): ${ideal.toFixed(2)} s`);
console.log(`${'tool'.padEnd(10)} ${'wall s'.padStart(7)} ${'× ideal'.padStart(8)} ${'cpu s'.padStart(6)} ${'tree RSS MB'.padStart(13)} ${'maxrss MB'.padStart(10)} ${'procs'.padStart(6)} ${'in-flight'.padStart(9)} ${'rows'.padStart(6)} ${'passed'.padStart(7)} ${'errors'.padStart(7)} ${'requests'.padStart(9)}`);
const m = row('mmr', samples.mmr);
const p = row('promptfoo', samples.promptfoo);
const b = row('plain', samples.plain);
console.log(`ratio promptfoo / mmr: wall ×${(p.wall / m.wall).toFixed(2)} · tree peak RSS ×${(p.peak / m.peak).toFixed(2)}${haveTime ? ` · maxrss ×${(p.maxrss / m.maxrss).toFixed(2)} · cpu ×${(p.cpu / m.cpu).toFixed(2)}` : ''}`);
console.log(`against the plain Node client (fetch) in the same run: mmr wall ×${(m.wall / b.wall).toFixed(2)}, promptfoo ×${(p.wall / b.wall).toFixed(2)}`);
if (ROUNDS > 1) for (const [k, xs] of Object.entries(samples)) console.log(`  ${k} rounds: ${xs.map((x) => `${(x.ms / 1000).toFixed(2)} s/${x.peakMb.toFixed(0)} MB`).join(', ')}`);
if (process.env.KEEP !== '1') rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
