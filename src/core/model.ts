import type { ProviderSpec } from './provider-contract.js';
import type { ReasoningSetting } from './types.js';

/** Per-request options a model can carry (config `options:` globally, `models.<id>` per model, flags win). */
export interface ModelOptions {
  temperature?: number;
  /** Upper bound on output tokens. */
  maxTokens?: number;
  topP?: number;
  /** System prompt. */
  system?: string;
  stop?: string[];
  /** `off`, `low`, `medium`, `high`, or a thinking budget in tokens. */
  reasoning?: ReasoningSetting;
}

/** A price override from config, in USD per million tokens. */
export interface PriceOverride {
  /** USD per 1M input tokens. */
  input: number;
  /** USD per 1M output tokens. */
  output: number;
  /** USD per 1M cached input tokens (defaults to `input`). */
  cachedInput?: number;
}

/** A model id resolved against config and environment: everything needed to call it. */
export interface ResolvedModel {
  /** Canonical `provider:model`. */
  id: string;
  /** The alias the user typed, when they typed one. */
  alias?: string;
  provider: ProviderSpec;
  /** Provider-side model name (after the first colon; may itself contain colons, e.g. `llama3.2:1b`). */
  model: string;
  options: ModelOptions;
  price?: PriceOverride;
  /** Context window in tokens, when known from config. */
  contextWindow?: number;
  /**
   * A variant's own settings (`model{temperature=0}`, `--vary`): part of what the column is, so
   * they win over the call's flags too (already folded into `options` for everything else).
   */
  variant?: ModelOptions;
  /** The variant's settings as written in its id (`{temperature: '0'}`), to add more without losing them. */
  variantValues?: Partial<Record<'temperature' | 'topP' | 'maxTokens' | 'reasoning' | 'system', string>>;
}

/** Timeouts in ms; 0 disables one. */
export interface Timeouts {
  /** From request start until the provider accepts it (HTTP headers / process spawned). */
  connectMs: number;
  /** From request start until the first token. */
  firstTokenMs: number;
  /** Longest silence between two stream events. */
  idleMs: number;
  /** Whole request, all retries included. */
  totalMs: number;
}

export interface RetryPolicy {
  /** Retries after the first attempt (0 = never retry). */
  maxRetries: number;
  /** First backoff delay in ms; doubles each retry, with full jitter. */
  baseDelayMs: number;
  /** Upper bound for one delay in ms (a longer Retry-After than this gives up instead of waiting). */
  maxDelayMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 15_000, firstTokenMs: 60_000, idleMs: 60_000, totalMs: 600_000 };
export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 30_000 };
