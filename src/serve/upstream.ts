/**
 * The raw path's HTTP client: node:http/https with keep-alive agents, because per request it
 * costs about half the CPU of fetch (measured: bench/serve.mjs), and the raw path is what every
 * same-protocol request takes. Timeouts as the engine's: until the response headers (connect),
 * until the first body bytes, between chunks (idle), and overall (total).
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type { Timeouts } from '../core/model.js';
import { staleReuse } from '../providers/transport.js';
import { Deadlines, type TimeoutName } from './deadlines.js';

/** Which timeout fired; carried by the error that destroys the request. */
export class UpstreamTimeout extends Error {
  constructor(readonly which: TimeoutName, readonly ms: number) {
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

/** Keep-alive connection pools, one per server (never module-level). */
export class Upstream {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 512 });
  private readonly parsed = new Map<string, http.RequestOptions>();

  /**
   * POSTs and resolves with the response once its headers are in. The response then stays
   * under the first-token, idle and total timeouts until it ends (its reader calls `progress`
   * for each chunk: a 'data' listener here would start the flow before the reader is there);
   * `signal` aborts it any time.
   */
  post(call: UpstreamCall, timeouts: Timeouts, signal: AbortSignal): Promise<UpstreamResponse> {
    const target = this.where(call.url);
    const secure = target.protocol === 'https:';
    const lib = secure ? https : http;
    const options: http.RequestOptions = {
      ...target,
      method: 'POST',
      agent: secure ? this.httpsAgent : this.httpAgent,
      headers: { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) },
    };
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Error('cancelled'));
      let req: http.ClientRequest;
      let response: IncomingMessage | undefined;
      // After the headers, the response is what the reader holds: its error must say which timeout.
      const cut = (err: Error) => (response ?? req).destroy(err);
      const clock = new Deadlines(timeouts, (which, ms) => cut(new UpstreamTimeout(which, ms)));
      const onAbort = () => cut(new Error('cancelled'));
      const done = () => {
        clock.stop();
        signal.removeEventListener('abort', onAbort);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const send = (again: boolean) => {
        req = lib.request(options);
        req.on('response', (res) => {
          response = res;
          clock.enter('first-token');
          res.on('close', done);
          resolve({ res, progress: () => clock.progress() });
        });
        req.on('error', (err) => {
          if (!again && staleReuse(req, err) && !signal.aborted) return send(true);
          done();
          reject(err);
        });
        req.end(call.body);
      };
      send(false);
    });
  }

  /** A provider URL as request options, parsed once per URL (a server talks to a handful). */
  private where(url: string): http.RequestOptions {
    let o = this.parsed.get(url);
    if (!o) {
      if (this.parsed.size >= 64) this.parsed.clear();
      o = urlToHttpOptions(new URL(url));
      this.parsed.set(url, o);
    }
    return o;
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
