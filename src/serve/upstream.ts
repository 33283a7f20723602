/**
 * The raw path's HTTP client: node:http/https with keep-alive agents, because per request it
 * costs about half the CPU of fetch (measured: bench/serve.mjs), and the raw path is what every
 * same-protocol request takes. Timeouts as the engine's: until the response headers (connect),
 * until the first body bytes, between chunks (idle), and overall (total).
 */
import http, { type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import https from 'node:https';
import type { Timeouts } from '../core/model.js';

/** Which timeout fired; carried by the error that destroys the request. */
export class UpstreamTimeout extends Error {
  constructor(readonly which: 'connect' | 'first-token' | 'idle' | 'total', readonly ms: number) {
    super(`${which} timeout after ${ms} ms`);
    this.name = 'UpstreamTimeout';
  }
}

export interface UpstreamCall {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface UpstreamResponse {
  res: IncomingMessage;
  /** Call for each body chunk read: it disarms the first-token timeout and re-arms the idle one. */
  progress: () => void;
}

/** Statuses whose responses have no body (a Response refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/** Keep-alive connection pools, one per server (never module-level). */
export class Upstream {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 512 });

  /**
   * A fetch for the engine's adapters (the translated path) over the same pools: about 40% less
   * CPU per answer than the built-in fetch (measured with the engine against the local server).
   * It follows no redirects and asks for no compression; provider APIs need neither.
   */
  readonly fetch = ((input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const secure = url.protocol === 'https:';
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => (headers[k] = v));
      const req = (secure ? https : http).request(url, { method: init.method ?? 'GET', headers, agent: secure ? this.httpsAgent : this.httpAgent, signal: init.signal ?? undefined }, (res) => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        const status = res.statusCode ?? 502;
        const body = NULL_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        if (!body) res.resume();
        resolve(new Response(body, { status, statusText: res.statusMessage, headers: h }));
      });
      req.on('error', reject);
      req.end(typeof init.body === 'string' || init.body instanceof Uint8Array ? init.body : undefined);
    })) as typeof fetch;

  /**
   * POSTs and resolves with the response once its headers are in. The response then stays
   * under the first-token, idle and total timeouts until it ends (its reader calls `progress`
   * for each chunk: a 'data' listener here would start the flow before the reader is there);
   * `signal` aborts it any time.
   */
  post(call: UpstreamCall, timeouts: Timeouts, signal: AbortSignal): Promise<UpstreamResponse> {
    const url = new URL(call.url);
    const secure = url.protocol === 'https:';
    const lib = secure ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, {
        method: 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) },
      });
      const timers: NodeJS.Timeout[] = [];
      let response: IncomingMessage | undefined;
      // After the headers, the response is what the reader holds: its error must say which timeout.
      const arm = (which: UpstreamTimeout['which'], ms: number) => {
        if (ms <= 0) return undefined;
        const t = setTimeout(() => (response ?? req).destroy(new UpstreamTimeout(which, ms)), ms);
        timers.push(t);
        return t;
      };
      const clear = () => timers.forEach(clearTimeout);
      const onAbort = () => (response ?? req).destroy(new Error('cancelled'));
      if (signal.aborted) return reject(new Error('cancelled'));
      signal.addEventListener('abort', onAbort, { once: true });
      arm('total', timeouts.totalMs);
      const connect = arm('connect', timeouts.connectMs);
      req.on('response', (res) => {
        response = res;
        clearTimeout(connect);
        const first = arm('first-token', timeouts.firstTokenMs);
        let idle: NodeJS.Timeout | undefined;
        const progress = () => {
          clearTimeout(first);
          // Re-arming a timer per chunk is cheap next to creating one: refresh() reuses it.
          if (idle) idle.refresh();
          else idle = arm('idle', timeouts.idleMs);
        };
        res.on('close', () => {
          clear();
          signal.removeEventListener('abort', onAbort);
        });
        resolve({ res, progress });
      });
      req.on('error', (err) => {
        clear();
        signal.removeEventListener('abort', onAbort);
        reject(err);
      });
      req.end(call.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** The whole body as text, bounded. */
export async function readBody(res: IncomingMessage, max: number, progress?: () => void): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const piece of res) {
    progress?.();
    text += piece as string;
    if (text.length > max) {
      res.destroy();
      throw new Error(`upstream answer larger than ${Math.round(max / 1024)} KiB`);
    }
  }
  return text;
}
