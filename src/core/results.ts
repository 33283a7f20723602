import type { ErrorInfo, FanoutEvent, FinishReason, Timing, Usage } from './types.js';

/** One model's complete answer, folded from its events: the record `--json` and bench print. */
export interface AnswerResult {
  /** `provider:model`. */
  model: string;
  /** The alias the user typed, if any. */
  alias?: string;
  text: string;
  reasoning: string;
  finishReason: FinishReason | null;
  usage: Usage | null;
  /** USD; null when the price is unknown or the model failed. */
  costUsd: number | null;
  /** ms from the answering attempt's request being written to the first content token; null if none came. */
  ttftMs: number | null;
  /** ms from the answering attempt's request being written to the end (finish or error); null if no request was sent. */
  latencyMs: number | null;
  /** ms from the first to the last content token (the tok/s window); null if no token came. */
  streamMs: number | null;
  /** ms from the engine taking up this column to its end, retries, backoff waits and fallbacks included. */
  wallMs: number | null;
  /** Requests made by the model that answered (1 = no retry; 0 = none was sent). */
  attempts: number;
  error: ErrorInfo | null;
  /** Models that failed with an availability error before this one answered in their place (routing fallback). */
  fallbackFrom: { model: string; error: ErrorInfo }[];
  /** True once a finish or error arrived. */
  done: boolean;
}

export const emptyResult = (model: string, alias?: string): AnswerResult => ({
  model,
  alias,
  text: '',
  reasoning: '',
  finishReason: null,
  usage: null,
  costUsd: null,
  ttftMs: null,
  latencyMs: null,
  streamMs: null,
  wallMs: null,
  attempts: 1,
  error: null,
  fallbackFrom: [],
  done: false,
});

/** Applies one event to its slot's result (mutates and returns it; the UI copies for React). */
export function applyEvent(r: AnswerResult, ev: FanoutEvent): AnswerResult {
  switch (ev.type) {
    case 'text-delta':
      r.text += ev.text;
      break;
    case 'reasoning-delta':
      r.reasoning += ev.text;
      break;
    case 'retry':
      r.attempts = ev.attempt;
      break;
    case 'fallback':
      r.fallbackFrom.push({ model: ev.from, error: ev.error });
      r.model = ev.to;
      r.alias = undefined;
      r.attempts = 1;
      break;
    case 'finish':
      r.finishReason = ev.finishReason;
      r.usage = ev.usage;
      r.costUsd = ev.costUsd;
      setTiming(r, ev);
      r.done = true;
      break;
    case 'error':
      r.error = ev.error;
      setTiming(r, ev);
      r.done = true;
      break;
  }
  return r;
}

function setTiming(r: AnswerResult, t: Timing): void {
  r.ttftMs = t.ttftMs;
  r.latencyMs = t.latencyMs;
  r.streamMs = t.streamMs;
  r.wallMs = t.wallMs;
  r.attempts = t.attempts;
}

/**
 * The shortest first-to-last-token window a rate is computed over. Below it the figure measures
 * how the bytes were batched, not how fast the model generates: a local server delivering a
 * whole answer in one 10 ms burst reads as 15,000 tok/s.
 */
export const MIN_RATE_WINDOW_MS = 250;

/**
 * Output tokens per second over the time from the first to the last content token; null when
 * the token count is unknown or that window is shorter than MIN_RATE_WINDOW_MS.
 */
export function tokensPerSecond(r: Pick<AnswerResult, 'usage' | 'streamMs'>): number | null {
  const out = r.usage?.outputTokens;
  if (out == null || r.streamMs == null || r.streamMs < MIN_RATE_WINDOW_MS) return null;
  return (out * 1000) / r.streamMs;
}

/** Sum of known costs; null when every cost is unknown. */
export function totalCost(results: AnswerResult[]): number | null {
  const known = results.map((r) => r.costUsd).filter((c): c is number => c != null);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
}
