/**
 * Reading a raw upstream answer on its way to the client: the events pass through unchanged,
 * and the ones that carry usage, the finish reason and the first content are looked at (parsed
 * only when they can hold what is wanted, so a long answer costs a substring check per event).
 */
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

/** Looks at one event's data; returns false when the event must not reach the client (the usage chunk mmr asked for). */
function inspect(tap: UsageTap, data: string, anthropicUsageRaw: Record<string, unknown>, injected: boolean): boolean {
  const wantsFirst = tap.ttftMs === null;
  if (!data.includes('"usage"') && !data.includes('_reason') && !wantsFirst) return true;
  const ev = json(data);
  if (!isObject(ev)) return true;
  if (tap.protocol === 'openai') {
    const choice = ev.choices?.[0];
    const delta = choice?.delta;
    if (wantsFirst && isObject(delta) && (delta.content || delta.tool_calls || delta.refusal)) tap.ttftMs = performance.now() - tap.started;
    if (choice?.finish_reason) tap.finish = choice.finish_reason;
    if (isObject(ev.usage)) {
      tap.usage = openaiUsage(ev.usage);
      if (injected && Array.isArray(ev.choices) && ev.choices.length === 0) return false;
    }
    return true;
  }
  if (wantsFirst && ev.type === 'content_block_delta') tap.ttftMs = performance.now() - tap.started;
  const u = ev.type === 'message_start' ? ev.message?.usage : ev.type === 'message_delta' ? ev.usage : undefined;
  // output_tokens in message_delta is cumulative: it replaces message_start's, never adds to it.
  if (isObject(u)) tap.usage = anthropicUsage(Object.assign(anthropicUsageRaw, u));
  if (ev.type === 'message_delta' && ev.delta?.stop_reason) tap.finish = ev.delta.stop_reason;
  return true;
}

/** The events of an SSE body as frames to forward (each ending in a blank line). */
export async function* tapEvents(body: ReadableStream<Uint8Array>, tap: UsageTap, injected: boolean, signal: AbortSignal): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const usageRaw: Record<string, unknown> = {};
  let buf = '';
  const reader = body.getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw new Error('cancelled');
      buf += done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (buf.includes('\r')) buf = buf.replace(/\r\n?/g, '\n');
      let cut: number;
      let out = '';
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(l[5] === ' ' ? 6 : 5)).join('\n');
        if (!data || data === '[DONE]' || inspect(tap, data, usageRaw, injected)) out += `${block}\n\n`;
      }
      if (out) yield out;
      if (done) {
        if (buf.trim()) yield `${buf}\n\n`;
        return;
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
}
