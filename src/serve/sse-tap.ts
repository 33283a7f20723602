/**
 * Reading a raw upstream answer on its way to the client. Each upstream read goes on as the very
 * buffer that came in; only the events that can carry what mmr records are decoded, found with
 * native byte searches, never by converting every chunk to a string: the first content (ttft)
 * and Anthropic's message_start as they pass, the usage and finish reason (which come last) from
 * the latest 64 KiB of events once the body has ended. The one exception is a stream whose usage
 * chunk mmr asked for and the client did not: then whole events are forwarded and each read is
 * searched for that chunk, so it can be left out.
 */
import { anthropicUsage } from '../providers/anthropic.js';
import { openaiUsage } from '../providers/openai-compatible.js';
import type { Usage } from '../core/types.js';
import type { ClientProtocol } from './types.js';

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An event still incomplete past this many bytes is not kept for inspection (its bytes still pass). */
const MAX_PENDING = 1024 * 1024;
/** At least this much of the latest complete events is kept: the usage and finish reason come last. */
const TAIL_BYTES = 64 * 1024;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);
// Search keys as bytes: a string key is encoded again on every search.
const key = (s: string) => Buffer.from(s, 'latin1');
const LFLF = key('\n\n');
const LFCRLF = key('\n\r\n');
const OPENAI_CONTENT = ['"content":"', '"reasoning_content":"', '"reasoning":"', '"refusal":"'].map(key);
const TOOL_CALLS = key('"tool_calls":[');
const FINISH = key('"finish_reason":"');
const USAGE = key('"usage":{');
const BLOCK_DELTA = key('content_block_delta');
const ANTHROPIC_USAGE = [key('message_start'), key('message_delta')];

/** Where the last complete event of `buf` ends (just past its blank line); 0 when none is complete. */
function lastEventEnd(buf: Buffer): number {
  const lf = buf.lastIndexOf(LFLF);
  const crlf = buf.lastIndexOf(LFCRLF);
  return Math.max(lf < 0 ? 0 : lf + 2, crlf < 0 ? 0 : crlf + 3);
}

/** The bounds of the event holding byte `at` (its blank line included) within the complete events `buf[0, end)`. */
function eventAround(buf: Buffer, at: number, end: number): [number, number] {
  const lf = buf.lastIndexOf(LFLF, at);
  const crlf = buf.lastIndexOf(LFCRLF, at);
  const start = Math.max(lf < 0 ? 0 : lf + 2, crlf < 0 ? 0 : crlf + 3);
  for (let i = buf.indexOf(LF, at); i >= 0 && i < end; i = buf.indexOf(LF, i + 1)) {
    if (buf[i + 1] === LF) return [start, i + 2];
    if (buf[i + 1] === CR && buf[i + 2] === LF) return [start, i + 3];
  }
  return [start, end];
}

/** One event block: its `event:` name and joined `data:` lines. */
function fields(block: Buffer): { event: string; data: string } {
  let event = '';
  let data = '';
  for (const line of block.toString('utf8').replace(/\r\n?/g, '\n').trimEnd().split('\n')) {
    if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(line[5] === ' ' ? 6 : 5);
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  return { event, data };
}

/** Whether a non-empty content field (or a tool call) starts in `buf`. */
function hasOpenAIContent(buf: Buffer): boolean {
  if (buf.includes(TOOL_CALLS)) return true;
  for (const key of OPENAI_CONTENT) {
    for (let i = buf.indexOf(key); i >= 0; i = buf.indexOf(key, i + key.length)) if (buf[i + key.length] !== QUOTE) return true;
  }
  return false;
}

export class SseTap {
  usage: Usage | null = null;
  /** The provider's finish reason, as sent. */
  finish: string | null = null;
  /** ms from `started` to the first content event. */
  ttftMs: number | null = null;
  /** The incomplete event at the end of what was read so far, in the pieces it came in. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The latest complete events (whole events, in order), read for usage and finish at the end. */
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Anthropic: message_start (the input usage) has been read. */
  private sawStart = false;
  private readonly usageRaw: Record<string, unknown> = {};

  /**
   * @param started performance.now() when the upstream request was made.
   * @param dropUsageChunk OpenAI: leave out the `choices: []` usage chunk (mmr asked for it, the client did not).
   */
  constructor(readonly protocol: ClientProtocol, private readonly started: number, private readonly dropUsageChunk = false) {}

  /** The bytes to send on for one upstream read (the read itself, unless events are held back or dropped). */
  push(chunk: Buffer): Buffer {
    if (this.pending.length && !this.endsEvent(chunk)) {
      // Still inside one event: keep the piece; the pieces are joined once, when the event ends.
      if (this.pendingBytes + chunk.length <= MAX_PENDING) {
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        return this.dropUsageChunk ? EMPTY : chunk;
      }
      // Past the bound the event goes on uninspected (when holding back, with what was held).
      const out = this.dropUsageChunk ? Buffer.concat([...this.pending, chunk]) : chunk;
      this.clear();
      return out;
    }
    const buf = this.pending.length ? Buffer.concat([...this.pending, chunk]) : chunk;
    this.clear();
    const end = lastEventEnd(buf);
    const drop = end > 0 ? this.inspect(buf, end) : null;
    if (end < buf.length && buf.length - end <= MAX_PENDING) {
      this.pending.push(buf.subarray(end));
      this.pendingBytes = buf.length - end;
    }
    if (!this.dropUsageChunk) return chunk;
    // Whole events only: the held-back tail may yet turn out to be the chunk to drop.
    const upTo = this.pending.length ? end : buf.length;
    if (!drop) return upTo === buf.length ? buf : buf.subarray(0, upTo);
    return Buffer.concat([buf.subarray(0, drop[0]), buf.subarray(drop[1], upTo)]);
  }

  /** Whether an event boundary is in `chunk`, or begins in the last bytes held and ends in it. */
  private endsEvent(chunk: Buffer): boolean {
    if (chunk.includes(LFLF) || chunk.includes(LFCRLF)) return true;
    const last = this.pending[this.pending.length - 1];
    const before = last.length < 2 ? (this.pending[this.pending.length - 2]?.subarray(-1) ?? EMPTY) : EMPTY;
    const seam = Buffer.concat([before, last.subarray(-2), chunk.subarray(0, 2)]);
    return seam.includes(LFLF) || seam.includes(LFCRLF);
  }

  private clear(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** What is left at the end of the body (only when events were being held back). */
  end(): Buffer | null {
    const rest = this.dropUsageChunk && this.pending.length ? Buffer.concat(this.pending) : null;
    this.clear();
    if (this.tail.length) {
      const tail = this.tail.length === 1 ? this.tail[0] : Buffer.concat(this.tail);
      this.tail = [];
      this.tailBytes = 0;
      if (this.protocol === 'openai') this.openaiEvents(tail);
      else this.anthropicEvents(tail, ANTHROPIC_USAGE[1]);
    }
    return rest;
  }

  /** Keeps complete events for the end, dropping the oldest beyond TAIL_BYTES (the newest always stays). */
  private keep(region: Buffer): void {
    this.tail.push(region);
    this.tailBytes += region.length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0].length >= TAIL_BYTES) this.tailBytes -= this.tail.shift()!.length;
  }

  /**
   * Records what the complete events `region` can say now: the first content (ttft), and
   * Anthropic's message_start. Usage and finish come at the end and are read from the tail then,
   * except when the usage chunk is to be dropped: then it must be found as it passes (the bounds
   * of the event to drop are returned).
   */
  private inspect(buf: Buffer, end: number): [number, number] | null {
    const region = end === buf.length ? buf : buf.subarray(0, end);
    if (this.protocol === 'openai') {
      if (this.ttftMs === null && hasOpenAIContent(region)) this.ttftMs = performance.now() - this.started;
      if (this.dropUsageChunk) return this.openaiEvents(region);
      this.keep(region);
      return null;
    }
    if (this.ttftMs === null && region.includes(BLOCK_DELTA)) this.ttftMs = performance.now() - this.started;
    if (!this.sawStart) this.anthropicEvents(region, ANTHROPIC_USAGE[0]);
    this.keep(region);
    return null;
  }

  /** OpenAI: the last finish reason and usage in the complete events `region`; the usage chunk's bounds when it is to be dropped. */
  private openaiEvents(region: Buffer): [number, number] | null {
    const f = region.lastIndexOf(FINISH);
    if (f >= 0) {
      const close = region.indexOf(QUOTE, f + FINISH.length);
      if (close > 0) this.finish = region.toString('latin1', f + FINISH.length, close);
    }
    let drop: [number, number] | null = null;
    for (let u = region.indexOf(USAGE); u >= 0; ) {
      const [s, e] = eventAround(region, u, region.length);
      const ev = json(fields(region.subarray(s, e)).data);
      if (isObject(ev) && isObject(ev.usage)) {
        this.usage = openaiUsage(ev.usage);
        if (this.dropUsageChunk && Array.isArray(ev.choices) && ev.choices.length === 0) drop = [s, e];
      }
      u = region.indexOf(USAGE, e);
    }
    return drop;
  }

  /** Anthropic: every `name` event (message_start or message_delta) in the complete events `region`. */
  private anthropicEvents(region: Buffer, name: Buffer): void {
    for (let i = region.indexOf(name); i >= 0; ) {
      const [s, e] = eventAround(region, i, region.length);
      this.anthropicEvent(fields(region.subarray(s, e)));
      i = region.indexOf(name, e);
    }
  }

  private anthropicEvent({ event, data }: { event: string; data: string }): void {
    if (event !== 'message_start' && event !== 'message_delta') return;
    const ev = json(data);
    if (!isObject(ev)) return;
    if (event === 'message_start') this.sawStart = true;
    const u = event === 'message_start' ? ev.message?.usage : ev.usage;
    // output_tokens in message_delta is cumulative: it replaces message_start's, never adds to it.
    if (isObject(u)) this.usage = anthropicUsage(Object.assign(this.usageRaw, u));
    if (event === 'message_delta' && typeof ev.delta?.stop_reason === 'string') this.finish = ev.delta.stop_reason;
  }

  /** Usage and finish from a whole (non-streamed) JSON answer. */
  readWhole(text: string): void {
    const body = json(text);
    if (!isObject(body)) return;
    if (isObject(body.usage)) this.usage = this.protocol === 'openai' ? openaiUsage(body.usage) : anthropicUsage(body.usage);
    this.finish = this.protocol === 'openai' ? (body.choices?.[0]?.finish_reason ?? null) : (body.stop_reason ?? null);
  }
}
