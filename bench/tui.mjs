// The terminal UI, measured in a real terminal (tmux) from the bundle:
//  - first frame: time from spawn until the UI's header is on screen, vs `node -e 0`;
//  - CPU while streaming six models at ~200 tokens/s each (budget: 12% of one core), against the
//    same six streams read by a plain fetch client (bench/stream-client.mjs: the floor, HTTP and
//    SSE parsing only), so what mmr adds on top is the difference.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, bin, median, timeRun } from './lib.mjs';

if (spawnSync('tmux', ['-V']).status !== 0) {
  console.log('tmux not found: skipping the terminal UI benchmark');
  process.exit(0);
}
const { startMockServer } = await import(path.join(root, 'dist/mock-server/index.js'));
const tokens = Number(process.env.TOKENS ?? 1200);
const server = await startMockServer({
  reply: () => ({ text: 'lorem ipsum dolor sit amet '.repeat(Math.ceil(tokens / 6)).slice(0, tokens * 4), deltaChars: 4, chunkDelayMs: 5, usage: { input: 10, output: tokens } }),
});
const tmux = (...a) => execFileSync('tmux', a, { encoding: 'utf8' });
const home = mkdtempSync(path.join(tmpdir(), 'mmr-bench-tui-'));
const env = { PATH: process.env.PATH, HOME: home, TERM: 'xterm-256color', OPENAI_API_KEY: 'bench-key', OPENAI_BASE_URL: server.baseUrls.openai, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home };
const ticks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (USER_HZ = 100)
};

/** CPU share of the plain client over its run: (user + sys − what `node -e 0` costs) / wall. Async: the server runs in this process. */
async function plainClient() {
  const cpuOf = (cmd) =>
    new Promise((resolve) => {
      const child = spawn('bash', ['-c', `TIMEFORMAT='%R %U %S'; { time ${cmd} > /dev/null; } 2>&1`], { env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', () => {
        const [wall, user, sys] = out.trim().split(/\s+/).map(Number);
        resolve({ wall, cpu: user + sys });
      });
    });
  const idle = await cpuOf(`${process.execPath} -e 0`);
  const run = await cpuOf(`${process.execPath} ${path.join(root, 'bench/stream-client.mjs')}`);
  return { cpu: Math.max(0, run.cpu - idle.cpu) / run.wall };
}

async function once(models) {
  const s = `mmr-bench-${process.pid}-${Date.now()}`;
  const args = ['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, bin, 'ask', ...models.flatMap((m) => ['-m', m]), 'benchmark prompt'];
  const t0 = performance.now();
  tmux('new-session', '-d', '-x', '200', '-y', '50', '-s', s, '-c', home, ...args);
  const pid = Number(tmux('display', '-p', '-t', s, '#{pane_pid}').trim());
  let firstFrame = null;
  let streamStart = null;
  let c0 = 0;
  for (;;) {
    const screen = tmux('capture-pane', '-p', '-t', s);
    if (firstFrame === null && screen.includes('benchmark prompt')) firstFrame = performance.now() - t0;
    if (streamStart === null && screen.includes('lorem')) {
      streamStart = performance.now();
      c0 = ticks(pid);
    }
    if ((screen.match(/✔/g) ?? []).length >= models.length) break;
    if (performance.now() - t0 > 60_000) throw new Error(`UI did not finish:\n${screen}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const cpu = ((ticks(pid) - c0) * 10) / (performance.now() - streamStart);
  spawnSync('tmux', ['kill-session', '-t', s]);
  return { firstFrame, cpu };
}

const six = Array.from({ length: 6 }, (_, i) => `openai:m${i}`);
const runs = [];
const plain = [];
// Interleaved, because this machine is shared: each UI run has a plain-client run beside it.
for (let i = 0; i < Number(process.env.ROUNDS ?? 3); i++) {
  runs.push(await once(six));
  plain.push(await plainClient());
}
const base = [];
for (let i = 0; i < 10; i++) base.push((await timeRun(process.execPath, ['-e', '0'])).ms);
const ff = median(runs.map((r) => r.firstFrame));
const cpu = median(runs.map((r) => r.cpu));
const engine = median(plain.map((r) => r.cpu));
const nodeMs = median(base);
await server.close();
const results = [
  { name: 'TUI first frame vs node -e 0', baselineMs: nodeMs, subjectMs: ff, diffMs: ff - nodeMs, ratio: ff / nodeMs, ok: ff - nodeMs <= 300 },
  { name: 'TUI CPU, 6 models × 200 tok/s', baselineMs: engine, subjectMs: cpu, diffMs: cpu - engine, ratio: cpu, ok: cpu <= 0.12 },
];
console.log(`${'TUI first frame vs node -e 0'.padEnd(44)} node ${nodeMs.toFixed(0)} ms  first frame ${ff.toFixed(0)} ms  +${(ff - nodeMs).toFixed(0)} ms  budget +300 ms ${results[0].ok ? 'OK' : 'OVER'} (polling every 10 ms)`);
console.log(
  `${'TUI CPU, 6 models × 200 tok/s (200×50)'.padEnd(44)} ${(cpu * 100).toFixed(1)}% of one core (a plain fetch client reading the same streams: ${(engine * 100).toFixed(1)}%; mmr adds ${((cpu - engine) * 100).toFixed(1)}%)  budget 12% ${results[1].ok ? 'OK' : 'OVER'}`,
);
export default results;
