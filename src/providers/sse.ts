/**
 * Server-Sent Events parsing per the WHATWG HTML spec (§9.2 "Server-sent events"), over a
 * fetch body. Providers disagree on framing (OpenAI LF, Gemini CRLF, padding inside data),
 * so the parser follows the spec instead of splitting on "\n\n".
 */

import { eventTooLong } from './limits.js';
import { BodyText, readChunks, type BodySource, type ReadOptions } from './body.js';

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field; absent means the default type ("message"). */
  event?: string;
  /** All `data:` lines of the event joined with "\n". */
  data: string;
  /** The `id:` field, when the event carried one. */
  id?: string;
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
