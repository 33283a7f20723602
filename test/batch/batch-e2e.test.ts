/**
 * `mmr bench --batch` through the built binary against the project's local provider server,
 * which implements the OpenAI, Anthropic and Gemini batch APIs: answers land in the same cache
 * and rows as a live run at half price, per-request errors are rows, multi-turn cases and judge
 * checks go in later waves, a provider without a batch API runs live, and a re-run asks nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockReply, type MockRequestInfo, type MockServer } from '../../src/mock-server/index.js';
import { isolatedEnv, mmr } from '../helpers/cli.js';

let server: MockServer;
const lastUser = (req: MockRequestInfo): string => {
  const b = req.body;
  if (req.protocol === 'gemini') return b.contents.at(-1).parts.map((p: { text: string }) => p.text).join('');
  const c = b.messages.at(-1).content;
  return typeof c === 'string' ? c : c.map((p: { text: string }) => p.text).join('');
};
function reply(req: MockRequestInfo): MockReply {
  const q = lastUser(req);
  if (q.includes('[Rubric]')) return { text: /Paris/.test(q) ? 'Correct.\nVERDICT: PASS' : 'Wrong.\nVERDICT: FAIL', usage: { input: 100, output: 10 } };
  if (/refuse me/.test(q)) return { status: 400, errorMessage: 'This request was refused by the provider' };
  if (/capital of France/.test(q)) return { text: 'Paris', usage: { input: 12, output: 2 } };
  if (/and of Italy/.test(q)) return { text: 'Rome', usage: { input: 20, output: 2 } };
  return { text: `The answer is ${q.length}.`, usage: { input: 10, output: 5 } };
}
beforeAll(async () => {
  server = await startMockServer({ reply });
});
afterAll(() => server.close());

async function setup(lines: object[]) {
  const { env, home } = await isolatedEnv({
    OPENAI_API_KEY: 'sk-test-openai-key',
    ANTHROPIC_API_KEY: 'sk-ant-test-key',
    GEMINI_API_KEY: 'gm-test-key',
    OPENAI_BASE_URL: server.baseUrls.openai,
    ANTHROPIC_BASE_URL: server.baseUrls.anthropic,
    GEMINI_BASE_URL: server.baseUrls.gemini,
  });
  env.XDG_CACHE_HOME = path.join(home, '.cache');
  const file = path.join(home, 'cases.jsonl');
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return { env, home, file, out: path.join(home, 'rows.jsonl') };
}
const rowsOf = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const since = (n: number) => server.requests.slice(n);
const THREE = ['-m', 'openai:gpt-4o-mini', '-m', 'anthropic:claude-haiku-4-5', '-m', 'gemini:gemini-2.5-flash'];

describe('mmr bench --batch (built binary, local batch APIs)', () => {
  it('answers every case through the three batch APIs, at half the live price, into the same rows and cache a live run uses', async () => {
    const cases = Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, prompt: `What is the capital of France? (${i})`, expect: [{ type: 'contains', value: 'Paris' }] }));
    const { env, home, file, out } = await setup(cases);
    const before = server.requests.length;
    const r = await mmr(['bench', file, ...THREE, '--batch', '--poll-interval', '20ms', '--json', '--out', out], { env, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wave 1: 18 requests in 3 batch jobs \(openai:gpt-4o-mini, anthropic:claude-haiku-4-5, gemini:gemini-2\.5-flash\)/);
    // Every answer came from a batch job; nothing was asked live.
    const asked = since(before);
    expect(asked).toHaveLength(18);
    expect(asked.every((q) => q.batch !== undefined)).toBe(true);
    expect(new Set(asked.map((q) => q.batch)).size).toBe(3);
    const rows = rowsOf(out);
    expect(rows).toHaveLength(18);
    expect(rows.every((x) => x.batch === true && x.pass === true && x.cached === false && x.latencyMs === null && x.answer === 'Paris')).toBe(true);
    const doc = JSON.parse(r.stdout);
    expect(doc.models.map((m: { passed: number }) => m.passed)).toEqual([6, 6, 6]);

    // The same cases live on a fresh cache: each batch answer costs half as much.
    const live = await setup(cases);
    const lr = await mmr(['bench', live.file, ...THREE, '--json', '--out', live.out], { env: live.env, timeout: 60_000 });
    expect(lr.exitCode, lr.stderr).toBe(0);
    const liveRows = rowsOf(live.out);
    for (const row of rows) {
      const twin = liveRows.find((x) => x.caseId === row.caseId && x.model === row.model);
      expect(row.costUsd).toBeGreaterThan(0);
      expect(row.costUsd).toBeCloseTo(twin.costUsd / 2, 12);
    }
    expect(doc.spentUsd).toBeCloseTo(JSON.parse(lr.stdout).spentUsd / 2, 12);

    // A re-run is all cache: no request, no job, nothing spent; the rows still say batch.
    const again = server.requests.length;
    const rr = await mmr(['bench', file, ...THREE, '--batch', '--poll-interval', '20ms', '--json', '--out', out], { env, timeout: 60_000 });
    expect(rr.exitCode, rr.stderr).toBe(0);
    expect(rr.stderr).toBe('');
    expect(server.requests.length).toBe(again);
    expect(JSON.parse(rr.stdout).spentUsd).toBe(0);
    expect(rowsOf(out).every((x) => x.cached === true && x.batch === true)).toBe(true);
    // Nothing is left open once the rows are out.
    expect((await mmr(['batch', 'status'], { env })).stdout).toMatch(/^no batch jobs/);
    expect(home).toBeTruthy();
  });

  it('a request the provider refuses is a row with its error; follow-up turns and judge checks go in later waves', async () => {
    const { env, file, out } = await setup([
      { id: 'conv', turns: ['What is the capital of France?', { prompt: 'and of Italy?', expect: [{ type: 'contains', value: 'Rome' }] }] },
      { id: 'judged', prompt: 'Name the capital of France.', expect: [{ type: 'judge', rubric: 'Says Paris' }] },
      { id: 'bad', prompt: 'refuse me', expect: [{ type: 'contains', value: 'x' }] },
    ]);
    const before = server.requests.length;
    const r = await mmr(['bench', file, '-m', 'openai:gpt-4o-mini', '--judge', 'anthropic:claude-haiku-4-5', '--batch', '--poll-interval', '20ms', '--json', '--out', out], { env, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(4); // one call errored
    expect(r.stderr).toMatch(/wave 1: 3 requests in 1 batch job \(openai:gpt-4o-mini\)/);
    expect(r.stderr).toMatch(/wave 2: 2 requests in 2 batch jobs \(openai:gpt-4o-mini, anthropic:claude-haiku-4-5\)/);
    const asked = since(before);
    expect(asked.every((q) => q.batch !== undefined)).toBe(true);
    expect(new Set(asked.map((q) => q.batch)).size).toBe(3);
    const rows = rowsOf(out);
    const of = (id: string, turn = 1) => rows.find((x) => x.caseId === id && x.turn === turn);
    expect(of('conv', 2)).toMatchObject({ answer: 'Rome', pass: true, batch: true, messages: [{ role: 'user', content: 'What is the capital of France?' }, { role: 'assistant', content: 'Paris' }, { role: 'user', content: 'and of Italy?' }] });
    expect(of('judged')).toMatchObject({ pass: true, checks: [{ type: 'judge', pass: true, detail: 'judge: pass' }] });
    expect(of('judged').judgeCostUsd).toBeGreaterThan(0);
    expect(of('bad')).toMatchObject({ pass: false, batch: true, error: { kind: 'bad-request', status: 400 } });
    expect(of('bad').error.message).toContain('This request was refused by the provider');
    // The refused request is not cached: the next run asks it again (and only it).
    const again = server.requests.length;
    const rr = await mmr(['bench', file, '-m', 'openai:gpt-4o-mini', '--judge', 'anthropic:claude-haiku-4-5', '--batch', '--poll-interval', '20ms', '--json'], { env, timeout: 60_000 });
    expect(rr.exitCode).toBe(4);
    expect(since(again).map((q) => lastUser(q))).toEqual(['refuse me']);
  });

  it('a provider without a batch API runs live, with a note; --batch with --no-cache is refused', async () => {
    const other = await startMockServer({ reply, batch: { unsupported: ['openai'] } });
    try {
      const { env, file } = await setup([{ id: 'a', prompt: 'What is the capital of France?', expect: [{ type: 'contains', value: 'Paris' }] }]);
      env.OPENAI_BASE_URL = other.baseUrls.openai;
      const r = await mmr(['bench', file, '-m', 'openai:gpt-4o-mini', '--batch', '--poll-interval', '20ms', '--json'], { env, timeout: 60_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain('openai has no batch API (HTTP 404 at its /files endpoint); asking it live');
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0].batch).toBeUndefined();
      const nc = await mmr(['bench', file, '-m', 'openai:gpt-4o-mini', '--batch', '--no-cache'], { env });
      expect(nc.exitCode).toBe(2);
      expect(nc.stderr).toContain('--batch keeps the answers in the cache, so it cannot run with --no-cache');
    } finally {
      await other.close();
    }
  });

  it('a model whose provider has no batch API (Ollama) runs live, with a note', async () => {
    const { env, file } = await setup([{ id: 'a', prompt: 'What is the capital of France?', expect: [{ type: 'contains', value: 'Paris' }] }]);
    env.OLLAMA_HOST = server.baseUrls.ollama;
    const before = server.requests.length;
    const r = await mmr(['bench', file, '-m', 'ollama:llama3.2', '--batch', '--poll-interval', '20ms', '--json'], { env, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('ollama:llama3.2 has no batch API that mmr uses');
    const asked = since(before);
    expect(asked).toHaveLength(1);
    expect(asked[0].batch).toBeUndefined();
    expect(JSON.parse(r.stdout).models[0].passed).toBe(1);
  });

  it("the run's wall time includes the wait for its batch jobs", async () => {
    // The job validates for 400 ms before it runs: no run that waited for it can take less.
    const slow = await startMockServer({ reply, batch: { startDelayMs: 400 } });
    try {
      const { env, file } = await setup([{ id: 'a', prompt: 'What is the capital of France?' }]);
      env.OPENAI_BASE_URL = slow.baseUrls.openai;
      const r = await mmr(['bench', file, '-m', 'openai:gpt-4o-mini', '--batch', '--poll-interval', '20ms', '--json'], { env, timeout: 60_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(slow.requests.every((q) => q.batch !== undefined)).toBe(true);
      expect(JSON.parse(r.stdout).wallMs).toBeGreaterThanOrEqual(400);
    } finally {
      await slow.close();
    }
  });
});
