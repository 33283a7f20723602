// Shared helpers for the benchmark scripts: they time whole processes and print ratios
// against a baseline measured in the same run, interleaved, because these machines are noisy.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** The build under test; MMR_BIN=/path/to/bin/mmr.js measures another (e.g. main's, to compare). */
export const bin = process.env.MMR_BIN ?? path.join(root, 'bin/mmr.js');

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** Runs a command to completion; resolves with wall time in ms, exit code and stdout. */
export function timeRun(cmd, args, { env = process.env, input } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    if (input !== undefined) child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, code, out, err }));
  });
}

/** Alternates baseline and subject `rounds` times (after a warm-up each); returns both samples. */
export async function interleave(rounds, baseline, subject) {
  await baseline();
  await subject();
  const a = [];
  const b = [];
  for (let i = 0; i < rounds; i++) {
    a.push(await baseline());
    b.push(await subject());
  }
  return { baseline: a, subject: b };
}

export function report(name, { baseline, subject }, { budgetMs, budgetRatio } = {}) {
  const mb = median(baseline);
  const ms = median(subject);
  const diff = ms - mb;
  const ok = budgetMs !== undefined ? diff <= budgetMs : budgetRatio !== undefined ? ms / mb <= budgetRatio : true;
  const budget = budgetMs !== undefined ? `budget +${budgetMs} ms` : budgetRatio !== undefined ? `budget ×${budgetRatio}` : '';
  console.log(
    `${name.padEnd(44)} baseline ${mb.toFixed(1).padStart(7)} ms  mmr ${ms.toFixed(1).padStart(7)} ms  ` +
      `+${diff.toFixed(1)} ms  ×${(ms / mb).toFixed(2)}  ${budget} ${ok ? 'OK' : 'OVER'}`,
  );
  return { name, baselineMs: mb, subjectMs: ms, diffMs: diff, ratio: ms / mb, ok };
}
