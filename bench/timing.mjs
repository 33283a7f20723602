// Timing accuracy: what mmr reports for a server scripted to send its first token 200 ms after
// the request arrives, against what that server measured itself (its `served` marks), over
// several single-model `mmr ask --json` runs (each a fresh process: its first request is cold).
// Budget: the reported ttft is within 200–210 ms (median), i.e. mmr adds under 10 ms.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, bin, median, pct } from './lib.mjs';

const { startMockServer } = await import(path.join(root, 'dist/mock-server/index.js'));
const SCRIPTED_MS = 200;
const server = await startMockServer({
  apiKey: 'bench-key',
  reply: () => ({ text: 'x'.repeat(160), deltaChars: 4, firstChunkDelayMs: SCRIPTED_MS, chunkDelayMs: 10, usage: { input: 5, output: 40 } }),
});
const home = mkdtempSync(path.join(tmpdir(), 'mmr-bench-timing-'));
const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, OPENAI_API_KEY: 'bench-key', OPENAI_BASE_URL: server.baseUrls.openai };

function ask() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'ask', '--json', '-m', 'openai:timed', 'hi'], { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(JSON.parse(out).results[0]));
  });
}

const rows = [];
for (let i = 0; i < Number(process.env.ROUNDS ?? 9); i++) {
  const r = await ask();
  const s = server.requests.at(-1).served;
  rows.push({ ttft: r.ttftMs, latency: r.latencyMs, wall: r.wallMs, serverFirst: s.firstBodyMs, serverEnd: s.endMs });
}
await server.close();
const ttft = median(rows.map((r) => r.ttft));
const added = median(rows.map((r) => r.ttft - r.serverFirst));
const addedEnd = median(rows.map((r) => r.latency - r.serverEnd));
const wallOver = median(rows.map((r) => r.wall - r.latency));
const ok = ttft >= SCRIPTED_MS && ttft <= SCRIPTED_MS + 10;
console.log(
  `${'ttft for a scripted 200 ms first token'.padEnd(44)} median ${ttft.toFixed(1)} ms (p90 ${pct(rows.map((r) => r.ttft), 90).toFixed(1)})  ` +
    `server measured ${median(rows.map((r) => r.serverFirst)).toFixed(1)} ms  mmr adds ${added.toFixed(1)} ms to ttft, ${addedEnd.toFixed(1)} ms to latency  ` +
    `(wall − latency ${wallOver.toFixed(1)} ms)  budget 200–210 ms ${ok ? 'OK' : 'OVER'}`,
);
export default [{ name: 'ttft for a scripted 200 ms first token', baselineMs: SCRIPTED_MS, subjectMs: ttft, diffMs: ttft - SCRIPTED_MS, ratio: ttft / SCRIPTED_MS, ok }];
