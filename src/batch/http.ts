/**
 * HTTP for the batch APIs: one call with the provider's auth, a time limit, and bounded reads.
 * A redirect is never followed (a batch API has no reason to send one, and the key must not go
 * where a server points); a results URL the provider hands back is used only on the origin the
 * job was created at. Failures become ErrorInfo through the same classifier the adapters use.
 */
import type { ErrorInfo } from '../core/types.js';
import type { ProviderSpec } from '../providers/provider.js';
import { classifyHttpError, sanitizeError } from '../providers/http-errors.js';
import { networkErrorInfo } from '../providers/http.js';
import { keyHeaders } from '../providers/key-headers.js';
import { readLinesOf } from './lines.js';

/** One control call (create, poll, cancel, upload) may take this long, ms. */
export const CALL_TIMEOUT_MS = 120_000;
/** A control response (a job object) larger than this is not one. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

export class BatchHttpError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
    this.name = 'BatchHttpError';
  }
}


export interface CallOptions {
  method?: string;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The response of a call that succeeded (2xx); anything else throws a BatchHttpError. */
export async function call(spec: ProviderSpec, url: string, o: CallOptions = {}): Promise<Response> {
  const doFetch = o.fetch ?? globalThis.fetch;
  const signals = [AbortSignal.timeout(o.timeoutMs ?? CALL_TIMEOUT_MS), ...(o.signal ? [o.signal] : [])];
  let res: Response;
  try {
    res = await doFetch(url, {
      method: o.method ?? 'GET',
      headers: { ...keyHeaders(spec), ...o.headers },
      body: o.body,
      signal: AbortSignal.any(signals),
      redirect: 'manual',
      ...(o.body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch (err) {
    if (o.signal?.aborted) throw new BatchHttpError({ kind: 'aborted', message: 'cancelled', status: null, retryable: false });
    throw new BatchHttpError(networkErrorInfo(spec, err));
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => {});
    throw new BatchHttpError(sanitizeError(spec, { kind: 'bad-response', message: `${spec.id} answered a batch call with a redirect (HTTP ${res.status}); mmr does not follow it with your key`, status: res.status, retryable: false }));
  }
  if (!res.ok) {
    const text = await readText(res, 1024 * 1024).catch(() => '');
    throw new BatchHttpError(classifyHttpError(spec, res.status, res.headers, text));
  }
  return res;
}

/** The body as text, at most `max` bytes (more is an error, never a heap blow-up). */
export async function readText(res: Response, max = MAX_JSON_BYTES): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > max) throw new Error(`response body over ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A 2xx JSON object; a body that is not one is a bad-response error. */
export async function callJson(spec: ProviderSpec, url: string, o: CallOptions = {}): Promise<Record<string, unknown>> {
  const res = await call(spec, url, o);
  let text: string;
  try {
    text = await readText(res);
  } catch (err) {
    throw new BatchHttpError(sanitizeError(spec, { kind: 'bad-response', message: `${spec.id}: ${(err as Error).message}`, status: res.status, retryable: false }));
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new BatchHttpError(sanitizeError(spec, { kind: 'bad-response', message: `${spec.id} sent a batch response that is not a JSON object: ${text.slice(0, 120)}`, status: res.status, retryable: false }));
}

/** The lines of a 2xx body (a results or output JSONL file), streamed and bounded per line. */
export async function* callLines(spec: ProviderSpec, url: string, o: CallOptions = {}): AsyncGenerator<string> {
  const res = await call(spec, url, { ...o, timeoutMs: o.timeoutMs ?? 30 * 60_000 });
  if (!res.body) return;
  yield* readLinesOf(res.body as unknown as AsyncIterable<Uint8Array>);
}

/** `url` when it is on the same origin as the provider's base URL; the key never goes elsewhere. */
export function sameOrigin(spec: ProviderSpec, url: string): string {
  let a: URL;
  let b: URL;
  try {
    a = new URL(url);
    b = new URL(spec.baseUrl);
  } catch {
    throw new BatchHttpError({ kind: 'bad-response', message: `${spec.id} gave a results URL mmr cannot read`, status: null, retryable: false });
  }
  if (a.origin !== b.origin) throw new BatchHttpError({ kind: 'bad-response', message: `${spec.id} gave a results URL on another origin (${a.origin}); mmr sends your key only to ${b.origin}`, status: null, retryable: false });
  return a.toString();
}
