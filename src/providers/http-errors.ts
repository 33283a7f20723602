/**
 * Turning HTTP failures into ErrorInfo: what kind, whether retrying can help, how long the
 * provider asked us to wait, and a hint naming what to fix. Every provider's error envelope
 * is read here (OpenAI, Anthropic, Gemini, Ollama, Azure), so adapters stay wire-format only.
 */
import { maskSecrets, redactUrl, urlSecrets } from '../core/redact.js';
import type { ErrorInfo, ErrorKind } from '../core/types.js';
import type { ProviderSpec } from './provider.js';
import type { HeaderLookup } from './transport.js';
import { excerpt, oneLine, readErrorFields, type ErrorFields } from './error-body.js';

export { excerpt, oneLine } from './error-body.js';

/** What a spec holds that must never be shown: its key, and the credentials in its base URL. */
type SecretSource = Pick<ProviderSpec, 'apiKey'> & Partial<Pick<ProviderSpec, 'baseUrl'>>;

/**
 * Masks the spec's API key and base-URL credentials wherever they appear, a truncated prefix of
 * them included, and the credentials of any URL; errors are shown, logged and saved. A "key" of a
 * few characters is a placeholder for a local server and is left alone (see MIN_SECRET_LENGTH).
 */
export function redact(spec: SecretSource, text: string): string {
  return maskSecrets(text, spec.baseUrl ? [spec.apiKey, ...urlSecrets(spec.baseUrl)] : [spec.apiKey]);
}

/** The last line of defence: no field of an ErrorInfo may carry a secret. */
export function sanitizeError(spec: SecretSource, info: ErrorInfo): ErrorInfo {
  const out: ErrorInfo = { ...info, message: redact(spec, info.message) };
  if (info.hint !== undefined) out.hint = redact(spec, info.hint);
  if (info.code !== undefined) out.code = redact(spec, info.code);
  return out;
}

/** An IMF-fixdate / RFC 850 / asctime HTTP date: a weekday or month name, and a year. */
const HTTP_DATE = /[a-z]{3}.*\d{4}|\d{4}.*[a-z]{3}/i;

/**
 * Wait time the provider asked for, in ms; undefined when it asked for none usable, so mmr's own
 * backoff applies. `retry-after-ms` (OpenAI/Azure) wins when positive; Azure also sends
 * `Retry-After-Ms: 0` next to `Retry-After: 1`. A wait of 0, a negative one or a date already
 * past is no instruction: taken literally it turns retries into a burst of requests.
 */
export function parseRetryAfter(headers: HeaderLookup | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 1) return Math.round(ms);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^[+-]?\d+(\.\d+)?$/.test(value)) return positive(Math.round(Number.parseFloat(value) * 1000));
  if (!HTTP_DATE.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : positive(date - now);
}

const positive = (ms: number): number | undefined => (ms >= 1 ? ms : undefined);

const CONTEXT_RE =
  /context length|context window|context_length_exceeded|prompt is too long|maximum context|exceeds the maximum number of tokens|input is too long|too many tokens/i;
const AUTH_RE = /api key not valid|invalid api key|incorrect api key|invalid x-api-key|API_KEY_INVALID/i;

/** The env var a person should set, for hints. */
export function keyHint(spec: ProviderSpec): string {
  const env = spec.keyEnv[0] ?? (spec.protocol === 'gemini' ? 'GEMINI_API_KEY' : undefined);
  return env ? `set ${env}` : `set an API key for provider ${spec.id} in your config`;
}

function kindOf(status: number | null, f: ErrorFields, text: string): ErrorKind {
  const contextCapable = status === null || status === 400 || status === 413 || status === 422;
  if (contextCapable && (f.code === 'context_length_exceeded' || CONTEXT_RE.test(f.message ?? text))) return 'context-length';
  if (status === 401 || status === 403 || f.type === 'authentication_error') return 'auth';
  if (AUTH_RE.test(f.reason ?? '') || AUTH_RE.test(f.message ?? '')) return 'auth';
  if (status === 429 || f.status === 'RESOURCE_EXHAUSTED' || f.type === 'rate_limit_error' || f.code === 'rate_limit_exceeded') return 'rate-limit';
  if (status === 529 || status === 503 || f.type === 'overloaded_error') return 'overloaded';
  if (status === 408) return 'timeout';
  if (status === null && /not found/i.test(f.message ?? '')) return 'bad-request';
  if (status === null || status >= 500) return 'server';
  return 'bad-request';
}

function hintFor(spec: ProviderSpec, kind: ErrorKind, status: number | null, f: ErrorFields, retryable: boolean, model?: string): string | undefined {
  switch (kind) {
    case 'auth':
      return `the API key was rejected; ${keyHint(spec)} to a valid key`;
    case 'rate-limit':
      if (f.code === 'insufficient_quota') return 'the account is out of quota; check your plan and billing with the provider';
      return retryable
        ? 'the provider is rate-limiting; wait a moment or compare fewer models at once'
        : 'this one request exceeds a per-minute token limit; shorten the prompt or lower max tokens';
    case 'context-length':
      return 'shorten the prompt, or choose a model with a larger context window';
    case 'overloaded':
      return 'the provider is overloaded; try again in a moment';
    case 'server':
      return 'the provider had a server error; try again later';
    default:
      // Azure OpenAI's filter refusing the prompt: a 400 with code content_filter (innererror ResponsibleAIPolicyViolation).
      if (f.code === 'content_filter' || /content management policy/i.test(f.message ?? '')) {
        return 'the provider\'s content filter refused the prompt; rephrase it, or review the content filter configured for this deployment';
      }
      if (spec.protocol === 'ollama' && model && (status === 404 || /not found/i.test(f.message ?? ''))) {
        return `pull the model first: \`ollama pull ${model}\``;
      }
      if (status === 404) return `check the model name and the base URL (${redactUrl(spec.baseUrl)})`;
      return undefined;
  }
}

/**
 * ErrorInfo for an error envelope. `status` is null for errors reported inside a 200 stream
 * (Anthropic `event: error`, an OpenAI-compatible `data: {"error":…}`, an Ollama error line).
 */
export function errorFromPayload(
  spec: ProviderSpec,
  status: number | null,
  payload: unknown,
  opts: { headers?: HeaderLookup; text?: string; model?: string } = {},
): ErrorInfo {
  const f = readErrorFields(payload);
  // Masked before anything shortens them: a key cut in half by a truncation is still a leak.
  if (f.message) f.message = redact(spec, f.message);
  const text = redact(spec, opts.text ?? '');
  const kind = kindOf(status, f, text);
  let retryable = status === null
    ? kind === 'overloaded' || kind === 'rate-limit' || kind === 'server'
    : status === 408 || status === 409 || status === 429 || status >= 500;
  const shouldRetry = opts.headers?.get('x-should-retry');
  if (shouldRetry === 'false') retryable = false;
  else if (shouldRetry === 'true') retryable = true;
  // OpenAI's "Request too large" is a 429 that no amount of waiting fixes.
  if (status === 429 && /^request too large/i.test(f.message ?? '')) retryable = false;
  if (f.code === 'insufficient_quota') retryable = false;

  const detail = f.message ? oneLine(f.message) : text.trim() ? excerpt(text) : 'empty response body';
  const info: ErrorInfo = {
    kind,
    message: status === null ? `${spec.id} reported an error: ${detail}` : `${spec.id} returned HTTP ${status}: ${detail}`,
    status,
    retryable,
  };
  const code = f.reason ?? f.code ?? f.type ?? f.status;
  if (code) info.code = code;
  const wait = parseRetryAfter(opts.headers) ?? (f.retryDelayMs !== undefined && f.retryDelayMs >= 1 ? f.retryDelayMs : undefined);
  if (wait !== undefined) info.retryAfterMs = wait;
  const hint = hintFor(spec, kind, status, f, retryable, opts.model);
  if (hint) info.hint = hint;
  return sanitizeError(spec, info);
}

/** ErrorInfo for a non-2xx response, from its status, headers and body text (JSON or not). */
export function classifyHttpError(spec: ProviderSpec, status: number, headers: HeaderLookup, bodyText: string, model?: string): ErrorInfo {
  let payload: unknown;
  try {
    payload = JSON.parse(bodyText);
  } catch {
    payload = undefined; // HTML from a proxy, plain text, or nothing
  }
  return errorFromPayload(spec, status, payload, { headers, text: bodyText, model });
}

/** The caller cancelled. */
export function abortedInfo(): ErrorInfo {
  return { kind: 'aborted', message: 'request cancelled', status: null, retryable: false };
}

/** A provider that needs a key has none. */
export function missingKeyInfo(spec: ProviderSpec): ErrorInfo {
  return { kind: 'config', message: `no API key for provider ${spec.id}`, status: null, retryable: false, hint: keyHint(spec) };
}

/** A 2xx body that is not what the protocol promised. */
export function badResponseInfo(spec: ProviderSpec, message: string): ErrorInfo {
  return sanitizeError(spec, { kind: 'bad-response', message: oneLine(redact(spec, message), 300), status: null, retryable: false });
}
