import { describe, expect, it } from 'vitest';
import { isAvailabilityError, withFallback, type ChainEvent } from '../../src/core/fallback.js';
import type { EngineOptions } from '../../src/core/run-model.js';
import type { ErrorInfo } from '../../src/core/types.js';
import { fakeModel, finish, httpError, scriptedAdapter, start, text, type Step } from '../helpers/fake-adapter.js';

const prompt = { messages: [{ role: 'user' as const, content: 'q' }] };
const err = (kind: ErrorInfo['kind'], status: number | null = null): ErrorInfo => ({ kind, message: kind, status, retryable: false });

async function run(scripts: Record<string, Step[][]>, names: string[], extra: Partial<EngineOptions> = {}) {
  const { adapter, calls } = scriptedAdapter(scripts);
  const events: ChainEvent[] = [];
  // No waiting between retries: runModel's own retry logic is tested elsewhere.
  const opts: EngineOptions = { adapterFor: async () => adapter, sleep: async () => {}, retry: { maxRetries: 1 }, ...extra };
  for await (const ev of withFallback(names.map((n) => fakeModel(n)), prompt, opts)) events.push(ev);
  return { events, calls, brief: events.map((e) => `${e.modelId} ${e.type}${e.type === 'text-delta' ? ` ${e.text}` : ''}`) };
}

describe('isAvailabilityError', () => {
  it.each([
    [err('rate-limit', 429), true],
    [err('overloaded', 529), true],
    [err('server', 503), true],
    [err('timeout'), true],
    [err('network'), true],
    [err('bad-response', 502), true],
    [err('auth', 401), false],
    [err('bad-request', 400), false],
    [err('context-length', 400), false],
    [err('config'), false],
    [err('aborted'), false],
    [err('bad-response'), false],
  ])('%o → %s', (e, want) => {
    expect(isAvailabilityError(e)).toBe(want);
  });
});

describe('withFallback', () => {
  it('moves to the next model when one is unavailable before any text, and says so', async () => {
    const { brief, events, calls } = await run({ a: [[httpError(503, true)]], b: [[start, text('hi'), finish()]] }, ['a', 'b']);
    expect(brief).toEqual(['fake:a retry', 'fake:b fallback', 'fake:b start', 'fake:b text-delta hi', 'fake:b finish']);
    const fb = events.find((e) => e.type === 'fallback');
    expect(fb).toMatchObject({ from: 'fake:a', to: 'fake:b', error: { status: 503 } });
    expect(calls.map((c) => c.model)).toEqual(['a', 'a', 'b']); // a was retried first, as runModel does
  });

  it('walks the whole chain and ends with the last error when every model is unavailable', async () => {
    const { brief, events } = await run({ a: [[httpError(429, false)]], b: [[httpError(500, false)]], c: [[httpError(529, false)]] }, ['a', 'b', 'c']);
    expect(brief).toEqual(['fake:b fallback', 'fake:c fallback', 'fake:c error']);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { status: 529 } });
  });

  it('does not switch after text has arrived: the answer would be spliced from two models', async () => {
    const { brief } = await run({ a: [[start, text('half'), httpError(503, false)]], b: [[start, text('b'), finish()]] }, ['a', 'b']);
    expect(brief).toEqual(['fake:a start', 'fake:a text-delta half', 'fake:a error']);
  });

  it('does not switch for errors the next model would repeat (bad key, bad request)', async () => {
    const { brief, calls } = await run({ a: [[httpError(401, false)]], b: [[start, finish()]] }, ['a', 'b']);
    expect(brief).toEqual(['fake:a error']);
    expect(calls.map((c) => c.model)).toEqual(['a']);
  });

  it('a model that answers ends the chain', async () => {
    const { brief, calls } = await run({ a: [[start, text('ok'), finish()]], b: [[start, finish()]] }, ['a', 'b']);
    expect(brief).toEqual(['fake:a start', 'fake:a text-delta ok', 'fake:a finish']);
    expect(calls).toHaveLength(1);
  });

  it('stops on cancel instead of trying the next model', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const { brief } = await run({ a: [[start, { wait: 5000 }, finish()]], b: [[start, finish()]] }, ['a', 'b'], { signal: ac.signal });
    expect(brief).toEqual(['fake:a start', 'fake:a error']);
  });

  it('treats a first-token timeout as unavailability', async () => {
    const { brief } = await run({ a: [[start, { wait: 5000 }, finish()]], b: [[start, text('b'), finish()]] }, ['a', 'b'], {
      timeouts: { firstTokenMs: 30 },
      retry: { maxRetries: 0 },
    });
    expect(brief).toEqual(['fake:a start', 'fake:b fallback', 'fake:b start', 'fake:b text-delta b', 'fake:b finish']);
  });
});
