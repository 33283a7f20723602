/**
 * Reading a raw upstream answer on its way to the client: the events pass through unchanged,
 * and the few that carry usage, the finish reason or the first content are looked at. A text
 * delta costs a substring test, not a JSON.parse: this runs for every same-protocol stream.
 */
import type { IncomingMessage } from 'node:http';
import { anthropicUsage } from '../providers/anthropic.js';
import { openaiUsage } from '../providers/openai-compatible.js';
import type { Usage } from '../core/types.js';
import type { ClientProtocol } from './types.js';

export interface UsageTap {
  protocol: ClientProtocol;
  usage: Usage | null;
  /** The provider's finish reason, as sent. */
  finish: string | null;
  /** ms from `started` to the first content event. */
  ttftMs: number | null;
  /** performance.now() when the upstream request was made. */
  started: number;
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Usage and finish from a whole (non-streamed) JSON answer. */
export function readUsage(tap: UsageTap, text: string): void {
  const body = json(text);
  if (!isObject(body)) return;
  if (isObject(body.usage)) tap.usage = tap.protocol === 'openai' ? openaiUsage(body.usage) : anthropicUsage(body.usage);
  tap.finish = tap.protocol === 'openai' ? (body.choices?.[0]?.finish_reason ?? null) : (body.stop_reason ?? null);
}

const OPENAI_CONTENT = /"(?:content|reasoning_content|reasoning|refusal)":"[^"]|"tool_calls":\[/;
const OPENAI_FINISH = /"finish_reason":"([^"]+)"/;

/** Looks at one OpenAI chunk; false when it must not reach the client (the usage chunk mmr asked for). */
function inspectOpenAI(tap: UsageTap, data: string, injected: boolean): boolean {
  if (tap.ttftMs === null && OPENAI_CONTENT.test(data)) tap.ttftMs = performance.now() - tap.started;
  const finish = data.includes('"finish_reason":"') ? OPENAI_FINISH.exec(data) : null;
  if (finish) tap.finish = finish[1];
  if (!data.includes('"usage":{')) return true;
  const ev = json(data);
  if (!isObject(ev) || !isObject(ev.usage)) return true;
  tap.usage = openaiUsage(ev.usage);
  return !(injected && Array.isArray(ev.choices) && ev.choices.length === 0);
}

function inspectAnthropic(tap: UsageTap, event: string, data: string, usageRaw: Record<string, unknown>): void {
  if (event === 'content_block_delta') {
    if (tap.ttftMs === null) tap.ttftMs = performance.now() - tap.started;
    return;
  }
  if (event !== 'message_start' && event !== 'message_delta') return;
  const ev = json(data);
  if (!isObject(ev)) return;
  const u = event === 'message_start' ? ev.message?.usage : ev.usage;
  // output_tokens in message_delta is cumulative: it replaces message_start's, never adds to it.
  if (isObject(u)) tap.usage = anthropicUsage(Object.assign(usageRaw, u));
  if (event === 'message_delta' && typeof ev.delta?.stop_reason === 'string') tap.finish = ev.delta.stop_reason;
}

/** One event block (without its blank line): its `event:` name and joined `data:` lines. */
function fields(block: string): { event: string; data: string } {
  let event = '';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(line[5] === ' ' ? 6 : 5);
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  return { event, data };
}

const NL = 0x0a;
const CR = 0x0d;

/** End of the event starting at `from` (just past its blank line), or -1 while it is incomplete. */
function eventEnd(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(NL, from); i >= 0; i = buf.indexOf(NL, i + 1)) {
    if (buf[i + 1] === NL) return i + 2;
    if (buf[i + 1] === CR && buf[i + 2] === NL) return i + 3;
  }
  return -1;
}

/** Which events can hold what the tap wants: the rest pass as bytes, never decoded. */
function interesting(tap: UsageTap, block: Buffer): boolean {
  if (tap.ttftMs === null) return true;
  if (tap.protocol === 'openai') return block.includes('"usage":{') || block.includes('"finish_reason":"');
  return block.includes('message_delta') || block.includes('message_start');
}

/**
 * The events of an SSE body as bytes to forward, one piece per upstream read: a read holding
 * only whole events that all pass goes on as the very buffer that came in.
 */
export async function* tapEvents(body: IncomingMessage, tap: UsageTap, injected: boolean, progress?: () => void): AsyncGenerator<Buffer> {
  const usageRaw: Record<string, unknown> = {};
  let rest: Buffer | null = null;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    progress?.();
    const buf: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    const kept: Buffer[] = [];
    let dropped = false;
    let at = 0;
    for (let end = eventEnd(buf, 0); end >= 0; end = eventEnd(buf, at)) {
      const block = buf.subarray(at, end);
      let keep = true;
      if (interesting(tap, block)) {
        const { event, data } = fields(block.toString('utf8').replace(/\r\n?/g, '\n').trimEnd());
        if (tap.protocol === 'openai') keep = !data || data === '[DONE]' || inspectOpenAI(tap, data, injected);
        else inspectAnthropic(tap, event, data, usageRaw);
      }
      if (keep) kept.push(block);
      else dropped = true;
      at = end;
    }
    rest = at < buf.length ? buf.subarray(at) : null;
    if (at > 0) yield dropped ? Buffer.concat(kept) : buf.subarray(0, at);
  }
  if (rest?.length) yield rest;
}
