/**
 * Server-Sent Events parsing per the WHATWG HTML spec (§9.2 "Server-sent events"), over a
 * fetch body. Providers disagree on framing (OpenAI LF, Gemini CRLF, padding inside data),
 * so the parser follows the spec instead of splitting on "\n\n".
 */

import { bodyTooLarge, eventTooLong, type StreamLimits } from './limits.js';

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field; absent means the default type ("message"). */
  event?: string;
  /** All `data:` lines of the event joined with "\n". */
  data: string;
  /** The `id:` field, when the event carried one. */
  id?: string;
}

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
class BodyText {
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

/**
 * Splits text into lines on LF, CRLF or CR. A CR at the end of one piece may pair with an LF at
 * the start of the next, so that LF is remembered and skipped rather than read as an empty line.
 * A line longer than `maxChars` throws (a StreamLimitError) instead of growing without end.
 */
export class LineSplitter {
  private partial = '';
  private skipLf = false;

  constructor(private readonly maxChars = Infinity) {}

  push(text: string): string[] {
    const lines: string[] = [];
    let start = 0;
    if (this.skipLf && text.charCodeAt(0) === 10) start = 1;
    this.skipLf = false;
    // The next CR and the next LF, each found by indexOf (native) rather than a loop over every
    // character; most bodies have no CR at all, and then only LFs are looked for.
    let cr = text.indexOf('\r', start);
    let lf = text.indexOf('\n', start);
    while (lf !== -1 || cr !== -1) {
      const i = cr === -1 ? lf : lf === -1 ? cr : cr < lf ? cr : lf;
      if (this.partial.length + i - start > this.maxChars) throw eventTooLong('line', this.maxChars);
      lines.push(this.partial === '' ? text.slice(start, i) : this.partial + text.slice(start, i));
      this.partial = '';
      start = i + 1;
      if (i === cr) {
        if (start === text.length) this.skipLf = true;
        else if (text.charCodeAt(start) === 10) start++;
        cr = text.indexOf('\r', start);
      }
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
    }
    if (this.partial.length + text.length - start > this.maxChars) throw eventTooLong('line', this.maxChars);
    this.partial += text.slice(start);
    return lines;
  }

  /** The unterminated last line, if any. */
  end(): string | undefined {
    const rest = this.partial;
    this.partial = '';
    return rest === '' ? undefined : rest;
  }
}

/** The field-level half of the parser, fed one line at a time; an event's data is bounded by `maxChars`. */
export class SseLineParser {
  private data: string[] = [];
  private dataChars = 0;
  private eventType = '';
  private lastId: string | undefined;

  constructor(private readonly maxChars = Infinity) {}

  /** Returns the event dispatched by this line, if it was the blank line ending one. */
  line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      // `data:` lines with no blank line between them are one event that would never end.
      this.dataChars += value.length + 1;
      if (this.dataChars > this.maxChars) throw eventTooLong('event', this.maxChars);
      this.data.push(value);
    }
    else if (field === 'event') this.eventType = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    // `retry` and unknown fields are ignored: reconnection is the engine's business.
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const { data, eventType } = this;
    this.data = [];
    this.dataChars = 0;
    this.eventType = '';
    if (data.length === 0) return undefined;
    const ev: SseEvent = { data: data.join('\n') };
    if (eventType) ev.event = eventType;
    if (this.lastId !== undefined) ev.id = this.lastId;
    return ev;
  }
}

/**
 * Events from an SSE body. Per the spec an event still pending at end of file is discarded:
 * a body cut mid-event is then reported as truncated instead of as a half-parsed JSON. Bytes
 * are decoded, split and parsed in this one loop (no generator per stage), counted as they
 * arrive after content-encoding is undone, so a body that inflates without end stops at
 * `limits.maxBodyBytes`.
 */
export async function* parseSse(body: BodySource, options: ReadOptions = {}): AsyncGenerator<SseEvent> {
  const max = options.limits?.maxEventChars;
  const { tap } = options;
  const lines = new LineSplitter(max);
  const parser = new SseLineParser(max);
  const text = new BodyText(options);
  /** The events a piece of text completes (a plain loop: no generator hop per event). */
  const eventsOf = (piece: string): SseEvent[] => {
    const out: SseEvent[] = [];
    for (const line of lines.push(piece)) {
      const ev = parser.line(line);
      if (ev) out.push(ev);
    }
    if (tap) tap.events += out.length;
    return out;
  };
  for await (const chunk of readChunks(body, options.signal)) {
    for (const ev of eventsOf(text.chunk(chunk))) yield ev;
  }
  for (const ev of eventsOf(text.end())) yield ev;
}
