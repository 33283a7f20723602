/**
 * The event contracts every part of mmr speaks. Providers normalise their wire formats into
 * ProviderEvent; the fan-out engine adds timing, cost and slot to make FanoutEvent, which the
 * Ink UI, the pipe writer and the bench runner all consume.
 */

export type Role = 'system' | 'user' | 'assistant';

/** An image file's magic bytes decide this, never its name. */
export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/**
 * An image attached to a message. Encoded once when it is read, so N columns share one copy and
 * every adapter writes the same base64 into its own wire shape.
 */
export interface ImageInput {
  mediaType: ImageMediaType;
  /** The file's bytes, base64 (no data: prefix). */
  base64: string;
  /** Size of the decoded file, in bytes. */
  bytes: number;
  /** Where it came from (a path or `image 1`), for messages; never sent. */
  name: string;
  /** SHA-256 of the bytes, hex: what caches key on instead of the whole image. */
  sha256: string;
}

export interface ChatMessage {
  role: Role;
  /** The turn's text. Text-only paths read nothing else. */
  content: string;
  /** Images that go with this turn, after its text (user turns; absent on most messages). */
  images?: ImageInput[];
}

/**
 * How much a model should think, one value for every provider: `off`, a level, or a budget in
 * tokens. Adapters map it onto their own knob (OpenAI `reasoning_effort`, Anthropic `thinking`,
 * Gemini `thinkingConfig`, Ollama `think`); see providers/reasoning.ts.
 */
export type ReasoningLevel = 'off' | 'low' | 'medium' | 'high';
export type ReasoningSetting = ReasoningLevel | number;

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
  /** Reasoning effort or budget (tokens). Omitted → the provider's default. */
  reasoning?: ReasoningSetting;
}

/** Token usage normalised across providers. `null` means the provider did not report it. */
export interface Usage {
  /** Prompt tokens billed, including cached ones. */
  inputTokens: number | null;
  /** Completion tokens billed, including reasoning tokens where the provider counts them there. */
  outputTokens: number | null;
  /** Part of inputTokens served from the provider's prompt cache. */
  cachedInputTokens?: number;
  /** Reasoning/thinking tokens, part of outputTokens (OpenAI reasoning_tokens, Anthropic thinking_tokens, Gemini thoughtsTokenCount). */
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
