import type { ModelOptions, PriceOverride, RetryPolicy, Timeouts } from '../core/model.js';
import type { ProtocolKind } from '../providers/provider.js';

/** A provider entry in config: overrides a preset (`openai`, `groq`, ...) or defines a new one. */
export interface ProviderConfig {
  /** Required for a new provider id; presets already know theirs. */
  protocol?: ProtocolKind;
  baseUrl?: string;
  /** Env var(s) holding the key. Never the key itself. */
  keyEnv?: string | string[];
  headers?: Record<string, string>;
  /** protocol `command`: argv array; `{model}` is replaced by the model name. */
  command?: string[];
  env?: Record<string, string>;
  /** `mmr bench`: at most this many requests a minute to this provider. */
  rpm?: number;
  /** `mmr bench`: at most this many requests in flight to this provider. */
  concurrency?: number;
  /** Speak Azure OpenAI: deployment URLs, the `api-key` header, `api-version` (the `azure` preset already does). */
  azure?: boolean;
  /** Azure `api-version` (else OPENAI_API_VERSION, else mmr's default per API). */
  apiVersion?: string;
}

/** Per-model settings, keyed by `provider:model` (or alias) in `models:`. */
export interface ModelConfig extends ModelOptions {
  /** Another HTTP protocol for this model on the same provider (e.g. `openai-responses`); never `command`. */
  protocol?: ProtocolKind;
  price?: PriceOverride;
  /** Context window in tokens. */
  contextWindow?: number;
}

/** The whole `.routerrc` document, after validation and merging (user file, then project file). */
export interface MmrConfig {
  /** Default comparison set / routing default: model ids or aliases. */
  default?: string[];
  /** alias → `provider:model` (or another alias). */
  aliases: Record<string, string>;
  models: Record<string, ModelConfig>;
  providers: Record<string, ProviderConfig>;
  /** Options for every request (per-model settings and flags override). */
  options: ModelOptions;
  timeouts: Partial<Timeouts>;
  retries: Partial<RetryPolicy>;
  /** Bounds on what one answer may send; absent fields take the defaults (32 MiB answer, 512 MiB body). */
  limits?: {
    /** One answer's text plus reasoning, in UTF-8 bytes. */
    maxAnswerBytes?: number;
    /** One response body after decompression, in bytes. */
    maxBodyBytes?: number;
  };
  /** Routing rules (validated in full by the routing feature); kept as given. */
  rules: unknown[];
  /** The learned router, tried after the rules and before `default`. */
  learned?: LearnedConfig;
}

export interface LearnedConfig {
  /** Router file written by `mmr learn`; relative to the config file that names it. Default `.mmr/router.json`. */
  file?: string;
  /** 0 = cheapest, 1 = best predicted quality whatever it costs; default: the router's recommendation. */
  tradeoff?: number;
}

export interface LoadedConfig {
  config: MmrConfig;
  /** Files that contributed, lowest precedence first (user-level, then project). */
  files: string[];
  /** The project-level file found by search from cwd (or given with --config), if any. */
  projectFile?: string;
  /** The user-level file in the XDG config dir, if any. */
  userFile?: string;
}
