/**
 * What an HTTP adapter supplies to the shared runner (http-stream.ts): the request to make and
 * its wire format (WireProtocol), plus the small helpers every protocol uses to read JSON from
 * the wire, which may be any shape.
 */
import type { ErrorInfo, ProviderEvent } from '../core/types.js';
import type { BodySource, ReadOptions, StreamTap } from './body.js';
import { excerpt } from './http-errors.js';
import type { StreamLimits } from './limits.js';

/** One HTTP request an adapter wants made. */
export interface HttpCall {
  url: string;
  headers: Record<string, string>;
  /** JSON-serialisable request body. */
  body: unknown;
}

/** How an adapter reads a streamed body; pass it whole to parseSse / parseNdjson, which enforce the limits. */
export interface StreamContext extends ReadOptions {
  signal: AbortSignal;
  tap: StreamTap;
  limits: StreamLimits;
}

/** A protocol's wire format, as the shared runner needs it. */
export interface WireProtocol {
  /** What a streamed 2xx body is: Server-Sent Events or newline-delimited JSON. */
  format: 'sse' | 'ndjson';
  /** Events of a streamed body: deltas, then `finish` or `error`. Returning without one means truncated. */
  events(body: BodySource, ctx: StreamContext): AsyncIterable<ProviderEvent>;
  /** Events of a complete JSON body, for servers that ignore `stream: true`. */
  complete(json: unknown): ProviderEvent[];
  /** A second request to try once after this error response (OpenAI: drop `stream_options`). */
  fallback?(status: number, bodyText: string): HttpCall | undefined;
}

/** A 2xx body the adapter cannot make sense of. */
export class BadResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadResponseError';
  }
}

/** JSON in an SSE `data:` field, or a BadResponseError saying what came instead. */
export function parseEventJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new BadResponseError(`expected JSON in the event stream but got ${excerpt(data)}`);
  }
}

/** Narrowing helpers for JSON from the wire, which may be any shape. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export const fail = (error: ErrorInfo): ProviderEvent => ({ type: 'error', error });
