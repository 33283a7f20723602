import type { AnswerEvent, ErrorInfo, ModelRequest, ProviderEvent } from './types.js';
import type { ResolvedModel, RetryPolicy, Timeouts } from './model.js';
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS } from './model.js';
import type { PriceBook } from './cost.js';
import type { ProviderAdapter } from './provider-contract.js';
import { buildRequest, type Prompt } from './request.js';
import { AttemptTimers, defaultSleep, retryDelay, timeoutError, timeoutFor } from './attempt.js';

/** Everything the engine needs from outside, injected so tests control time, network and prices. */
export interface EngineOptions {
  /** Cancels every request at once. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Monotonic clock in ms. */
  now?: () => number;
  /** Waits ms (rejecting or returning early when the signal aborts). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Returns [0,1); used for backoff jitter. */
  random?: () => number;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  /** Price lookup; a promise so the price data loads only when a first answer needs it. */
  prices?: () => Promise<PriceBook | null>;
  /** Adapter for a protocol (lazy-loaded by the registry). */
  adapterFor: (protocol: ResolvedModel['provider']['protocol']) => Promise<ProviderAdapter>;
  /** Provider id in the price data for a provider spec (e.g. gemini → google). */
  priceProviderOf?: (model: ResolvedModel) => string | undefined;
  /** Runs on the user's machine: free unless config sets a price (cost 0, not unknown). */
  isLocal?: (model: ResolvedModel) => boolean;
  /** A check before the first request (e.g. the prompt exceeds the context window); an error skips the call. */
  preflight?: (model: ResolvedModel, request: ModelRequest) => Promise<ErrorInfo | null>;
  /** Readies the HTTP client before the first timed request (default: the adapter's `warm`); skipped when `fetch` is injected. */
  warmup?: () => Promise<void>;
}

/**
 * Streams one model's answer: timeouts (connect, first token, idle, total), retries with backoff
 * for retryable failures that happen before any text arrived (after that, a retry would show the
 * user a different answer), timing, and cost. Never throws; ends with exactly one `finish` or `error`.
 *
 * Timing (see FinishMetrics): ttft and latency run from the moment the answering attempt's
 * request is written (the adapter's `onSent`), so adapter loading, preflight, queueing and earlier
 * attempts are not in them; `wallMs` runs from this call to the end and includes all of that.
 */
export async function* runModel(model: ResolvedModel, prompt: Prompt, opts: EngineOptions): AsyncGenerator<AnswerEvent> {
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const parent = opts.signal ?? new AbortController().signal;
  const started = now();
  let attempts = 0;
  // This attempt's clock: request written, first and last content token.
  let sentAt: number | null = null;
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  const metrics = (end: number) => ({
    ttftMs: sentAt !== null && firstAt !== null ? firstAt - sentAt : null,
    latencyMs: sentAt !== null ? end - sentAt : null,
    streamMs: firstAt !== null && lastAt !== null ? lastAt - firstAt : null,
    wallMs: end - started,
    attempts,
  });
  const fail = (error: ErrorInfo): AnswerEvent => ({ type: 'error', error, ...metrics(now()) });

  const spec = model.provider;
  if (spec.needsKey && !spec.apiKey) {
    const env = spec.keyEnv[0] ?? 'the provider key variable';
    yield fail({
      kind: 'config',
      message: `no API key for ${spec.id}`,
      status: null,
      retryable: false,
      hint: `set ${spec.keyEnv.join(' or ') || env}`,
    });
    return;
  }

  let adapter: ProviderAdapter;
  try {
    adapter = await opts.adapterFor(spec.protocol);
  } catch (err) {
    yield fail({ kind: 'config', message: `cannot load the ${spec.protocol} adapter: ${String(err)}`, status: null, retryable: false });
    return;
  }
  const request = buildRequest(model, prompt);
  const refused = opts.preflight ? await opts.preflight(model, request).catch(() => null) : null;
  if (refused) {
    yield fail(refused);
    return;
  }
  // Loading the HTTP client is mmr starting up, not the provider answering: done before timing.
  if (!opts.fetch) await (opts.warmup ?? adapter.warm)?.();
  // The total timeout covers every attempt and wait: a deadline each attempt's own timer aims at.
  const deadline = timeouts.totalMs > 0 ? performance.now() + timeouts.totalMs : Infinity;
  // Price data takes ~40 ms to load: start it once the request is on the wire, so it overlaps
  // the provider's latency instead of adding to the answer's end.
  const prefetch = opts.prices ? setTimeout(() => void opts.prices!().catch(() => null), 0) : undefined;
  const onSent = () => {
    sentAt = now();
  };

  try {
    for (let attempt = 1; ; attempt++) {
      if (parent.aborted) {
        yield fail({ kind: 'aborted', message: 'cancelled', status: null, retryable: false });
        return;
      }
      if (performance.now() >= deadline) {
        yield fail(timeoutError('total', timeouts.totalMs));
        return;
      }
      // One controller per attempt: the user's Ctrl-C and every timer abort it, each with its reason.
      const ac = new AbortController();
      const onParent = () => ac.abort('user');
      parent.addEventListener('abort', onParent, { once: true });
      const timers = new AttemptTimers(ac, timeouts, deadline);

      attempts = attempt;
      // An adapter that never reports sending is timed from here.
      sentAt = now();
      firstAt = null;
      lastAt = null;
      let sawText = false;
      let ended: ErrorInfo | 'finished' | null = null;
      try {
        for await (const ev of adapter.stream(spec, request, { signal: ac.signal, fetch: opts.fetch, onSent }) as AsyncIterable<ProviderEvent>) {
          timers.touch();
          if (ev.type === 'start') {
            timers.connected();
            yield { type: 'start', attempt };
          } else if (ev.type === 'text-delta' || ev.type === 'reasoning-delta') {
            if (ev.text === '') continue;
            lastAt = now();
            if (firstAt === null) {
              firstAt = lastAt;
              timers.firstText();
            }
            sawText = true;
            yield ev;
          } else if (ev.type === 'finish') {
            // The stream ended here; loading price data is mmr's time, not the provider's.
            const end = now();
            const prices = opts.prices ? await opts.prices().catch(() => null) : null;
            const priceProvider = opts.priceProviderOf?.(model);
            const costUsd =
              !model.price && opts.isLocal?.(model)
                ? 0
                : prices
                  ? prices.cost(priceProvider, model.model, ev.usage, model.price)
                  : null;
            const m = metrics(end);
            yield { ...ev, ...m, latencyMs: m.latencyMs ?? end - started, costUsd };
            ended = 'finished';
            break;
          } else if (ev.type === 'error') {
            ended = ev.error;
            break;
          }
        }
      } finally {
        timers.clear();
        parent.removeEventListener('abort', onParent);
        if (ended !== 'finished') ac.abort('done');
      }
      if (ended === 'finished') return;

      let error: ErrorInfo = ended ?? {
        kind: 'bad-response',
        message: `${spec.id} adapter ended without a result`,
        status: null,
        retryable: false,
      };
      // The abort's reason says who stopped the attempt: the user, or one of our timers (a
      // timeout, not a cancel). 'done' is only the cleanup above.
      const reason: unknown = ac.signal.reason;
      if (parent.aborted) error = { kind: 'aborted', message: 'cancelled', status: null, retryable: false };
      else error = timeoutFor(reason, timeouts) ?? error;
      const retriesLeft = attempt <= policy.maxRetries;
      if (!error.retryable || sawText || !retriesLeft || parent.aborted || performance.now() >= deadline) {
        yield fail(error);
        return;
      }
      const delayMs = retryDelay(attempt, error, policy, random);
      if (delayMs > policy.maxDelayMs) {
        yield fail({ ...error, message: `${error.message} (asked to wait ${Math.round(delayMs / 1000)} s; not retrying)` });
        return;
      }
      yield { type: 'retry', attempt: attempt + 1, delayMs, error };
      // The wait ends early at Ctrl-C or at the deadline (the next turn of the loop then says which).
      await sleep(Math.min(delayMs, Math.max(0, deadline - performance.now())), parent);
    }
  } finally {
    clearTimeout(prefetch);
  }
}
