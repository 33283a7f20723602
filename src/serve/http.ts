/**
 * The HTTP pieces every route shares: reading a bounded JSON body, writing a JSON response or an
 * error in the client's format, and writing stream frames with backpressure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorHeaders } from './errors.js';
import { ClientRequestError, type ClientError, type Wire } from './types.js';

const tooLarge = (max: number) =>
  new ClientRequestError({ status: 413, type: 'too_large', message: `request body exceeds ${Math.round(max / 1024)} KiB (mmr serve --max-body-mb)`, shouldRetry: false });

/** The body as JSON, refusing more than `max` bytes before reading them where the length is declared. */
export async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) throw tooLarge(max);
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ClientRequestError({ status: 400, type: 'invalid_request', message: 'the request body is not valid JSON', shouldRetry: false });
  }
}

/** Writes a complete JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Writes `e` as the wire's error body with its status and retry headers. */
export function sendError(res: ServerResponse, wire: Wire, e: ClientError, requestId: string, headers: Record<string, string> = {}): void {
  sendJson(res, e.status, wire.errorBody(e, requestId), { ...headers, ...errorHeaders(e), 'x-request-id': requestId, 'request-id': requestId });
}

const corked = new WeakSet<ServerResponse>();

/**
 * Writes a frame; when the socket buffer is full, waits for it to drain (or for the client to
 * go), so a slow reader holds back the upstream instead of growing memory. Frames written in the
 * same tick (the events of one upstream read) leave in one writev: one event per syscall cost
 * more CPU than everything else mmr does per request.
 */
export function writeFrame(res: ServerResponse, frame: string | Uint8Array): Promise<void> | undefined {
  if (frame.length === 0 || res.destroyed) return undefined;
  if (!corked.has(res)) {
    corked.add(res);
    res.cork();
    process.nextTick(() => {
      corked.delete(res);
      res.uncork();
    });
  }
  if (res.write(frame)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** A header value safe to send: non-ASCII and control characters percent-encoded. */
export function headerSafe(v: string): string {
  return /^[\x20-\x7e]*$/.test(v) ? v : encodeURIComponent(v);
}
