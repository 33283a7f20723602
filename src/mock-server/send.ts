/**
 * Writes an encoded reply onto the socket with real timers: header delay, first-chunk delay,
 * delay between frames, byte-exact write splitting and mid-stream connection drops.
 * Every wait ends early when the client goes away or the server closes (`signal`).
 */
import type { ServerResponse } from 'node:http';
import { compressor } from './flood.js';
import type { Encoded } from './types.js';

export interface SendTiming {
  /** ms before the response headers. */
  headerDelayMs?: number;
  /** ms after the headers, before the first frame. */
  firstChunkDelayMs?: number;
  /** ms between frames. */
  chunkDelayMs?: number;
  /** Socket writes of at most this many bytes, cut at multiples of it across the whole body. */
  writeBytes?: number;
  /** Destroy the connection once this many body bytes are out. */
  dropAfterBytes?: number;
  /** Told as the headers, the first body frame and the end leave (for MockRequestInfo.served). */
  onSend?: (what: 'headers' | 'first' | 'last' | 'end') => void;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number | undefined, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (!ms || ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Writes and waits until the bytes are handed to the kernel, so each split is its own write. */
function write(res: ServerResponse, chunk: Uint8Array, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    res.write(chunk, (err) => {
      signal.removeEventListener('abort', onAbort);
      resolve(!err);
    });
  });
}

/** Drops the connection once what was written (headers included) has left the process. */
async function drop(res: ServerResponse): Promise<void> {
  const socket = res.socket;
  if (!socket || socket.destroyed) return;
  await new Promise<void>((resolve) => socket.write('', () => resolve()));
  socket.destroy();
}

/** A compressed body: each frame is flushed through the compressor, so it still streams. */
async function sendCompressed(res: ServerResponse, enc: Encoded & { encoding: NonNullable<Encoded['encoding']> }, timing: SendTiming, signal: AbortSignal): Promise<void> {
  res.writeHead(enc.status, { ...enc.headers, 'content-encoding': enc.encoding });
  res.flushHeaders();
  const z = compressor(enc.encoding);
  z.on('error', () => {});
  z.pipe(res);
  for (let i = 0; i < enc.frames.length; i++) {
    if (!(await sleep(i === 0 ? timing.firstChunkDelayMs : timing.chunkDelayMs, signal))) return void res.destroy();
    z.write(enc.frames[i]);
    await new Promise<void>((resolve) => z.flush(() => resolve()));
  }
  z.end();
}

export async function send(res: ServerResponse, enc: Encoded, timing: SendTiming, signal: AbortSignal): Promise<void> {
  if (!(await sleep(timing.headerDelayMs, signal))) return;
  if (enc.encoding) return sendCompressed(res, { ...enc, encoding: enc.encoding }, timing, signal);
  const frames = enc.frames.map((f) => (typeof f === 'string' ? Buffer.from(f, 'utf8') : Buffer.from(f)));
  const headers: Record<string, string> = { ...enc.headers };
  if (!enc.chunked) headers['content-length'] = String(frames.reduce((n, f) => n + f.length, 0));
  res.writeHead(enc.status, headers);
  res.flushHeaders();
  timing.onSend?.('headers');

  const step = timing.writeBytes && timing.writeBytes > 0 ? Math.floor(timing.writeBytes) : 0;
  const limit = timing.dropAfterBytes !== undefined && timing.dropAfterBytes >= 0 ? timing.dropAfterBytes : Infinity;
  let offset = 0;
  for (let i = 0; i < frames.length; i++) {
    if (!(await sleep(i === 0 ? timing.firstChunkDelayMs : timing.chunkDelayMs, signal))) return;
    const frame = frames[i];
    // Before the write: the client cannot have the last frame earlier than this.
    if (i === frames.length - 1) timing.onSend?.('last');
    let pos = 0;
    while (pos < frame.length) {
      if (offset >= limit) return drop(res);
      let size = frame.length - pos;
      if (step) size = Math.min(size, step - (offset % step));
      size = Math.min(size, limit - offset);
      if (!(await write(res, frame.subarray(pos, pos + size), signal))) return;
      if (offset === 0) timing.onSend?.('first');
      pos += size;
      offset += size;
      // Yield between the pieces of one frame so they leave as separate writes.
      if (step && pos < frame.length) await new Promise((r) => setImmediate(r));
    }
  }
  if (offset >= limit || enc.dropAtEnd) return drop(res);
  if (!signal.aborted && !res.destroyed) {
    res.end();
    timing.onSend?.('end');
  }
}
