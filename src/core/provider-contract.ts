/**
 * The provider contract core consumes: a provider as data (`ProviderSpec`) and the adapter
 * interface the engine calls (`ProviderAdapter`). Types only; the adapters live in src/providers/,
 * which re-exports these from providers/provider.ts.
 */
import type { ModelRequest, ProviderEvent } from './types.js';

/**
 * The wire protocol a provider speaks. Many providers share one (every OpenAI-compatible host).
 * `openai-responses` is OpenAI's Responses API (`POST {baseUrl}/responses`) on the same base URL
 * and key as `openai`; a model can be switched to it (config `models.<id>.protocol`), and
 * models OpenAI serves only there switch on their own.
 */
export type ProtocolKind = 'openai' | 'openai-responses' | 'anthropic' | 'gemini' | 'ollama' | 'command';

/** How an OpenAI-compatible server takes a reasoning setting. */
export type ReasoningParam = 'reasoning_effort' | 'openrouter';

/**
 * A provider as data: where it is, how it authenticates. Built from presets + config + env.
 * The resolved key lives only in memory; it is never written or printed.
 */
export interface ProviderSpec {
  /** The id users type before the colon: `openai`, `groq`, `ollama`, `my-vllm`, ... */
  id: string;
  protocol: ProtocolKind;
  /** API root. openai: with /v1 (as OPENAI_BASE_URL); anthropic: without /v1; gemini: with version (…/v1beta); ollama: host root. */
  baseUrl: string;
  /** The resolved API key, if any (from the first set env var in keyEnv). */
  apiKey?: string;
  /** Env vars consulted for the key, in order; used in hints ("set OPENAI_API_KEY"). */
  keyEnv: string[];
  /** Whether a key is required to call it (false for local servers). */
  needsKey: boolean;
  /** Extra HTTP headers (e.g. OpenRouter's HTTP-Referer). */
  headers?: Record<string, string>;
  /**
   * Azure OpenAI: the key goes in `api-key`, the model name is a deployment in the URL
   * (`{baseUrl}/openai/deployments/{model}/chat/completions?api-version=…`), unless the base
   * URL is Azure's v1 API (`…/openai/v1`), which takes OpenAI's own paths.
   */
  azure?: {
    /** The `api-version` query value (OPENAI_API_VERSION, config `providers.azure.apiVersion`). Unset: the adapter's default per API. */
    apiVersion?: string;
  };
  /** OpenAI-compatible servers: the request field a reasoning setting goes in (default `reasoning_effort`). */
  reasoningParam?: ReasoningParam;
  /** For protocol `command`: argv; `{model}` in an element is replaced by the model name. */
  command?: string[];
  /** For protocol `command`: extra environment variables for the process. */
  commandEnv?: Record<string, string>;
  /** Bounds on what one answer may send (config `limits`); unset fields take the defaults in limits.ts. */
  limits?: {
    /** One answer's text plus reasoning, in UTF-8 bytes. */
    maxAnswerBytes?: number;
    /** One response body, in bytes after content-encoding is undone (HTTP providers). */
    maxBodyBytes?: number;
  };
}

export interface StreamOptions {
  /** Cancels the request; the adapter must stop promptly and end with an `aborted` error or return. */
  signal: AbortSignal;
  /** Injected fetch (tests, proxies). Defaults to globalThis.fetch. */
  fetch?: typeof fetch;
  /**
   * Called synchronously right before the request leaves: just before `fetch` is called (HTTP),
   * or before the program is spawned (command). The engine's timing starts here, so ttft and
   * latency exclude module loading, preflight and queueing. An adapter that sends a second
   * request within one attempt (OpenAI without `stream_options`) calls it again; the last call
   * marks the request that answered. Adapters that never call it are timed from `stream()`.
   */
  onSent?: () => void;
}

/**
 * The contract every adapter implements. `stream` never throws: failures arrive as an
 * `error` event, and every stream ends with exactly one `finish` or `error` event.
 */
export interface ProviderAdapter {
  stream(spec: ProviderSpec, request: ModelRequest, options: StreamOptions): AsyncIterable<ProviderEvent>;
  /** Loads what the first request needs (the HTTP client's modules), so it is not timed as the provider's. */
  warm?(): Promise<void>;
}
