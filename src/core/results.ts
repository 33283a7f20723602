import type { ErrorInfo, FanoutEvent, FinishReason, Usage } from './types.js';

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
  /** ms from request start to the first token; null if none came. */
  ttftMs: number | null;
  /** ms from request start to the end (finish or error). */
  latencyMs: number | null;
  /** Attempts made (1 = no retry). */
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
      r.ttftMs = ev.ttftMs;
      r.latencyMs = ev.latencyMs;
      r.done = true;
      break;
    case 'error':
      r.error = ev.error;
      r.ttftMs = ev.ttftMs;
      r.latencyMs = ev.latencyMs;
      r.done = true;
      break;
  }
  return r;
}

/** Output tokens per second after the first token; null when it cannot be known. */
export function tokensPerSecond(r: Pick<AnswerResult, 'usage' | 'ttftMs' | 'latencyMs'>): number | null {
  const out = r.usage?.outputTokens;
  if (out == null || r.latencyMs == null) return null;
  const streamMs = r.latencyMs - (r.ttftMs ?? 0);
  return streamMs > 0 ? (out * 1000) / streamMs : null;
}

/** Sum of known costs; null when every cost is unknown. */
export function totalCost(results: AnswerResult[]): number | null {
  const known = results.map((r) => r.costUsd).filter((c): c is number => c != null);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
}
