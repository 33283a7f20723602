/**
 * The mock server as a hostile server: bodies that never end (valid deltas forever, a line that
 * never ends, `data:` lines that never make an event, keep-alives forever), optionally
 * compressed so a few KB on the wire inflate to gigabytes. Writes respect backpressure and stop
 * when the client goes away, so the server itself stays small.
 */
import type { ServerResponse } from 'node:http';
import { constants, createBrotliCompress, createDeflate, createGzip, type Gzip } from 'node:zlib';
import type { Encoded, MockProtocol, MockReply } from './types.js';

/** A compressor for a content-encoding; fast settings, since the point is volume. */
export function compressor(encoding: NonNullable<Encoded['encoding']>): Gzip {
  if (encoding === 'br') return createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }) as unknown as Gzip;
  return encoding === 'gzip' ? createGzip({ level: 1 }) : (createDeflate({ level: 1 }) as unknown as Gzip);
}

/** Units repeated per write: big enough that writing is cheap, small enough to stop promptly. */
const REPEAT = 64;

/**
 * What a flood body starts with and the unit repeated after it. `deltas` reuses the protocol's
 * own encoding of an answer: its first frame (preamble + first delta), then its second (a bare delta).
 */
export function floodUnits(protocol: MockProtocol, kind: NonNullable<MockReply['flood']>, answer: Encoded): { head: string; unit: string } {
  const ndjson = protocol === 'ollama' && !/event-stream/.test(answer.headers['content-type'] ?? '');
  const str = (f: string | Uint8Array) => (typeof f === 'string' ? f : Buffer.from(f).toString('utf8'));
  if (kind === 'deltas') return { head: str(answer.frames[0]), unit: str(answer.frames[1] ?? answer.frames[0]) };
  if (kind === 'keepalive') return ndjson ? { head: '', unit: `${' '.repeat(1023)}\n` } : { head: '', unit: `:${' keep-alive'.repeat(93)}\n` };
  if (kind === 'data-lines' && !ndjson) return { head: '', unit: `data: ${'x'.repeat(1017)}\n` };
  return { head: ndjson ? '{"message":{"content":"' : 'data: {"x":"', unit: 'x'.repeat(1024) };
}

/** Writes `chunk` and waits for the socket to take it; false once the client is gone. */
function put(out: NodeJS.WritableStream, chunk: string, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    const ok = out.write(chunk);
    const done = () => {
      signal.removeEventListener('abort', onAbort);
      resolve(!signal.aborted);
    };
    if (ok) setImmediate(done);
    else out.once('drain', done);
  });
}

export async function sendFlood(res: ServerResponse, enc: Encoded, head: string, unit: string, signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = { ...enc.headers };
  delete headers['content-length'];
  if (enc.encoding) headers['content-encoding'] = enc.encoding;
  res.writeHead(200, headers);
  res.flushHeaders();
  let out: NodeJS.WritableStream = res;
  if (enc.encoding) {
    const z = compressor(enc.encoding);
    z.on('error', () => {});
    z.pipe(res);
    out = z;
  }
  const batch = unit.repeat(REPEAT);
  if (head && !(await put(out, head, signal))) return;
  while (!res.destroyed && (await put(out, batch, signal)));
  if (!res.destroyed) res.destroy();
}
