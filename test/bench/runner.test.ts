/**
 * The runner in-process against the local provider server: a broken conversation, failed calls'
 * cost, a rows sink that fails, and a judge cut short by the budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { normalizeCase } from '../../src/bench/normalize.js';
import { runBench, type RunnerOptions } from '../../src/bench/runner.js';
import { LogCache } from '../../src/bench/cache-store.js';
import { openSession } from '../../src/session/open.js';
import type { BenchCase, BenchRow } from '../../src/bench/types.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({
    reply: (req) => {
      const q: string = req.body.messages.at(-1).content;
      if (req.model === 'breaks' && q === 'first') return { status: 400, errorMessage: 'no' };
      return { text: `ok ${q}`, usage: { input: 1000, output: 1000 } };
    },
  });
});
afterAll(() => server.close());

async function setup(models: string[]) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'mmr-runner-'));
  const env = { HOME: cwd, XDG_CONFIG_HOME: path.join(cwd, '.config'), OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrls.openai };
  const session = await openSession({ model: models, retries: 0 }, { env, cwd });
  return (extra: Partial<RunnerOptions> & Pick<RunnerOptions, 'onRow'>) =>
    ({ models: session.models, options: {}, engine: { ...session.engine, retry: { maxRetries: 0 } }, concurrency: 4, ...extra }) as RunnerOptions;
}

describe('runBench', () => {
  it('a turn that fails ends its conversation: later turns are rows marked skipped, failed calls cost $0', async () => {
    const opts = await setup(['openai:gpt-4o', 'openai:breaks']);
    const c = normalizeCase({ id: 'conv', turns: ['first', 'second'], expect: ['ok'] }, 'f:1', 'x');
    const rows: BenchRow[] = [];
    const out = await runBench([c], opts({ onRow: (r) => void rows.push(r) }));
    expect(out).toMatchObject({ stopped: null, skipped: 0, planned: 4 });
    const broken = rows.filter((r) => r.model === 'openai:breaks').sort((a, b) => a.turn - b.turn);
    expect(broken.map((r) => [r.turn, r.error?.kind, r.costUsd, r.pass])).toEqual([[1, 'bad-request', 0, null], [2, 'skipped', 0, false]]);
    expect(broken[1].error?.message).toBe('not sent: turn 1 failed');
    const good = rows.filter((r) => r.model === 'openai:gpt-4o').sort((a, b) => a.turn - b.turn);
    expect(good.map((r) => [r.turn, r.answer, r.pass])).toEqual([[1, 'ok first', null], [2, 'ok second', true]]);
    expect(good[1].costUsd).toBeGreaterThan(0);
  });

  it('a cached re-run (hits found without I/O) gives the rows the live run gave, from cases in memory or streamed', async () => {
    const opts = await setup(['openai:gpt-4o', 'openai:gpt-4o-mini']);
    const cache = await LogCache.open(path.join(mkdtempSync(path.join(tmpdir(), 'mmr-runner-cache-')), 'bench'));
    const cases = Array.from({ length: 30 }, (_, i) => normalizeCase({ id: `c${i}`, prompt: `q${i}`, expect: i % 3 ? [`q${i}`] : [{ type: 'number', value: i }] }, `f:${i + 1}`, 'x'));
    const run = async (from: Iterable<BenchCase> | AsyncIterable<BenchCase>) => {
      const rows: BenchRow[] = [];
      const out = await runBench(from, opts({ cache, concurrency: 8, onRow: (r) => void rows.push(r) }));
      expect(out).toMatchObject({ stopped: null, skipped: 0 });
      return rows.sort((a, b) => a.caseId.localeCompare(b.caseId) || a.model.localeCompare(b.model));
    };
    const live = await run(cases);
    expect(live.every((r) => !r.cached && r.error === null)).toBe(true);
    const hits = cache.hits;
    const again = await run(cases);
    const streamed = await run((async function* () {
      yield* cases;
    })());
    expect(cache.hits - hits).toBe(120);
    for (const rows of [again, streamed]) {
      expect(rows.every((r) => r.cached)).toBe(true);
      expect(rows.map((r) => ({ ...r, cached: false }))).toEqual(live);
    }
    await cache.close();
  });

  it('cases in memory whose iterator throws stop the run with its error', async () => {
    const opts = await setup(['openai:gpt-4o']);
    const c = normalizeCase({ id: 'one', prompt: 'q' }, 'f:1', 'x');
    const failing: Iterable<BenchCase> = {
      [Symbol.iterator]: () => {
        let n = 0;
        return { next: () => (n++ < 2 ? { done: false, value: { ...c, id: `c${n}` } } : (() => { throw new Error('file changed'); })()) };
      },
    };
    const rows: BenchRow[] = [];
    const err = await runBench(failing, opts({ onRow: (r) => void rows.push(r) })).catch((e: Error) => e);
    expect((err as Error).message).toBe('file changed');
  });

  it('a rows sink that fails stops the run and the error comes back once every worker is done', async () => {
    const opts = await setup(['openai:gpt-4o']);
    const cases = Array.from({ length: 40 }, (_, i) => normalizeCase({ id: `c${i}`, prompt: `q${i}` }, `f:${i}`, 'x'));
    let n = 0;
    const err = await runBench(cases, opts({ onRow: () => {
      if (++n === 3) throw new Error('disk full');
    } })).catch((e: Error) => e);
    expect((err as Error).message).toBe('disk full');
    const settled = n;
    await new Promise((r) => setTimeout(r, 200));
    // Nothing runs on unseen after the failure.
    expect(n).toBe(settled);
    expect(n).toBeLessThan(40);
  });

  it('the row whose judge spend reaches the budget is kept; rows judged after the stop are not', async () => {
    const opts = await setup(['openai:gpt-4o']);
    const cases = Array.from({ length: 10 }, (_, i) => normalizeCase({ id: `c${i}`, prompt: `q${i}`, expect: [{ type: 'judge', rubric: 'good' }] }, `f:${i}`, 'x'));
    const rows: BenchRow[] = [];
    const out = await runBench(cases, opts({
      concurrency: 1,
      engine: { adapterFor: (await import('../../src/providers/registry.js')).adapterFor, fetch: undefined, retry: { maxRetries: 0 } },
      maxCostUsd: 0.25,
      judge: async () => ({ type: 'judge', pass: true, costUsd: 0.1 }),
      onRow: (r) => void rows.push(r),
    }));
    expect(out.stopped).toBe('budget');
    // $0.10 per judged row, no price for answers here: the third row reaches $0.30 and is kept.
    expect(rows.map((r) => r.caseId)).toEqual(['c0', 'c1', 'c2']);
    expect(out.spentUsd).toBeCloseTo(0.3);
  });
});
