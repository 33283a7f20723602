/**
 * A tiny real HTTP server on 127.0.0.1 for adapter tests: it serves exact bytes with a chosen
 * status and headers, split into writes at chosen byte offsets, and can stall or drop the
 * connection. Real sockets matter: fetch's body stream, chunked encoding and connection errors
 * behave differently from an in-memory Response.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawResponse {
  /** HTTP status; 200 when omitted. */
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Uint8Array;
  /** Write the body in pieces of this many bytes. */
  chunkSize?: number;
  /** Or split the body at these byte offsets. */
  splitAt?: number[];
  /** ms to wait between writes; 0 still yields a macrotask so pieces leave as separate segments. */
  delayMs?: number;
  /** ms to wait before sending the status line and headers. */
  headersDelayMs?: number;
  /** Destroy the socket after this many body bytes (a connection dropped mid-stream). */
  destroyAfterBytes?: number;
  /** Never end the response after writing the body (a stalled server). */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Responder = RawResponse | RawResponse[] | ((req: RecordedRequest, index: number) => RawResponse);

export interface RawServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** What requests get from now on: one response for all, one per request in order, or a function. */
  respond(r: Responder): void;
  close(): Promise<void>;
}

/** Byte pieces of `body` per the response's split options. */
export function splitBody(body: Uint8Array, r: Pick<RawResponse, 'chunkSize' | 'splitAt'>): Uint8Array[] {
  const cuts: number[] = [];
  if (r.chunkSize && r.chunkSize > 0) for (let i = r.chunkSize; i < body.length; i += r.chunkSize) cuts.push(i);
  if (r.splitAt) cuts.push(...r.splitAt.filter((n) => n > 0 && n < body.length));
  const sorted = [...new Set(cuts)].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...sorted, body.length]) {
    if (cut > start) pieces.push(body.subarray(start, cut));
    start = cut;
  }
  return pieces;
}

const pause = (ms: number) => new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

function write(res: http.ServerResponse, piece: Uint8Array): Promise<void> {
  return new Promise((resolve) => res.write(piece, () => resolve()));
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, r: RawResponse): Promise<void> {
  req.socket.setNoDelay(true);
  res.on('error', () => {});
  if (r.headersDelayMs) await pause(r.headersDelayMs);
  res.writeHead(r.status ?? 200, r.headers ?? {});
  res.flushHeaders();
  const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : (r.body ?? new Uint8Array());
  const limit = r.destroyAfterBytes ?? Infinity;
  let written = 0;
  for (const piece of splitBody(body, r)) {
    if (res.destroyed) return;
    const room = limit - written;
    const part = piece.length > room ? piece.subarray(0, room) : piece;
    if (part.length > 0) await write(res, part);
    written += part.length;
    if (written >= limit) break;
    if (r.delayMs !== undefined) await pause(r.delayMs);
  }
  if (written >= limit) {
    await pause(10); // let the bytes reach the client before the connection dies
    req.socket.destroy();
    return;
  }
  if (!r.hang) res.end();
}

export async function startRawServer(initial: Responder = { status: 200, body: '' }): Promise<RawServer> {
  let responder = initial;
  let firstIndex = 0; // an array responder counts requests from the respond() call that set it
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(parts).toString('utf8'),
      };
      const index = requests.push(rec) - 1 - firstIndex;
      const r =
        typeof responder === 'function'
          ? responder(rec, index)
          : Array.isArray(responder)
            ? responder[Math.min(index, responder.length - 1)]
            : responder;
      void serve(req, res, r);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respond(r) {
      responder = r;
      firstIndex = requests.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that was bound and released, so connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
