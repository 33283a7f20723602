// mmr serve under load: C concurrent streaming clients (20, then 100) against a 50 ms local
// upstream, four ways in the same run: straight to the upstream, through a bare node:http
// pass-through proxy, through `mmr serve` with model mmr/auto (routed to an OpenAI model: the
// raw same-protocol path, logged), and through `mmr serve` to an Anthropic model of the same
// local server (the translated path: OpenAI client, Anthropic upstream).
//
// Every target gets the same clients and requests, in interleaved rounds whose order rotates
// (so no target always runs after the same one). It prints the latency each adds over the
// direct run at p50 and p99 (target: mmr adds at most 2× what the bare proxy adds) and CPU time
// per request of each process, read from /proc the same way for every process (the threads'
// nanosecond run times), after a 150 ms settle so work a process defers (mmr's log flush, every
// 50 ms) counts in its own phase (target: mmr uses less CPU per request than the upstream
// server), and each process's read and write system calls per request (/proc/<pid>/io: a write
// to a loopback socket also runs the receiver's TCP path, so writes are a large part of a
// streaming server's CPU).
//
// The ratio's floor: the direct target is measured twice per round ('direct again'); what the
// second adds over the first is the noise of this run, at each percentile. What the bare proxy
// adds is not resolvable below that noise (nor below 1 ms), so each ratio divides by
// max(bare proxy's added, |noise|, 1 ms) and says when the floor was used.
// Before the first measured round each target gets BENCH_SERVE_WARM (4,000) requests: a server's
// steady state, not its first seconds of JIT compilation, is what it runs in.
// Run: npm run build && node bench/serve.mjs [rounds=5] [requestsPerClient=20] [clients=20,100]
// BENCH_SERVE_BEFORE=/path/to/other/bin/mmr.js adds that build's two paths to the same rounds.
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMs, phase, startServers, syscalls } from './serve-load.mjs';
import { pct } from './lib.mjs';

const ROUNDS = Number(process.argv[2] ?? 5);
const PER_CLIENT = Number(process.argv[3] ?? 20);
const CLIENTS = (process.argv[4] ?? '20,100').split(',').map(Number);
const FLOOR_MS = 1;
const SETTLE_MS = 150;
const WARM_REQUESTS = Number(process.env.BENCH_SERVE_WARM ?? 4000);

const servers = await startServers({ before: process.env.BENCH_SERVE_BEFORE });
const { targets, pids } = servers;
const names = Object.keys(targets);
const fmt = (v, w) => (typeof v === 'number' ? v.toFixed(v < 10 && v > -10 ? 2 : 1) : v).padStart(w);
try {
  for (const clients of CLIENTS) {
    const lat = Object.fromEntries(names.map((k) => [k, []]));
    const cpu = Object.fromEntries(names.map((k) => [k, { own: 0, upstream: 0, n: 0, reads: 0, writes: 0, upReads: 0, upWrites: 0 }]));
    // Warm-up: the first run brings every process to its steady state (measured: V8 is still
    // compiling mmr's and the proxy's hot paths on its background threads for the first ~3,000
    // requests, which would be counted as per-request CPU); later runs only fill the new pools.
    const warm = clients === CLIENTS[0] ? Math.ceil(WARM_REQUESTS / clients) : Math.max(2, PER_CLIENT / 4);
    for (const t of Object.values(targets)) await phase(t, clients, warm);
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + r) % names.length];
        const t = targets[name];
        await sleep(SETTLE_MS);
        const u0 = cpuMs(pids.upstream);
        const p0 = t.pid ? cpuMs(t.pid) : 0;
        const us0 = syscalls(pids.upstream);
        const ps0 = t.pid ? syscalls(t.pid) : null;
        const times = await phase(t, clients, PER_CLIENT);
        await sleep(SETTLE_MS);
        const c = cpu[name];
        c.upstream += cpuMs(pids.upstream) - u0;
        c.own += t.pid ? cpuMs(t.pid) - p0 : 0;
        c.n += clients * PER_CLIENT;
        const us1 = syscalls(pids.upstream);
        c.upReads += us1.reads - us0.reads;
        c.upWrites += us1.writes - us0.writes;
        if (ps0) {
          const ps1 = syscalls(t.pid);
          c.reads += ps1.reads - ps0.reads;
          c.writes += ps1.writes - ps0.writes;
        }
        lat[name].push(...times);
      }
    }
    const d50 = pct(lat.direct, 50);
    const d99 = pct(lat.direct, 99);
    console.log(`\n${clients} concurrent streaming clients, ${lat.direct.length} streams per target (${ROUNDS} interleaved rounds, order rotated)`);
    console.log(`${'target'.padEnd(12)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'added p50'.padStart(10)} ${'added p99'.padStart(10)} ${'own CPU ms/req'.padStart(15)} ${'upstream CPU ms/req'.padStart(20)} ${'own reads/writes'.padStart(17)} ${'upstream r/w'.padStart(13)}`);
    const added = {};
    for (const name of names) {
      const t = targets[name];
      const p50 = pct(lat[name], 50);
      const p99 = pct(lat[name], 99);
      added[name] = { p50: p50 - d50, p99: p99 - d99 };
      const direct = name === 'direct';
      const c = cpu[name];
      const rw = (r, w) => `${(r / c.n).toFixed(1)} / ${(w / c.n).toFixed(1)}`;
      console.log(`${name.padEnd(12)} ${fmt(p50, 8)} ${fmt(p99, 8)} ${fmt(direct ? '—' : added[name].p50, 10)} ${fmt(direct ? '—' : added[name].p99, 10)} ${fmt(t.pid ? c.own / c.n : '—', 15)} ${fmt(c.upstream / c.n, 20)} ${(t.pid ? rw(c.reads, c.writes) : '—').padStart(17)} ${rw(c.upReads, c.upWrites).padStart(13)}`);
    }
    const floor = (p) => Math.max(FLOOR_MS, Math.abs(added['direct again'][p]));
    const denom = (p) => Math.max(added['bare proxy'][p], floor(p));
    const ratio = (name, p) => {
      const bare = added['bare proxy'][p];
      return `×${(added[name][p] / denom(p)).toFixed(2)}${bare < floor(p) ? ` (bare ${bare.toFixed(1)} ms < floor ${floor(p).toFixed(1)} ms)` : ''}`;
    };
    for (const name of names.filter((n) => / (raw|xlate)$/.test(n))) {
      const own = cpu[name].own / cpu[name].n;
      const up = cpu[name].upstream / cpu[name].n;
      const met = added[name].p50 <= 2 * denom('p50') && added[name].p99 <= 2 * denom('p99');
      console.log(
        `${name}: added latency ÷ bare proxy's: p50 ${ratio(name, 'p50')}, p99 ${ratio(name, 'p99')} (target ≤ 2: ${met ? 'met' : 'not met'}); ` +
          `CPU per request ÷ upstream's: ×${(own / up).toFixed(2)} (target < 1: ${own < up ? 'met' : 'not met'})`,
      );
    }
  }
  for (const name of names) {
    for (const [message, n] of targets[name].failures ?? []) console.log(`${name}: ${n} request${n === 1 ? '' : 's'} failed (warm-up included): ${message}`);
  }
} finally {
  await servers.stop();
}
