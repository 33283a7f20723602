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

/** The events of an SSE body as text to forward, one piece per upstream read. */
export async function* tapEvents(body: IncomingMessage, tap: UsageTap, injected: boolean, progress?: () => void): AsyncGenerator<string> {
  body.setEncoding('utf8');
  const usageRaw: Record<string, unknown> = {};
  let buf = '';
  for await (const piece of body) {
    progress?.();
    buf += piece as string;
    if (buf.includes('\r')) {
      // A CR at the very end may be the first half of a CRLF split across reads.
      const keep = buf.endsWith('\r') ? '\r' : '';
      buf = buf.slice(0, buf.length - keep.length).replace(/\r\n?/g, '\n') + keep;
    }
    let out = '';
    let cut: number;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const { event, data } = fields(block);
      let keep = true;
      if (tap.protocol === 'openai') keep = !data || data === '[DONE]' || inspectOpenAI(tap, data, injected);
      else inspectAnthropic(tap, event, data, usageRaw);
      if (keep) out += `${block}\n\n`;
    }
    if (out) yield out;
  }
  if (buf.trim()) yield buf;
}
