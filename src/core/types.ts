/**
 * The event contracts every part of mmr speaks. Providers normalise their wire formats into
 * ProviderEvent; the fan-out engine adds timing, cost and slot to make FanoutEvent, which the
 * Ink UI, the pipe writer and the bench runner all consume.
 */

export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: Role;
  content: string;
}

/** What one model is asked. Provider-neutral; adapters map it onto their wire format. */
export interface ModelRequest {
  /** The provider-side model name, i.e. the part after `provider:` (e.g. `gpt-4o-mini`). */
  model: string;
  /** Conversation turns. System text goes in `system`, not here. */
  messages: ChatMessage[];
  /** System prompt, if any. */
  system?: string;
  /** Sampling temperature. Omitted → provider default. */
  temperature?: number;
  /** Upper bound on output tokens. Omitted → provider default (Anthropic requires one; its adapter supplies 4096). */
  maxTokens?: number;
  /** Nucleus sampling. */
  topP?: number;
  /** Stop sequences. */
  stop?: string[];
}

/** Token usage normalised across providers. `null` means the provider did not report it. */
export interface Usage {
  /** Prompt tokens billed, including cached ones. */
  inputTokens: number | null;
  /** Completion tokens billed, including reasoning tokens where the provider counts them there. */
  outputTokens: number | null;
  /** Part of inputTokens served from the provider's prompt cache. */
  cachedInputTokens?: number;
  /** Reasoning/thinking tokens (OpenAI reasoning_tokens, Gemini thoughtsTokenCount). */
  reasoningTokens?: number;
  /** The provider's usage object exactly as received (last one wins). */
  raw?: unknown;
}

export type UnifiedFinishReason =
  | 'stop'
  | 'length'
  | 'content-filter'
  | 'tool-calls'
  | 'error'
  | 'other'
  | 'unknown';

export interface FinishReason {
  unified: UnifiedFinishReason;
  /** The provider's own value (`end_turn`, `MAX_TOKENS`, `length`, ...), or null if none came. */
  raw: string | null;
}

export type ErrorKind =
  | 'auth' // 401/403, bad key
  | 'rate-limit' // 429
  | 'overloaded' // 529, 503 overloaded
  | 'server' // other 5xx
  | 'context-length' // prompt too long for the model
  | 'bad-request' // other 4xx
  | 'network' // connection refused/reset, DNS, stream cut
  | 'timeout' // connect / first-token / idle / total timeout
  | 'bad-response' // HTML, garbage, unparseable stream
  | 'aborted' // the user cancelled
  | 'config' // missing key, unknown provider, ...
  | 'command'; // local command failed

/** A failure as data. Never carries a secret. */
export interface ErrorInfo {
  kind: ErrorKind;
  /** One line a person can read; names what failed. */
  message: string;
  /** HTTP status, or null when there was no HTTP response. */
  status: number | null;
  /** Whether trying again later might succeed (engine retries these before any text arrived). */
  retryable: boolean;
  /** Provider's error code/type, e.g. `rate_limit_exceeded`, `overloaded_error`. */
  code?: string;
  /** How long the provider asked us to wait (Retry-After, retry-after-ms, Gemini RetryInfo), in ms. */
  retryAfterMs?: number;
  /** How to fix it: names the env var, flag or command. */
  hint?: string;
}

/** What a provider adapter yields. Each stream ends with exactly one `finish` or `error`. */
export type ProviderEvent =
  /** The provider accepted the request (HTTP headers arrived OK / process spawned). */
  | { type: 'start' }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'finish'; finishReason: FinishReason; usage: Usage }
  | { type: 'error'; error: ErrorInfo };

/**
 * Timing the engine measures for one model. The clock of ttft, latency and stream starts when
 * the answering attempt's request is written (just before fetch, or the program's spawn), so
 * module loading, price data, preflight checks, queueing, earlier attempts and backoff waits are
 * not in them; `wallMs` is the one that includes all of that.
 */
export interface Timing {
  /** ms from the answering attempt's request being written to its first content (text or reasoning) token; null if none came. */
  ttftMs: number | null;
  /** ms from the answering attempt's request being written to the end of its stream; null when no request was sent. */
  latencyMs: number | null;
  /** ms from the first to the last content token of the answering attempt (the window tok/s is computed over); null if no token came. */
  streamMs: number | null;
  /** ms from the engine taking up this model to the end: adapter loading, preflight, every attempt and every backoff wait. */
  wallMs: number;
  /** Requests made, retries included (0 when none was sent: a missing key, a refused preflight). */
  attempts: number;
}

/** Timing and cost the engine measures around a provider's finish. */
export interface FinishMetrics extends Timing {
  /** ms from the answering attempt's request being written to the end of its stream. */
  latencyMs: number;
  /** USD for this answer from usage × price; null when the price is unknown (never shown as $0). */
  costUsd: number | null;
}

export type AnswerEvent =
  | { type: 'start'; attempt: number }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'retry'; attempt: number; delayMs: number; error: ErrorInfo }
  /** A routing rule's fallback: `from` failed with an availability error before any text; `to` answers in its place. */
  | { type: 'fallback'; from: string; to: string; error: ErrorInfo }
  | ({ type: 'finish'; finishReason: FinishReason; usage: Usage } & FinishMetrics)
  | ({ type: 'error'; error: ErrorInfo } & Timing);

/** AnswerEvent tagged with the column it belongs to. */
export type FanoutEvent = AnswerEvent & {
  /** 0-based position of the model in the comparison. */
  slot: number;
  /** `provider:model` as resolved (aliases expanded). */
  modelId: string;
};

export const emptyUsage = (): Usage => ({ inputTokens: null, outputTokens: null });
