/**
 * A response body as it arrives: byte chunks that end promptly on abort and release the
 * connection when the reader stops early, and text pieces decoded from them (streaming UTF-8,
 * bounded by `limits.maxBodyBytes`, the first characters kept for error messages). The protocol
 * parsers (sse.ts, ndjson.ts) and the error-body reader build on these.
 */

import { bodyTooLarge, type StreamLimits } from './limits.js';

/** What the adapter learns about a body while it is parsed, for error messages about garbage. */
export interface StreamTap {
  /** The first characters of the decoded body (at most HEAD_CHARS). */
  head: string;
  /** Events (SSE) or lines (NDJSON) dispatched so far. */
  events: number;
}

/** Enough of the body to show a person what came back, or to parse a short JSON error. */
export const HEAD_CHARS = 4096;

/** How a body is read: cancelled by `signal`, observed by `tap`, bounded by `limits`. */
export interface ReadOptions {
  signal?: AbortSignal;
  tap?: StreamTap;
  /** Without limits nothing is bounded (tests of framing only); the HTTP runner always passes them. */
  limits?: Pick<StreamLimits, 'maxBodyBytes' | 'maxEventChars'>;
  /** The body's content-encoding, named when the decoded size crosses maxBodyBytes. */
  encoding?: string | null;
}

/** A failure while reading the body from the network (not a parse problem). */
export class StreamReadError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'StreamReadError';
  }
}

function abortError(signal: AbortSignal): Error {
  const e = new Error('aborted', { cause: signal.reason });
  e.name = 'AbortError';
  return e;
}

/** A response body: a web stream (an injected fetch) or byte chunks (mmr's own transport). */
export type BodySource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

const isWebStream = (b: BodySource): b is ReadableStream<Uint8Array> => typeof (b as ReadableStream).getReader === 'function';

/**
 * A web stream's reader as an iterator. An abort cancels the reader (one listener for the whole
 * body, not a race per read), so a pending read ends even when an injected fetch ignores the signal.
 */
function webChunks(body: ReadableStream<Uint8Array>, signal?: AbortSignal) {
  const reader = body.getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
    /** Waits a moment for the end the server already sent; true when it came. */
    tail: async () => (await Promise.race([reader.read().catch(() => null), new Promise<null>((r) => setImmediate(r, null))]))?.done === true,
    stop: () => void reader.cancel().catch(() => {}),
    done: () => signal?.removeEventListener('abort', onAbort),
  };
}

/** A byte stream's iterator (the transport passes the signal to the request, which ends it). */
function nodeChunks(body: AsyncIterable<Uint8Array>) {
  const it = body[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<Uint8Array>> | null = null;
  return {
    next: () => it.next(),
    tail: async () => {
      pending = it.next();
      pending.catch(() => {});
      return (await Promise.race([pending.catch(() => null), new Promise<null>((r) => setImmediate(r, null))]))?.done === true;
    },
    stop: () => void Promise.resolve(it.return?.()).catch(() => {}),
    done: () => {},
  };
}

/**
 * Byte chunks of a body. An abort ends it promptly (the contract says so) and reads as an
 * AbortError; a read that fails for any other reason is a StreamReadError. A consumer that
 * stops early releases the connection.
 */
export async function* readChunks(body: BodySource, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const src = isWebStream(body) ? webChunks(body, signal) : nodeChunks(body);
  let ended = false;
  try {
    for (;;) {
      let result: IteratorResult<Uint8Array>;
      try {
        result = await src.next();
      } catch (err) {
        throw signal?.aborted ? abortError(signal) : new StreamReadError(err);
      }
      if (signal?.aborted) throw abortError(signal);
      if (result.done) {
        ended = true;
        return;
      }
      if (result.value.byteLength > 0) yield result.value;
    }
  } finally {
    src.done();
    // A consumer that stopped at the protocol's end marker ([DONE], message_stop) usually leaves
    // only the body's end behind, already received. Taking it ends the response normally (the
    // connection goes back to the pool); a cancel would tear down the finished request.
    if (!ended && !signal?.aborted) ended = await src.tail();
    if (!ended) src.stop();
  }
}

/**
 * A body's bytes as text, piece by piece: the streaming decoder keeps a UTF-8 character split
 * across chunks intact, the tap keeps the first HEAD_CHARS, and bytes are counted as fetch hands
 * them over, i.e. after it undid gzip/br/deflate, so a small compressed body that inflates without
 * end stops at `limits.maxBodyBytes`.
 */
export class BodyText {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly max: number;
  private bytes = 0;

  constructor(private readonly options: ReadOptions) {
    this.max = options.limits?.maxBodyBytes ?? Infinity;
  }

  chunk(chunk: Uint8Array): string {
    this.bytes += chunk.byteLength;
    if (this.bytes > this.max) throw bodyTooLarge(this.max, this.options.encoding);
    return this.seen(this.decoder.decode(chunk, { stream: true }));
  }

  /** What the decoder still held at the end of the body. */
  end(): string {
    return this.seen(this.decoder.decode());
  }

  private seen(text: string): string {
    const { tap } = this.options;
    if (tap && tap.head.length < HEAD_CHARS) tap.head += text.slice(0, HEAD_CHARS - tap.head.length);
    return text;
  }
}

/** Text pieces of a body (see BodyText). */
export async function* decodeText(body: BodySource, options: ReadOptions = {}): AsyncGenerator<string> {
  const text = new BodyText(options);
  for await (const chunk of readChunks(body, options.signal)) {
    const piece = text.chunk(chunk);
    if (piece) yield piece;
  }
  const rest = text.end();
  if (rest) yield rest;
}
