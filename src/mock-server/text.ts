/**
 * Shared helpers for the encoders: reading prompt text out of each request shape, filling a
 * MockReply's defaults, cutting text into deltas and grouping stream pieces into timed frames.
 */
import { randomBytes } from 'node:crypto';
import type { MockProtocol, MockReply, Piece, ResolvedReply } from './types.js';

/** ~4 characters per token, at least 1 for non-empty text. */
export function estimateTokens(s: string): number {
  return s.length === 0 ? 0 : Math.max(1, Math.ceil(s.length / 4));
}

/** Cuts text into pieces of `n` code points, so a surrogate pair is never split. */
export function splitDeltas(text: string, n: number): string[] {
  const points = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < points.length; i += n) out.push(points.slice(i, i + n).join(''));
  return out;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random id like the providers' own (`chatcmpl-…`, `msg_…`, `req_…`). */
export function randomId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let s = prefix;
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return s;
}

/** Text of one message's content: a string, or an array of parts carrying `text`. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof p === 'object' && typeof (p as any).text === 'string' ? (p as any).text : ''))
      .join('');
  }
  return '';
}

function geminiTurns(body: any): Array<{ role: string; text: string }> {
  const contents = Array.isArray(body?.contents) ? body.contents : [];
  return contents.map((c: any) => ({ role: c?.role ?? 'user', text: contentText(c?.parts) }));
}

function chatTurns(body: any): Array<{ role: string; text: string }> {
  // The Responses API calls the turns `input` (a string, or items like chat messages).
  if (typeof body?.input === 'string') return [{ role: 'user', text: body.input }];
  const messages = Array.isArray(body?.messages) ? body.messages : Array.isArray(body?.input) ? body.input : [];
  return messages.map((m: any) => ({ role: String(m?.role ?? ''), text: contentText(m?.content) }));
}

/** The last user message's text, whatever the protocol's request shape ('' when none). */
export function lastUserText(protocol: MockProtocol, body: any): string {
  const turns = protocol === 'gemini' ? geminiTurns(body) : chatTurns(body);
  for (let i = turns.length - 1; i >= 0; i--) if (turns[i].role === 'user') return turns[i].text;
  return '';
}

/** Every prompt character the request carries (system included), for the default input-token estimate. */
export function promptText(protocol: MockProtocol, body: any): string {
  const turns = protocol === 'gemini' ? geminiTurns(body) : chatTurns(body);
  let system = '';
  if (protocol === 'anthropic') system = contentText(body?.system);
  if (protocol === 'gemini') system = contentText(body?.systemInstruction?.parts);
  if (protocol === 'openai-responses') system = contentText(body?.instructions);
  return [system, ...turns.map((t) => t.text)].join('\n');
}

/** Fills a MockReply's defaults for the encoders. */
export function resolveReply(reply: MockReply, protocol: MockProtocol, model: string, body: any): ResolvedReply {
  const text = reply.text ?? '';
  const reasoning = reply.reasoning ?? '';
  const deltaChars = Math.max(1, Math.floor(reply.deltaChars ?? 4));
  const reasoningEst = estimateTokens(reasoning);
  const usage = reply.usage
    ? {
        input: reply.usage.input,
        output: reply.usage.output,
        cached: reply.usage.cached ?? 0,
        reasoning: reply.usage.reasoning ?? Math.min(reasoningEst, reply.usage.output),
      }
    : {
        input: Math.max(1, estimateTokens(promptText(protocol, body))),
        output: estimateTokens(text) + reasoningEst,
        cached: 0,
        reasoning: reasoningEst,
      };
  const deltas = Math.ceil(Array.from(reasoning).length / deltaChars) + Math.ceil(Array.from(text).length / deltaChars);
  const plannedMs =
    (reply.headerDelayMs ?? 0) + (reply.firstChunkDelayMs ?? 0) + (reply.chunkDelayMs ?? 0) * Math.max(0, deltas - 1);
  return {
    model,
    text,
    reasoning,
    usage,
    finish: reply.finish ?? 'stop',
    deltaChars,
    errorAfter: reply.streamError ? Math.max(0, Math.floor(reply.streamError.afterDeltas)) : null,
    errorMessage: reply.streamError?.message ?? 'Overloaded',
    plannedMs,
  };
}

/**
 * Groups stream pieces into timed frames: the preamble rides with the first delta, transitions
 * with the next delta, the trailer with the last one, so the first text arrives after
 * firstChunkDelayMs on every protocol. With `errorAfter`, the stream is cut right after that
 * many deltas (never reaching the trailer) and `errorPiece` follows as its own frame, or, when
 * it is null, the connection is dropped there.
 */
export function framesFromPieces(
  pieces: Piece[],
  errorAfter: number | null,
  errorPiece: string | null,
): { frames: string[]; dropAtEnd: boolean } {
  let selected = pieces;
  if (errorAfter !== null) {
    selected = [];
    let seen = 0;
    for (const p of pieces) {
      if (p.kind === 'tail') break;
      if (p.kind === 'delta') {
        if (seen === errorAfter) break;
        seen++;
      } else if (seen === errorAfter && seen > 0) break;
      selected.push(p);
    }
  }
  const frames: string[] = [];
  let pending = '';
  for (const p of selected) {
    pending += p.data;
    if (p.kind === 'delta') {
      frames.push(pending);
      pending = '';
    }
  }
  if (pending) {
    if (frames.length > 0 && errorAfter === null) frames[frames.length - 1] += pending;
    else frames.push(pending);
  }
  if (errorAfter === null) return { frames, dropAtEnd: false };
  if (errorPiece === null) return { frames, dropAtEnd: true };
  frames.push(errorPiece);
  return { frames, dropAtEnd: false };
}
