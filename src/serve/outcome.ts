/**
 * What happened to one served request, as the log and the stats record it, and the x-mmr-*
 * headers that tell the client the same.
 */
import type { Usage } from '../core/types.js';
import { headerSafe } from './http.js';
import type { AnswerMeta } from './types.js';

export interface Outcome {
  /** `provider:model` that answered (or failed last); null when none was chosen. */
  model: string | null;
  /** Routing label (see AnswerMeta.route); null when the request failed before routing. */
  route: string | null;
  fallbackFrom: string[];
  /** HTTP status sent; 499 when the client went away first. */
  status: number;
  /** `raw`: passed through to a same-protocol upstream (tools, images, ...); `engine`: translated. */
  path: 'engine' | 'raw' | null;
  /** The provider's own finish reason, when one came. */
  finishReason: string | null;
  usage: Usage | null;
  /** USD; null when unknown (price unknown or no usage). */
  costUsd: number | null;
  /** ms from the answering attempt's start to the first content; null if none came. */
  ttftMs: number | null;
  /** ms from the request's start upstream to the end of the answer. */
  latencyMs: number | null;
  /** One line; null on success. */
  error: string | null;
  /** The answer text (kept only when the log keeps text). */
  answer?: string;
}

export const emptyOutcome = (): Outcome => ({
  model: null, route: null, fallbackFrom: [], status: 500, path: null, finishReason: null,
  usage: null, costUsd: null, ttftMs: null, latencyMs: null, error: null,
});

/** `x-mmr-cost-usd`: the answer's cost in USD, or `unknown`. */
export const costHeader = (usd: number | null): string => (usd == null ? 'unknown' : String(Number(usd.toPrecision(6))));

/** The headers that say what happened: who answered, why, and who failed first. */
export function mmrHeaders(meta: AnswerMeta): Record<string, string> {
  const h: Record<string, string> = { 'x-mmr-model': headerSafe(meta.model), 'x-mmr-route': headerSafe(meta.route), 'x-request-id': meta.id, 'request-id': meta.id };
  if (meta.fallbackFrom.length) h['x-mmr-fallback-from'] = headerSafe(meta.fallbackFrom.join(', '));
  return h;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // nginx and similar proxies would otherwise hold the stream back in a buffer.
  'x-accel-buffering': 'no',
  // The cost is known only at the end: it follows as a trailer (and in the last event's `mmr`).
  trailer: 'x-mmr-cost-usd',
};
