/**
 * One HTTP request, as the adapters need it: a status, header lookup, and the body as byte
 * chunks. The default transport is node:http(s) over keep-alive pools: against the built-in
 * fetch (undici plus web streams) it costs about a third of the CPU per streamed answer and
 * half the memory (bench/scale.mjs, plain clients doing the same requests: 0.15–0.21 against
 * 0.55–0.67 ms per request). An injected `fetch` (tests, proxies) is used as it is. Like fetch,
 * the transport asks for gzip/deflate/br and undoes them, follows no redirect itself (the caller
 * decides: http-request.ts), and rejects on network failure with the socket error as its cause.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/** Header lookup by (any-case) name; `get` returns null when absent, as Headers does. */
export interface HeaderLookup {
  get(name: string): string | null;
}

export interface WireResponse {
  status: number;
  headers: HeaderLookup;
  /** Byte chunks (content-encoding undone); null for a body-less response. */
  body: AsyncIterable<Uint8Array> | null;
  /** Stops reading: the connection is released if the body had ended, else closed. */
  cancel(): void;
}

export interface WireRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Called when the request has been written (the engine's timing starts there). */
  onSent?: () => void;
}

type Agents = { http: import('node:http').Agent; https: import('node:https').Agent };
let agents: Agents | undefined;
let modules: Promise<{ http: typeof import('node:http'); https: typeof import('node:https'); zlib: typeof import('node:zlib') }> | undefined;

/** Loads node:http, node:https and node:zlib once (tls is not loaded at start-up). */
export const loadTransport = () =>
  (modules ??= Promise.all([import('node:http'), import('node:https'), import('node:zlib')]).then(([http, https, zlib]) => ({ http, https, zlib })));

/** For adapters' `warm`: the transport's modules loaded before the first timed request. */
export const warmTransport = (): Promise<void> => loadTransport().then(() => undefined);

/** The process's connection pools for provider requests (as fetch has its global dispatcher). */
function pools(m: Awaited<ReturnType<typeof loadTransport>>): Agents {
  agents ??= {
    http: new m.http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' }),
    https: new m.https.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' }),
  };
  return agents;
}

function lookup(res: IncomingMessage): HeaderLookup {
  return {
    get(name) {
      const v = res.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
  };
}

/** The body with its content-encoding undone, as fetch would hand it over (bounded by the reader). */
function decoded(res: IncomingMessage, zlib: typeof import('node:zlib')): Readable {
  const enc = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const z = enc === 'gzip' || enc === 'x-gzip' ? zlib.createGunzip() : enc === 'br' ? zlib.createBrotliDecompress() : enc === 'deflate' ? zlib.createInflate() : null;
  if (!z) return res;
  res.on('error', (e) => z.destroy(e));
  return res.pipe(z);
}

/**
 * Calls `sent` as the request's bytes go to the socket: when a pooled connection is handed over,
 * else when a new one connects (TLS: when its handshake ends). The request's 'finish' event
 * comes a turn of the event loop after that, and later still under load, which would take
 * that delay off the provider's time to first token.
 */
function whenWritten(req: import('node:http').ClientRequest, secure: boolean, sent: () => void): void {
  req.once('socket', (socket) => {
    if (!socket.connecting) return sent();
    socket.once(secure ? 'secureConnect' : 'connect', () => sent());
  });
}

const STALE = new Set(['ECONNRESET', 'EPIPE']);

/**
 * True when `err` is a pooled keep-alive connection the server closed as it was reused (its idle
 * timeout racing the reuse): nothing was answered, so the request may go again, once, on a new
 * connection, as Node's docs advise. Shared with mmr serve's upstream client.
 */
export const staleReuse = (req: import('node:http').ClientRequest, err: NodeJS.ErrnoException): boolean => req.reusedSocket && STALE.has(err.code ?? '');

/** The request over node:http(s). */
export async function nodeRequest(url: string, r: WireRequest): Promise<WireResponse> {
  const m = await loadTransport();
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  if (!secure && u.protocol !== 'http:') throw Object.assign(new TypeError(`Invalid URL protocol: ${u.protocol}`), { code: 'ERR_INVALID_URL' });
  const { http: httpAgent, https: httpsAgent } = pools(m);
  const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...r.headers };
  if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
  const options = { method: r.method, headers, agent: secure ? httpsAgent : httpAgent, signal: r.signal };
  return new Promise<WireResponse>((resolve, reject) => {
    const send = (again: boolean) => {
      const req = (secure ? m.https : m.http).request(u, options, (res) => {
        const body = res.statusCode === 204 || res.statusCode === 304 || r.method === 'HEAD' ? null : decoded(res, m.zlib);
        if (!body) res.resume();
        resolve({
          status: res.statusCode ?? 0,
          headers: lookup(res),
          body: body as AsyncIterable<Uint8Array> | null,
          cancel() {
            // A body already at its end leaves the socket in the pool; anything else closes it.
            if (!res.complete) res.destroy();
            if (body && body !== res) body.destroy();
          },
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (!again && staleReuse(req, err) && !r.signal?.aborted) return send(true);
        reject(err);
      });
      if (r.onSent) whenWritten(req, secure, r.onSent);
      req.end(r.body);
    };
    send(false);
  });
}

/** The request through an injected fetch. */
export async function fetchRequest(doFetch: typeof fetch, url: string, r: WireRequest): Promise<WireResponse> {
  r.onSent?.();
  const res = await doFetch(url, { method: r.method, headers: r.headers, body: r.body, signal: r.signal, redirect: 'manual' });
  return {
    status: res.status,
    headers: res.headers,
    body: res.body as AsyncIterable<Uint8Array> | null,
    cancel: () => void res.body?.cancel().catch(() => {}),
  };
}
