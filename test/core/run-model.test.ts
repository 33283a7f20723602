import { describe, expect, it } from 'vitest';
import { runModel, retryDelay, type EngineOptions } from '../../src/core/run-model.js';
import type { AnswerEvent } from '../../src/core/types.js';
import { priceBookFrom } from '../../src/core/cost.js';
import { fakeModel, finish, httpError, scriptedAdapter, start, text, type Step } from '../helpers/fake-adapter.js';

async function run(scripts: Record<string, Step[][]>, model = fakeModel('m'), extra: Partial<EngineOptions> = {}) {
  const { adapter, calls } = scriptedAdapter(scripts);
  const sleeps: number[] = [];
  const events: AnswerEvent[] = [];
  for await (const ev of runModel(model, { messages: [{ role: 'user', content: 'hi' }] }, {
    adapterFor: async () => adapter,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...extra,
  })) {
    events.push(ev);
  }
  return { events, calls, sleeps, last: events[events.length - 1] };
}

describe('runModel', () => {
  it('streams text and ends with one finish carrying ttft, latency and cost', async () => {
    const prices = priceBookFrom({ calcPrice: (() => ({ total_price: 0.0042 })) as never });
    const { events, last } = await run({ m: [[start, { wait: 20 }, text('Hel'), text('lo'), finish()]] }, fakeModel('m'), {
      prices: async () => prices,
      priceProviderOf: () => 'openai',
    });
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text).join('')).toBe('Hello');
    expect(events.filter((e) => e.type === 'finish' || e.type === 'error')).toHaveLength(1);
    expect(last.type).toBe('finish');
    if (last.type !== 'finish') throw new Error();
    expect(last.ttftMs).toBeGreaterThanOrEqual(15);
    expect(last.latencyMs).toBeGreaterThanOrEqual(last.ttftMs!);
    expect(last.costUsd).toBe(0.0042);
    expect(last.usage).toEqual({ inputTokens: 10, outputTokens: 5 });
  });

  it('reports an unknown price as null, a local model as 0, and a config price from usage', async () => {
    const noPrices = priceBookFrom({ calcPrice: (() => null) as never });
    const unknown = await run({ m: [[start, text('x'), finish()]] }, fakeModel('m'), { prices: async () => noPrices });
    expect(unknown.last.type === 'finish' && unknown.last.costUsd).toBeNull();
    const local = await run({ m: [[start, text('x'), finish()]] }, fakeModel('m'), { prices: async () => noPrices, isLocal: () => true });
    expect(local.last.type === 'finish' && local.last.costUsd).toBe(0);
    const priced = await run({ m: [[start, text('x'), finish(1_000_000, 2_000_000)]] }, fakeModel('m', { price: { input: 1, output: 2 } }), {
      prices: async () => noPrices,
      isLocal: () => true,
    });
    expect(priced.last.type === 'finish' && priced.last.costUsd).toBe(5);
  });

  it('retries a 429 after the delay the provider asked for, then answers', async () => {
    const { last, sleeps, calls, events } = await run({
      m: [[httpError(429, true, { retryAfterMs: 1234 })], [start, text('ok'), finish()]],
    });
    expect(sleeps).toEqual([1234]);
    expect(calls).toHaveLength(2);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ attempt: 2, delayMs: 1234 });
    expect(last.type).toBe('finish');
  });

  it('backs off exponentially with jitter when no delay is given, and stops after maxRetries', async () => {
    const { last, sleeps, calls } = await run({ m: [[httpError(503, true)]] }, fakeModel('m'), {
      retry: { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 10_000 },
    });
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([75, 150, 300]); // cap/2 + 0.5 * cap/2 for caps 100, 200, 400
    expect(last).toMatchObject({ type: 'error', error: { status: 503 } });
  });

  it('never retries what the provider says will not help', async () => {
    const { calls, last, sleeps } = await run({ m: [[httpError(401, false)]] });
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(last).toMatchObject({ type: 'error', error: { status: 401, retryable: false } });
  });

  it('gives up instead of waiting longer than maxDelayMs', async () => {
    const { calls, last } = await run({ m: [[httpError(429, true, { retryAfterMs: 48_000 })]] }, fakeModel('m'), {
      retry: { maxDelayMs: 30_000 },
    });
    expect(calls).toHaveLength(1);
    expect(last.type === 'error' && last.error.message).toMatch(/asked to wait 48 s; not retrying/);
  });

  it('does not retry once text has been shown (the answer would change under the reader)', async () => {
    const cut = { type: 'error' as const, error: { kind: 'network' as const, message: 'stream ended before the response finished', status: null, retryable: true } };
    const { calls, last, events } = await run({ m: [[start, text('partial'), cut]] });
    expect(calls).toHaveLength(1);
    expect(events.some((e) => e.type === 'text-delta')).toBe(true);
    expect(last).toMatchObject({ type: 'error', error: { kind: 'network' } });
  });

  it('turns a silent provider into a first-token timeout, retried and then reported', async () => {
    const { calls, last } = await run({ m: [[start, { wait: 5_000 }, text('late'), finish()]] }, fakeModel('m'), {
      timeouts: { firstTokenMs: 30, idleMs: 0, connectMs: 0 },
      retry: { maxRetries: 1 },
    });
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => c.aborted)).toBe(true);
    expect(last).toMatchObject({ type: 'error', error: { kind: 'timeout' } });
    expect(last.type === 'error' && last.error.message).toMatch(/no first token after 30 ms/);
  });

  it('enforces an idle timeout between events and a total timeout over retries', async () => {
    const idle = await run({ m: [[start, text('a'), { wait: 5_000 }, finish()]] }, fakeModel('m'), { timeouts: { idleMs: 30 } });
    expect(idle.last.type === 'error' && idle.last.error.message).toMatch(/went silent after 30 ms/);
    const total = await run({ m: [[start, text('a'), { wait: 5_000 }, finish()]] }, fakeModel('m'), { timeouts: { totalMs: 40 } });
    expect(total.last).toMatchObject({ type: 'error', error: { kind: 'timeout', retryable: false } });
  });

  it('reports a missing key with the env var to set, without calling the provider', async () => {
    const { calls, last } = await run({ m: [[start, finish()]] }, fakeModel('m', {}, { needsKey: true, apiKey: undefined, keyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'] }));
    expect(calls).toHaveLength(0);
    expect(last).toMatchObject({ type: 'error', error: { kind: 'config', hint: 'set GEMINI_API_KEY or GOOGLE_API_KEY' } });
  });

  it('stops promptly when the caller aborts mid-stream', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const t0 = performance.now();
    const { last, calls } = await run({ m: [[start, text('a'), { wait: 10_000 }, finish()]] }, fakeModel('m'), { signal: ac.signal });
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(calls[0].aborted).toBe(true);
    expect(last).toMatchObject({ type: 'error', error: { kind: 'aborted' } });
  });

  it('computes backoff from the policy', () => {
    const e = { kind: 'server' as const, message: '', status: 500, retryable: true };
    const policy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 4_000 };
    expect(retryDelay(1, e, policy, () => 0)).toBe(250);
    expect(retryDelay(1, e, policy, () => 0.999)).toBeLessThanOrEqual(500);
    expect(retryDelay(6, e, policy, () => 1)).toBe(4_000);
    expect(retryDelay(1, { ...e, retryAfterMs: 7 }, policy, () => 0)).toBe(7);
  });
});
