import type { ProviderEvent } from '../../src/core/types.js';
import type { ProviderAdapter, ProviderSpec } from '../../src/providers/provider.js';
import type { ResolvedModel } from '../../src/core/model.js';

/**
 * A step of a scripted attempt: an event to yield, a pause in ms, a jump of the virtual clock
 * (`tick`, see `virtualClock`), or `sent`: the moment the request is written (an attempt
 * without one reports it as its first step, as the HTTP adapters do just before fetch).
 */
export type Step = ProviderEvent | { wait: number } | { tick: number } | { sent: true };

/** A clock tests move by hand: `now` for the engine, `tick` steps in scripts. */
export function virtualClock(start = 1000) {
  const clock = { value: start, now: () => clock.value };
  return clock;
}

/**
 * An in-process adapter for engine tests: attempt n plays script[n-1] (the last one repeats).
 * It honours the abort signal the way a real adapter must: the pending wait ends and an
 * `aborted` error is the last event.
 */
export function scriptedAdapter(scripts: Record<string, Step[][]>, clock?: { value: number }) {
  const calls: { model: string; attempt: number; aborted: boolean }[] = [];
  const adapter: ProviderAdapter = {
    async *stream(_spec, request, { signal, onSent }) {
      const prior = calls.filter((c) => c.model === request.model).length;
      const call = { model: request.model, attempt: prior + 1, aborted: false };
      calls.push(call);
      const attempts = scripts[request.model] ?? [[{ type: 'error', error: { kind: 'config', message: 'no script', status: null, retryable: false } }]];
      const steps = attempts[Math.min(prior, attempts.length - 1)];
      if (!steps.some((s) => 'sent' in s)) onSent?.();
      for (const step of steps) {
        if ('tick' in step) {
          if (clock) clock.value += step.tick;
          continue;
        }
        if ('sent' in step) {
          onSent?.();
          continue;
        }
        if ('wait' in step) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, step.wait);
            signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
          });
        }
        if (signal.aborted) {
          call.aborted = true;
          yield { type: 'error', error: { kind: 'aborted', message: 'aborted', status: null, retryable: false } };
          return;
        }
        if (!('wait' in step)) yield step as ProviderEvent;
      }
    },
  };
  return { adapter, calls };
}

export function fakeModel(model: string, over: Partial<ResolvedModel> = {}, spec: Partial<ProviderSpec> = {}): ResolvedModel {
  return {
    id: `fake:${model}`,
    model,
    options: {},
    provider: { id: 'fake', protocol: 'openai', baseUrl: 'http://127.0.0.1:1', keyEnv: ['FAKE_API_KEY'], needsKey: false, ...spec },
    ...over,
  };
}

export const text = (t: string): ProviderEvent => ({ type: 'text-delta', text: t });
export const start: ProviderEvent = { type: 'start' };
export const finish = (input = 10, output = 5): ProviderEvent => ({
  type: 'finish',
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: { inputTokens: input, outputTokens: output },
});
export const httpError = (status: number, retryable: boolean, extra: Record<string, unknown> = {}): ProviderEvent => ({
  type: 'error',
  error: { kind: status === 429 ? 'rate-limit' : status >= 500 ? 'server' : 'auth', message: `HTTP ${status}`, status, retryable, ...extra },
});
