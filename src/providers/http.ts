/**
 * HTTP plumbing shared by the adapters: the POST itself and what a failed connection means.
 * Status/body classification lives in http-errors.ts; the stream lifecycle in http-stream.ts.
 */
import { redactUrl } from '../core/redact.js';
import type { ErrorInfo } from '../core/types.js';
import type { ProviderSpec } from './provider.js';
import { oneLine, redact, sanitizeError } from './http-errors.js';

export {
  abortedInfo,
  badResponseInfo,
  classifyHttpError,
  errorFromPayload,
  keyHint,
  missingKeyInfo,
  parseRetryAfter,
  redact,
  sanitizeError,
} from './http-errors.js';

/** `base` + `path` with exactly one slash between, whatever the user typed. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

interface NetFacts {
  code?: string;
  address?: string;
  port?: number;
  hostname?: string;
  message: string;
}

/** undici wraps the socket error: TypeError("fetch failed") → cause (maybe an AggregateError). */
function netFacts(err: unknown): NetFacts {
  const facts: NetFacts = { message: err instanceof Error ? err.message : String(err) };
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (!facts.code && typeof o.code === 'string') facts.code = o.code;
    if (!facts.address && typeof o.address === 'string') facts.address = o.address;
    if (!facts.port && typeof o.port === 'number') facts.port = o.port;
    if (!facts.hostname && typeof o.hostname === 'string') facts.hostname = o.hostname;
    if (o.cause) queue.push(o.cause);
    if (Array.isArray(o.errors)) queue.push(...o.errors);
    if (e !== err && typeof o.message === 'string' && o.message) facts.message = o.message;
  }
  return facts;
}

function hostOf(spec: ProviderSpec): string {
  try {
    return new URL(spec.baseUrl).host;
  } catch {
    return redactUrl(spec.baseUrl);
  }
}

function refusedHint(spec: ProviderSpec): string {
  if (spec.protocol === 'ollama' || spec.id === 'ollama') {
    return 'is Ollama running? start it with `ollama serve` or set OLLAMA_HOST';
  }
  return `is the server at ${redactUrl(spec.baseUrl)} running? check the base URL`;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

/**
 * ErrorInfo for a request that got no usable HTTP response. `phase` says whether the failure came
 * before the headers (`connect`) or while the body streamed (`stream`), which changes the message.
 */
export function networkErrorInfo(spec: ProviderSpec, err: unknown, phase: 'connect' | 'stream' = 'connect'): ErrorInfo {
  const f = netFacts(err);
  const code = f.code ?? '';
  const where = f.address ? `${f.address}${f.port ? `:${f.port}` : ''}` : hostOf(spec);
  const base = { kind: 'network' as const, status: null, retryable: true, ...(f.code ? { code: f.code } : {}) };
  let info: ErrorInfo;
  if (code === 'ECONNREFUSED') {
    info = { ...base, message: `connection refused at ${where}`, hint: refusedHint(spec) };
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    info = {
      ...base,
      message: `could not resolve host ${f.hostname ?? hostOf(spec)}`,
      hint: `check the base URL (${redactUrl(spec.baseUrl)}) and your network connection`,
    };
  } else if (phase === 'stream' || RESET_CODES.has(code) || /terminated|other side closed|socket hang up/i.test(f.message)) {
    info = { ...base, message: phase === 'stream' ? 'connection closed mid-stream' : `connection reset by ${where}` };
  } else if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    info = { ...base, message: `connection to ${where} timed out` };
  } else if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    info = {
      ...base,
      retryable: false,
      message: `TLS error talking to ${hostOf(spec)}: ${code}`,
      hint: 'if the server uses a private CA, point NODE_EXTRA_CA_CERTS at its certificate',
    };
  } else if (code === 'ERR_INVALID_URL' || /invalid url|failed to parse url/i.test(f.message)) {
    info = {
      kind: 'config',
      status: null,
      retryable: false,
      message: `invalid base URL for provider ${spec.id}: ${redactUrl(spec.baseUrl)}`,
      hint: `check the baseUrl of provider ${spec.id} in your config`,
    };
  } else {
    info = { ...base, message: `request to ${hostOf(spec)} failed: ${oneLine(redact(spec, f.message), 160)}` };
  }
  return sanitizeError(spec, info);
}
