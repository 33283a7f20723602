import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
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

const rowsOf = (file: string) => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('mmr bench stops cleanly', () => {
  it('stops at --max-cost and keeps every finished row', async () => {
    const { env, home, file } = await setup(40);
    const out = path.join(home, 'rows.jsonl');
    // One answer costs $0.0125; a $0.05 cap stops the run after a handful, well before 40.
    const r = await mmr(['bench', file, '-m', 'openai:gpt-4o', '-j', '2', '--max-cost', '0.05', '--json', '--out', out, '--no-cache'], { env });
    const rows = rowsOf(out);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.length).toBeLessThan(40);
    expect(rows.every((x) => x.pass === true)).toBe(true);
    expect(r.stderr).toMatch(/max-cost|budget|spend/i);
    const doc = JSON.parse(r.stdout);
    expect(doc.spentUsd).toBeGreaterThanOrEqual(0.05);
    expect(doc.spentUsd).toBeLessThan(0.05 + 2 * 0.0125 + 1e-9); // at most the requests already in flight
  });

  it('stops on Ctrl-C with exit 130, keeping the finished rows on disk', async () => {
    const { env, home, file } = await setup(200);
    const out = path.join(home, 'rows.jsonl');
    const child = mmr(['bench', file, '-m', 'openai:gpt-4o', '-j', '4', '--out', out, '--no-cache'], { env });
    await new Promise((r) => setTimeout(r, 1_200));
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
