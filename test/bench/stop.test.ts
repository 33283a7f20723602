import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { isolatedEnv, mmr } from '../helpers/cli.js';

let server: MockServer;
beforeAll(async () => {
  // Each answer takes 100 ms and costs real gpt-4o prices ($2.50 / $10 per 1M tokens).
  server = await startMockServer({ reply: () => ({ text: 'The answer is 4.', usage: { input: 1000, output: 1000 }, headerDelayMs: 100 }) });
});
afterAll(() => server.close());

async function setup(n: number) {
  const { env, home } = await isolatedEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrls.openai });
  env.XDG_CACHE_HOME = path.join(home, '.cache');
  const file = path.join(home, 'cases.jsonl');
  writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `What is 2+2? (${i})`, expect: [{ type: 'number', value: 4 }] })).join('\n') + '\n');
  return { env, home, file };
}

/** Polls the rows file until it holds `n` lines (rows reach disk within ~25 ms of finishing). */
async function waitForRows(file: string, n: number, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (existsSync(file) && readFileSync(file, 'utf8').split('\n').filter(Boolean).length >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${file} never reached ${n} rows`);
}

const rowsOf = (file: string) => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('mmr bench stops cleanly', () => {
  it('stops at --max-cost with exit 5, keeps every finished row, and a re-run resumes from the cache', async () => {
    const { env, home, file } = await setup(40);
    const out = path.join(home, 'rows.jsonl');
    // One answer costs $0.0125; a $0.05 cap stops the run after a handful, well before 40.
    const r = await mmr(['bench', file, '-m', 'openai:gpt-4o', '-j', '2', '--max-cost', '0.05', '--json', '--out', out], { env });
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/stopped at --max-cost \$0\.050* with \d+ rows? not run; run again to resume/);
    const rows = rowsOf(out);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.length).toBeLessThan(40);
    expect(rows.every((x) => x.pass === true)).toBe(true);
    expect(r.stderr).toMatch(/max-cost|budget|spend/i);
    const doc = JSON.parse(r.stdout);
    expect(doc.spentUsd).toBeGreaterThanOrEqual(0.05);
    expect(doc.spentUsd).toBeLessThan(0.05 + 2 * 0.0125 + 1e-9); // at most the requests already in flight
    expect(doc.stopped).toBe('budget');
    expect(doc.skipped).toBe(40 - rows.length);
    // Resuming: the finished answers come from the cache, only the rest is asked.
    const before = server.requests.length;
    const again = await mmr(['bench', file, '-m', 'openai:gpt-4o', '-j', '2', '--json', '--out', out], { env });
    expect(again.exitCode).toBe(0);
    expect(server.requests.length - before).toBe(40 - rows.length);
    expect(rowsOf(out)).toHaveLength(40);
    expect(JSON.parse(again.stdout).models[0].cached).toBe(rows.length);
  });

  it('stops on SIGTERM with exit 143, the summary printed and the finished rows on disk', async () => {
    const { env, home, file } = await setup(200);
    const out = path.join(home, 'rows.jsonl');
    const child = mmr(['bench', file, '-m', 'openai:gpt-4o', '-j', '4', '--out', out, '--no-cache', '--json'], { env });
    // Wait for real progress (rows on disk), not for a fixed time.
    await waitForRows(out, 4);
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(143);
    const rows = rowsOf(out);
    const doc = JSON.parse(r.stdout);
    expect(doc.stopped).toBe('signal');
    expect(doc.models[0].n).toBe(rows.length);
    expect(rows.length).toBeLessThan(200);
  });

  it('stops on Ctrl-C with exit 130, keeping the finished rows on disk', async () => {
    const { env, home, file } = await setup(200);
    const out = path.join(home, 'rows.jsonl');
    const child = mmr(['bench', file, '-m', 'openai:gpt-4o', '-j', '4', '--out', out, '--no-cache'], { env });
    await waitForRows(out, 4);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    const rows = rowsOf(out);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(200);
    // Every line on disk is a whole row: nothing half-written.
    expect(rows.every((x) => x.caseId && x.model === 'openai:gpt-4o')).toBe(true);
  });
});
