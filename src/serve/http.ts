/**
 * The HTTP pieces every route shares: reading a bounded JSON body, writing a JSON response or an
 * error in the client's format, and writing stream frames with backpressure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorHeaders } from './errors.js';
import { ClientRequestError, type ClientError, type Wire } from './types.js';

const tooLarge = (max: number) =>
  new ClientRequestError({ status: 413, type: 'too_large', message: `request body exceeds ${Math.round(max / 1024)} KiB (mmr serve --max-body-mb)`, shouldRetry: false });

const notJson = () => new ClientRequestError({ status: 400, type: 'invalid_request', message: 'the request body is not valid JSON', shouldRetry: false });

/**
 * The body as JSON, refusing more than `max` bytes (before reading any where the length is
 * declared). Read with listeners rather than an async iterator: per request that is one promise
 * instead of one per chunk, and an oversized body is left unread (not destroyed) so the 413 can
 * still be sent before the connection closes.
 */
export function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(tooLarge(max));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', stop).off('close', onClose);
      if (err) reject(err);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= max) return void chunks.push(c);
      req.pause();
      stop(tooLarge(max));
    };
    const onEnd = () => {
      stop();
      try {
        resolve(JSON.parse((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8')));
      } catch {
        reject(notJson());
      }
    };
    const onClose = () => stop(Object.assign(new Error('the client closed the connection before the body ended'), { code: 'ECONNRESET' }));
    req.on('data', onData).once('end', onEnd).once('error', stop).once('close', onClose);
  });
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

/**
 * Writes a frame; when the socket buffer is full, waits for it to drain (or for the client to
 * go), so a slow reader holds back the upstream instead of growing memory. Frames written in the
 * same tick leave in one writev: node:http corks the socket at a response's first write in a
 * tick and uncorks it on the next.
 */
export function writeFrame(res: ServerResponse, frame: string | Uint8Array): Promise<void> | undefined {
  if (frame.length === 0 || res.destroyed) return undefined;
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
