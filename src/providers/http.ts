/**
 * HTTP plumbing shared by the adapters: the POST itself and what a failed connection means.
 * Status/body classification lives in http-errors.ts; the stream lifecycle in http-stream.ts.
 */
import type { ErrorInfo } from '../core/types.js';
import type { ProviderSpec, StreamOptions } from './provider.js';
import { oneLine, sanitizeError } from './http-errors.js';

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

/** The undici dispatcher Node's fetch uses (undici's documented cross-copy global). */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

interface Dispatcher {
  dispatch(opts: unknown, handler: { onConnect?: (...args: unknown[]) => unknown }): boolean;
}

/**
 * Node's own fetch: a dispatcher in front of its global one that reports `onSent` when the request
 * gets its connection and is written (undici's `onConnect`), so connecting to a new host is not
 * counted as the provider's time. Undefined when the global dispatcher is not there to wrap.
 */
function sentDispatcher(onSent: () => void): Dispatcher | undefined {
  const base = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER] as Dispatcher | undefined;
  if (typeof base?.dispatch !== 'function') return undefined;
  return {
    dispatch(opts, handler) {
      const h = Object.create(handler) as typeof handler;
      h.onConnect = function (this: unknown, ...args: unknown[]) {
        onSent();
        return handler.onConnect?.apply(this, args);
      };
      return base.dispatch(opts, h);
    },
  };
}

/** POST a JSON body with the injected fetch; rejects on network failure like fetch does. */
export function postJson(url: string, headers: Record<string, string>, body: unknown, options: StreamOptions): Promise<Response> {
  const init: RequestInit = {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: options.signal,
  };
  if (options.fetch) {
    options.onSent?.();
    return options.fetch(url, init);
  }
  const dispatcher = options.onSent && sentDispatcher(options.onSent);
  // Node's fetch takes undici's `dispatcher` option; the DOM RequestInit type does not know it.
  if (dispatcher) Object.assign(init, { dispatcher });
  else options.onSent?.();
  return globalThis.fetch(url, init);
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
    return spec.baseUrl;
  }
}

function refusedHint(spec: ProviderSpec): string {
  if (spec.protocol === 'ollama' || spec.id === 'ollama') {
    return 'is Ollama running? start it with `ollama serve` or set OLLAMA_HOST';
  }
  return `is the server at ${spec.baseUrl} running? check the base URL`;
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
      hint: `check the base URL (${spec.baseUrl}) and your network connection`,
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
      message: `invalid base URL for provider ${spec.id}: ${spec.baseUrl}`,
      hint: `check the baseUrl of provider ${spec.id} in your config`,
    };
  } else {
    info = { ...base, message: `request to ${hostOf(spec)} failed: ${oneLine(f.message, 160)}` };
  }
  return sanitizeError(spec, info);
}
