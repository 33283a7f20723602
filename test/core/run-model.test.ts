import { describe, expect, it } from 'vitest';
import { retryDelay } from '../../src/core/attempt.js';
import { runModel, type EngineOptions } from '../../src/core/run-model.js';
import type { AnswerEvent } from '../../src/core/types.js';
import { priceBookFrom } from '../../src/core/cost.js';
import { fakeModel, finish, httpError, scriptedAdapter, start, text, virtualClock, type Step } from '../helpers/fake-adapter.js';
import { withFallback } from '../../src/core/fallback.js';
import { applyEvent, emptyResult, MIN_RATE_WINDOW_MS, tokensPerSecond } from '../../src/core/results.js';

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

describe('runModel timing', () => {
  /** Runs with a virtual clock: adapter loading, preflight and backoff move it too, by known amounts. */
  async function timed(scripts: Record<string, Step[][]>, extra: Partial<EngineOptions> = {}, model = fakeModel('m')) {
    const clock = virtualClock();
    const { adapter, calls } = scriptedAdapter(scripts, clock);
    const events: AnswerEvent[] = [];
    for await (const ev of runModel(model, { messages: [{ role: 'user', content: 'hi' }] }, {
      now: clock.now,
      adapterFor: async () => {
        clock.value += 40; // loading the adapter module
        return adapter;
      },
      preflight: async () => {
        clock.value += 25; // e.g. reading price data for the context-window check
        return null;
      },
      sleep: async (ms) => void (clock.value += ms),
      random: () => 0.5,
      ...extra,
    })) {
      events.push(ev);
    }
    return { events, calls, last: events[events.length - 1] };
  }

  it('times ttft and latency from the request being written, not from module loading or preflight', async () => {
    const { last } = await timed({ m: [[{ tick: 7 }, { sent: true }, start, { tick: 200 }, text('a'), { tick: 300 }, text('b'), { tick: 5 }, finish()]] });
    expect(last).toMatchObject({ type: 'finish', ttftMs: 200, latencyMs: 505, streamMs: 300, attempts: 1 });
    // wall: adapter 40 + preflight 25 + the adapter's own 7 before sending + 505
    expect(last.type === 'finish' && last.wallMs).toBe(577);
  });

  it('takes the last onSent of an attempt as the request that answered (a second request within one attempt)', async () => {
    const { last } = await timed({ m: [[{ sent: true }, { tick: 30 }, { sent: true }, start, { tick: 100 }, text('a'), finish()]] });
    expect(last).toMatchObject({ type: 'finish', ttftMs: 100, latencyMs: 100 });
  });

  it('after retries, ttft and latency are the answering attempt\'s; wallMs covers every attempt and wait', async () => {
    const { last, events } = await timed({
      m: [[{ tick: 80 }, httpError(429, true, { retryAfterMs: 1000 })], [{ tick: 150 }, start, text('ok'), { tick: 50 }, finish()]],
    });
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ attempt: 2, delayMs: 1000 });
    expect(last).toMatchObject({ type: 'finish', ttftMs: 150, latencyMs: 200, attempts: 2 });
    expect(last.type === 'finish' && last.wallMs).toBe(40 + 25 + 80 + 1000 + 200);
  });

  it('leaves the price data out of latency: the stream ended before it loaded', async () => {
    const clock = virtualClock();
    const { adapter } = scriptedAdapter({ m: [[start, { tick: 100 }, text('x'), finish()]] }, clock);
    let last: AnswerEvent | undefined;
    for await (const ev of runModel(fakeModel('m'), { messages: [{ role: 'user', content: 'hi' }] }, {
      now: clock.now,
      adapterFor: async () => adapter,
      prices: async () => {
        clock.value += 60;
        return null;
      },
    })) {
      last = ev;
    }
    expect(last).toMatchObject({ type: 'finish', ttftMs: 100, latencyMs: 100 });
  });

  it('reports no latency and zero attempts when nothing was sent', async () => {
    const { last, calls } = await timed({ m: [[start, finish()]] }, {}, fakeModel('m', {}, { needsKey: true, apiKey: undefined, keyEnv: ['X_KEY'] }));
    expect(calls).toHaveLength(0);
    expect(last).toMatchObject({ type: 'error', ttftMs: null, latencyMs: null, streamMs: null, attempts: 0 });
    const refused = await timed({ m: [[start, finish()]] }, { preflight: async () => ({ kind: 'context-length', message: 'too long', status: null, retryable: false }) });
    expect(refused.last).toMatchObject({ type: 'error', latencyMs: null, attempts: 0 });
  });

  it('a fallback chain\'s wallMs covers the models that gave way', async () => {
    const clock = virtualClock();
    const { adapter } = scriptedAdapter({ a: [[{ tick: 300 }, httpError(503, true)]], b: [[start, { tick: 120 }, text('ok'), finish()]] }, clock);
    const events = [];
    for await (const ev of withFallback([fakeModel('a'), fakeModel('b')], { messages: [{ role: 'user', content: 'hi' }] }, {
      now: clock.now,
      adapterFor: async () => adapter,
      retry: { maxRetries: 0 },
    })) {
      events.push(ev);
    }
    expect(events.at(-1)).toMatchObject({ type: 'finish', modelId: 'fake:b', ttftMs: 120, latencyMs: 120, wallMs: 420 });
  });

  it('computes tok/s over the first-to-last token window, and not at all when that window is too short to mean anything', () => {
    const r = emptyResult('fake:m');
    const fin = (streamMs: number) =>
      applyEvent({ ...r }, { type: 'finish', slot: 0, modelId: 'fake:m', finishReason: { unified: 'stop', raw: 'stop' }, usage: { inputTokens: 1, outputTokens: 200 }, ttftMs: 400, latencyMs: 400 + streamMs, streamMs, wallMs: 500 + streamMs, attempts: 1, costUsd: null });
    expect(tokensPerSecond(fin(2000))).toBe(100);
    // A burst: 200 tokens in 13 ms is the network's batching, not 15,000 tok/s.
    expect(tokensPerSecond(fin(13))).toBeNull();
    expect(tokensPerSecond(fin(MIN_RATE_WINDOW_MS))).toBe(800);
  });
});
