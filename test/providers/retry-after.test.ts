/**
 * A Retry-After that asks for no wait (0, negative, a date already past) must not turn retries
 * into a burst: the engine falls back to its own backoff. The real adapter and engine against
 * the mock server; the engine's sleep is injected so the waits are read, not slept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModel } from '../../src/core/run-model.js';
import type { AnswerEvent } from '../../src/core/types.js';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { adapterFor } from '../../src/providers/registry.js';
import { SECRET_KEY, specFor } from './support.js';

let server: MockServer;
let retryAfter = '0';
beforeAll(async () => {
  server = await startMockServer({ reply: () => ({ status: 429, headers: { 'retry-after': retryAfter } }) });
});
afterAll(() => server.close());

async function waits(protocol: 'openai' | 'anthropic'): Promise<{ sleeps: number[]; requests: number; last: AnswerEvent }> {
  const before = server.requests.length;
  const sleeps: number[] = [];
  let last: AnswerEvent | undefined;
  const spec = { ...specFor(protocol, ''), baseUrl: server.baseUrls[protocol], apiKey: SECRET_KEY };
  for await (const ev of runModel({ id: `${protocol}:m`, provider: spec, model: 'm', options: {} }, { messages: [{ role: 'user', content: 'hi' }] }, {
    adapterFor,
    retry: { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 30_000 },
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0,
  })) {
    last = ev;
  }
  return { sleeps, requests: server.requests.length - before, last: last! };
}

describe('Retry-After that asks for no wait', () => {
  it.each(['0', '-3', 'Wed, 21 Oct 2015 07:28:00 GMT'])('Retry-After: %s → mmr backs off by itself', async (value) => {
    retryAfter = value;
    for (const protocol of ['openai', 'anthropic'] as const) {
      const { sleeps, requests, last } = await waits(protocol);
      expect(requests).toBe(3);
      // Equal jitter with random() = 0: half of 500 ms, then half of 1000 ms.
      expect(sleeps).toEqual([250, 500]);
      expect(last).toMatchObject({ type: 'error', error: { kind: 'rate-limit', status: 429 } });
      expect(last.type === 'error' && last.error.retryAfterMs).toBeUndefined();
    }
  });

  it('a real Retry-After is still honoured', async () => {
    retryAfter = '2';
    const { sleeps } = await waits('openai');
    expect(sleeps).toEqual([2000, 2000]);
  });
});
