// Where `mmr serve` spends its CPU under bench/serve.mjs's load: runs mmr with --cpu-prof,
// sends C clients × N streaming requests on one path, stops it, and prints the functions with
// the most self time and the files they are in. The .cpuprofile stays for Chrome DevTools.
// Samples of the warm-up (BENCH_SERVE_WARM requests, 4,000 by default: V8 compiling mmr's hot
// paths) are left out: both clocks are the system's monotonic one.
// V8's profiler samples wall time on the thread: a call the scheduler switched away from counts
// as if it ran. `writev` is the one this inflates: a write to a loopback socket wakes its reader,
// and on a busy 2-core machine the reader often runs then, so `writev` shows 31–36% here while
// `perf record -e cpu-clock` (on-CPU time only; node --perf-basic-prof-only-functions names the
// JavaScript frames) puts the whole socket-write path at 6–8% of mmr's CPU and the kernel at 14–18%.
// Run: npm run build && node bench/serve-profile.mjs [raw|xlate] [clients=20] [requestsPerClient=40]
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { phase, startServers } from './serve-load.mjs';

const [mode = 'raw', clients = '20', perClient = '40'] = process.argv.slice(2);
const dir = path.join(tmpdir(), `mmr-serve-profile-${process.pid}`);
mkdirSync(dir, { recursive: true });
const servers = await startServers({ mmrNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
const target = servers.targets[mode === 'xlate' ? 'mmr xlate' : 'mmr raw'];
await phase(target, Number(clients), Math.ceil(Number(process.env.BENCH_SERVE_WARM ?? 4000) / Number(clients)));
const fromUs = Number(process.hrtime.bigint() / 1000n);
const t0 = performance.now();
const times = await phase(target, Number(clients), Number(perClient));
console.log(`${times.length} ${mode} streams in ${Math.round(performance.now() - t0)} ms`);
await servers.stop();

const file = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile')));
const prof = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const byFile = new Map();
let busy = 0;
let at = prof.startTime;
prof.samples.forEach((id, i) => {
  const f = nodes.get(id).callFrame;
  const t = prof.timeDeltas[i] ?? 0;
  at += t;
  if (f.functionName === '(idle)' || at < fromUs) return;
  const where = f.url ? f.url.split('/').slice(-2).join('/') : f.functionName;
  const key = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + t);
  byFile.set(where, (byFile.get(where) ?? 0) + t);
  busy += t;
});
const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, t]) => `${(t / 1000).toFixed(1).padStart(8)} ms ${((100 * t) / busy).toFixed(1).padStart(5)}%  ${k}`).join('\n');
console.log(`busy ${(busy / 1000).toFixed(0)} ms (${(busy / 1000 / times.length).toFixed(3)} ms per request, profiler included)\n${top(self, 40)}\n--- by file\n${top(byFile, 20)}\nprofile: ${file}`);
