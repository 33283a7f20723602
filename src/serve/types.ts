/**
 * The shapes `mmr serve` passes between its parts: a client request parsed out of either wire
 * format, the error a client is told about, and the contract each wire format implements.
 */
import type { ModelOptions } from '../core/model.js';
import type { ChatMessage, FinishReason, Usage } from '../core/types.js';

/** The protocol a client speaks to mmr serve (and, for the raw path, the upstream's protocol). */
export type ClientProtocol = 'openai' | 'anthropic';

/** A chat request, parsed from either wire format into what the engine understands. */
export interface ParsedChat {
  protocol: ClientProtocol;
  /** The `model` field as the client sent it: `mmr/auto`, an alias or `provider:model`. */
  model: string;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`: a last chunk with usage and no choices. */
  includeUsage: boolean;
  /** The turns, text only, system turns removed (they are in `options.system`). */
  messages: ChatMessage[];
  /** Client sampling options; they win over config, as flags do for `mmr ask`. */
  options: ModelOptions;
  /** The last user turn's text: what the router reads, and the log's `prompt`. */
  routeText: string;
  /**
   * What the translation cannot carry (tools, images, response_format, ...), named as the
   * client wrote them. Non-empty: only a raw pass-through to an upstream of the same protocol
   * can answer; to any other upstream it is a 400 naming them.
   */
  needsRaw: string[];
  /** Fields the translation drops without changing the answer's meaning (metadata, cache_control, ...); kept on the raw path. */
  prefersRaw: string[];
  /** The request body as received, for the raw path. */
  body: Record<string, unknown>;
}

/** What kind of failure a client is told about; each wire spells it its own way. */
export type ClientErrorType =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'too_large'
  | 'rate_limit'
  | 'overloaded'
  | 'timeout'
  | 'upstream'
  | 'server';

/** An error as an HTTP response: status, kind, message, and what an SDK's retry logic reads. */
export interface ClientError {
  status: number;
  type: ClientErrorType;
  /** One line; never carries a key. */
  message: string;
  /** The offending request field, e.g. `messages[2].content[0]` (OpenAI `param`). */
  param?: string;
  /** Machine-readable code, e.g. `rate_limit_exceeded`, `model_not_found`. */
  code?: string;
  /** How long the client should wait before retrying, in ms (sent as Retry-After / retry-after-ms). */
  retryAfterMs?: number;
  /** Sent as `x-should-retry`, which both official SDKs obey over their own status rules. */
  shouldRetry?: boolean;
}

/** Thrown while parsing or routing a request; answered as a ClientError in the client's format. */
export class ClientRequestError extends Error {
  constructor(readonly info: ClientError) {
    super(info.message);
    this.name = 'ClientRequestError';
  }
}

export const badRequest = (message: string, param?: string, code?: string): ClientRequestError =>
  new ClientRequestError({ status: 400, type: 'invalid_request', message, ...(param ? { param } : {}), ...(code ? { code } : {}) });

/** What mmr says about the answer beside the protocol's own fields (also sent as x-mmr-* headers). */
export interface AnswerMeta {
  /** Response id (`chatcmpl-…` / `msg_…` are derived from it). */
  id: string;
  /** `provider:model` that answered (after fallbacks). */
  model: string;
  /** The routing label: `rule:<name>`, `default`, `model` (named by the client), or the router's source. */
  route: string;
  /** Models that failed before `model` answered in their place. */
  fallbackFrom: string[];
  /** Unix seconds at the start. */
  created: number;
}

/** The end of an answer, for the final chunk or the whole body. */
export interface AnswerEnd {
  finishReason: FinishReason;
  usage: Usage;
  /** USD; null when the price is unknown. */
  costUsd: number | null;
}

/** mmr's own account of the answer, beside the protocol's fields (clients ignore unknown fields). */
export const mmrField = (meta: AnswerMeta, end: AnswerEnd) => ({ model: meta.model, route: meta.route, fallback_from: meta.fallbackFrom, cost_usd: end.costUsd == null ? null : Number(end.costUsd.toPrecision(6)) });

/** A streamed answer, as frames of the client's protocol. Each method returns the bytes to write. */
export interface StreamEncoder {
  /** The frames before the first text (OpenAI: the role chunk; Anthropic: message_start, content_block_start, ping). */
  start(): string;
  text(text: string): string;
  /** Reasoning text; '' where the client's protocol has no place for it. */
  reasoning(text: string): string;
  /** The closing frames: finish reason, usage, terminator. */
  finish(end: AnswerEnd): string;
  /** A failure after the stream began, in the protocol's in-stream error shape. */
  error(e: ClientError): string;
  /** A keep-alive frame for long silences. */
  ping(): string;
}

/** One wire format as the server needs it. */
export interface Wire {
  protocol: ClientProtocol;
  /** Throws ClientRequestError for a body the protocol does not allow. */
  parse(body: unknown): ParsedChat;
  /** The whole answer as one JSON body (non-streaming). */
  complete(req: ParsedChat, meta: AnswerMeta, text: string, reasoning: string, end: AnswerEnd): unknown;
  stream(req: ParsedChat, meta: AnswerMeta): StreamEncoder;
  /** The protocol's error body for `e`. */
  errorBody(e: ClientError, requestId: string): unknown;
}
