/**
 * Upper bounds on what one answer may make mmr hold or read, whatever a server (or a local
 * command) sends: one SSE event or NDJSON line, one answer's text, one decoded body. Past a
 * bound the answer ends with a clear `bad-response` error; the other models carry on.
 */
import type { ErrorInfo } from '../core/types.js';
import type { ProviderSpec } from './provider.js';

/** Longest line, SSE event (its data lines together) or complete JSON body, in characters (UTF-16 units). */
export const MAX_EVENT_CHARS = 8 * 1024 * 1024;
/** Default bound on one answer's text plus reasoning, in UTF-8 bytes (config `limits.maxAnswerBytes`). */
export const DEFAULT_MAX_ANSWER_BYTES = 32 * 1024 * 1024;
/**
 * Default bound on one response body, in bytes after fetch undid any content-encoding (config
 * `limits.maxBodyBytes`). Framing costs 100–250 bytes per delta, so a real answer of a million
 * tokens stays under it, while a decompression bomb or an endless stream of keep-alives stops.
 */
export const DEFAULT_MAX_BODY_BYTES = 512 * 1024 * 1024;

/** The bounds in force for one provider. */
export interface StreamLimits {
  /** One answer's text plus reasoning, in UTF-8 bytes. */
  maxAnswerBytes: number;
  /** One body's decoded bytes. */
  maxBodyBytes: number;
  /** One line, event or JSON body, in characters. */
  maxEventChars: number;
}

export function limitsFor(spec: Pick<ProviderSpec, 'limits'>): StreamLimits {
  const maxBodyBytes = spec.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    maxAnswerBytes: spec.limits?.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES,
    maxBodyBytes,
    maxEventChars: Math.min(MAX_EVENT_CHARS, maxBodyBytes),
  };
}

/** `32 MiB`, `512 KiB`, `1,500 bytes`: sizes in messages, exact when they are not round. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes.toLocaleString('en-US')} bytes`;
}

/** What crossed a bound: a line or event that never ended, the whole body, or the answer. */
export type LimitKind = 'event' | 'body' | 'answer';

/** Thrown by the stream readers when a bound is crossed; the HTTP runner turns it into an error event. */
export class StreamLimitError extends Error {
  constructor(
    readonly limitKind: LimitKind,
    message: string,
  ) {
    super(message);
    this.name = 'StreamLimitError';
  }
}

export const eventTooLong = (what: 'line' | 'event' | 'JSON body', max: number): StreamLimitError =>
  new StreamLimitError('event', `one ${what} of the response exceeded ${formatSize(max)} (${max.toLocaleString('en-US')} characters); stopped reading`);

export const bodyTooLarge = (max: number, encoding?: string | null): StreamLimitError =>
  new StreamLimitError(
    'body',
    `the response body exceeded ${formatSize(max)}${encoding && encoding !== 'identity' ? ` after ${encoding} decompression` : ''}; stopped reading`,
  );

/** The error event for a crossed bound. Not retryable: the same server would send the same again. */
export function limitInfo(spec: Pick<ProviderSpec, 'id'>, err: StreamLimitError): ErrorInfo {
  const hint =
    err.limitKind === 'answer'
      ? 'raise limits.maxAnswerBytes in your config if answers this long are expected'
      : err.limitKind === 'body'
        ? 'raise limits.maxBodyBytes in your config if this server legitimately sends that much'
        : `${spec.id} sent data mmr cannot use; check the server`;
  return { kind: 'bad-response', message: `${spec.id}: ${err.message}`, status: null, retryable: false, code: `${err.limitKind}-too-large`, hint };
}

/**
 * Counts an answer's bytes as its deltas pass; `add` returns the error once the total would
 * exceed the bound (the delta that crosses it is not shown).
 */
export class AnswerBudget {
  private used = 0;
  constructor(private readonly max: number) {}

  add(text: string): StreamLimitError | undefined {
    this.used += Buffer.byteLength(text, 'utf8'); // ~17 ns for a delta; JSON.parse of its chunk costs ~40× that
    if (this.used <= this.max) return undefined;
    return new StreamLimitError('answer', `the answer exceeded ${formatSize(this.max)} (limits.maxAnswerBytes); stopped reading`);
  }
}
