// Two builds of `mmr serve` on one path, CPU per request only, in many paired rounds: the tool for
// telling whether an engine change helps when the effect is a few per cent and the machine is
// shared. bench/serve.mjs runs seven targets per round, so a handful of rounds is all a run has;
// this runs only the two targets compared, alternating which goes first, and prints each one's
// median and mean CPU time per request (from /proc/<pid>/stat, 150 ms settle around each phase),
// every round's figure, and the median of the paired ratios (this build ÷ the other; < 1 is better).
// `both` runs the two paths' four targets in the same rounds (each path's pair adjacent, the
// order within a pair alternating) and prints a ratio per path.
// On this 2-core machine with other work running, one round's figure swings ±15% and the paired
// median of 30 rounds by about ±4%: a change below that is not resolved.
// Run: npm run build && BENCH_SERVE_BEFORE=/path/to/other/bin/mmr.js node bench/serve-ab.mjs [raw|xlate|both] [rounds=30] [clients=20] [requestsPerClient=20]
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMs, phase, startServers } from './serve-load.mjs';

const [mode = 'xlate', ...rest] = process.argv.slice(2);
const [rounds = 30, clients = 20, perClient = 20] = rest.map(Number);
if (!process.env.BENCH_SERVE_BEFORE) throw new Error('set BENCH_SERVE_BEFORE to the other build’s bin/mmr.js');
if (mode !== 'raw' && mode !== 'xlate' && mode !== 'both') throw new Error(`path must be raw, xlate or both, not ${mode}`);
const paths = mode === 'both' ? ['raw', 'xlate'] : [mode];
const names = paths.flatMap((p) => [`mmr ${p}`, `before ${p}`]);
const servers = await startServers({ before: process.env.BENCH_SERVE_BEFORE });
const cpu = Object.fromEntries(names.map((n) => [n, []]));
try {
  for (const n of names) await phase(servers.targets[n], clients, Math.ceil(Number(process.env.BENCH_SERVE_WARM ?? 4000) / clients));
  for (let r = 0; r < rounds; r++) {
    // Within each path's pair the order alternates by round.
    for (let k = 0; k < names.length; k++) {
      const name = names[k ^ (r % 2)];
      const t = servers.targets[name];
      await sleep(150);
      const c0 = cpuMs(t.pid);
      await phase(t, clients, perClient);
      await sleep(150);
      cpu[name].push((cpuMs(t.pid) - c0) / (clients * perClient));
    }
  }
} finally {
  await servers.stop();
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`${paths.join(' and ')} path${paths.length > 1 ? 's' : ''}, ${clients} clients × ${perClient} requests, ${rounds} paired rounds; CPU ms per request`);
for (const n of names) {
  const mean = cpu[n].reduce((a, b) => a + b, 0) / cpu[n].length;
  console.log(`${n.padEnd(14)} median ${median(cpu[n]).toFixed(3)}  mean ${mean.toFixed(3)}  rounds ${cpu[n].map((v) => v.toFixed(2)).join(' ')}`);
}
for (const p of paths) {
  const [mine, other] = [`mmr ${p}`, `before ${p}`];
  console.log(`${p}: this build ÷ before, median of paired rounds: ×${median(cpu[mine].map((v, i) => v / cpu[other][i])).toFixed(3)}`);
}
for (const n of names) for (const [message, count] of servers.targets[n].failures ?? []) console.log(`${n}: ${count} failed: ${message}`);
