/**
 * Gemini v1beta generateContent / streamGenerateContent, as generativelanguage.googleapis.com
 * sends it: `data: JSON\r\n\r\n` on alt=sse, `": "` after keys and bare commas in the JSON,
 * cumulative usageMetadata on every chunk, finishReason only on the last, thought parts
 * `{text, thought: true}` first. See realdata gemini/stream-alt-sse*.sse.
 */
import { framesFromPieces, randomId, splitDeltas } from './text.js';
import type { Encoded, Piece, ResolvedReply } from './types.js';

/** JSON the way the Gemini API prints its SSE chunks: `{"a": 1,"b": [2,3]}`. */
export function geminiJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(geminiJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${geminiJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function usageMetadata(r: ResolvedReply, candidates: number, thoughts: number): Record<string, unknown> {
  const { input, cached } = r.usage;
  return {
    promptTokenCount: input,
    candidatesTokenCount: candidates > 0 ? candidates : undefined,
    totalTokenCount: input + candidates + thoughts,
    cachedContentTokenCount: cached > 0 ? cached : undefined,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: input }],
    thoughtsTokenCount: thoughts > 0 ? thoughts : undefined,
  };
}

interface Chunk {
  parts: Array<{ text: string; thought?: true }>;
  candidates: number;
  thoughts: number;
  last: boolean;
}

/** The answer as Gemini chunks, each carrying the usage counted so far. */
function chunks(r: ResolvedReply): Chunk[] {
  const thoughtsTotal = r.usage.reasoning;
  const candidatesTotal = Math.max(0, r.usage.output - r.usage.reasoning);
  const reasoning = splitDeltas(r.reasoning, r.deltaChars);
  const text = splitDeltas(r.text, r.deltaChars);
  const out: Chunk[] = [];
  const share = (done: number, all: number, total: number) => (all === 0 ? total : Math.round((total * done) / all));
  reasoning.forEach((d, i) => {
    out.push({ parts: [{ text: d, thought: true }], candidates: 0, thoughts: share(i + 1, reasoning.length, thoughtsTotal), last: false });
  });
  text.forEach((d, i) => {
    out.push({ parts: [{ text: d }], candidates: share(i + 1, text.length, candidatesTotal), thoughts: thoughtsTotal, last: false });
  });
  if (out.length === 0) out.push({ parts: [{ text: '' }], candidates: candidatesTotal, thoughts: thoughtsTotal, last: false });
  const final = out[out.length - 1];
  final.last = true;
  final.candidates = candidatesTotal;
  final.thoughts = thoughtsTotal;
  return out;
}

function finishReason(r: ResolvedReply): string {
  return r.finish === 'length' ? 'MAX_TOKENS' : r.finish === 'content-filter' ? 'SAFETY' : 'STOP';
}

function response(r: ResolvedReply, c: Chunk, responseId: string, withFinish: boolean): Record<string, unknown> {
  return {
    candidates: [
      {
        content: { parts: c.parts, role: 'model' },
        finishReason: withFinish ? finishReason(r) : undefined,
        index: 0,
      },
    ],
    usageMetadata: usageMetadata(r, c.candidates, c.thoughts),
    modelVersion: r.model,
    responseId,
  };
}

/** `sse`: the request had `?alt=sse`; without it the real API streams one JSON array. */
export function encodeGemini(r: ResolvedReply, stream: boolean, sse: boolean): Encoded {
  const responseId = randomId('', 23);
  const headers = { 'content-type': sse ? 'text/event-stream' : 'application/json; charset=UTF-8', server: 'scaffolding on HTTPServer2' };
  if (!stream) {
    const parts: Array<{ text: string; thought?: true }> = [];
    if (r.reasoning) parts.push({ text: r.reasoning, thought: true });
    parts.push({ text: r.text });
    const all: Chunk = { parts, candidates: Math.max(0, r.usage.output - r.usage.reasoning), thoughts: r.usage.reasoning, last: true };
    const body = JSON.stringify(response(r, all, responseId, true), null, 2) + '\n';
    return { status: 200, headers, frames: [body], chunked: false };
  }
  // A stream that will fail never shows its finishReason: it is cut before the end.
  const failing = r.errorAfter !== null;
  const pieces: Piece[] = chunks(r).map((c, i) => {
    const obj = response(r, c, responseId, c.last && !failing);
    const data = sse ? `data: ${geminiJson(obj)}\r\n\r\n` : `${i === 0 ? '[' : ',\r\n'}${JSON.stringify(obj, null, 2)}`;
    return { kind: 'delta', data };
  });
  if (!sse) pieces.push({ kind: 'tail', data: ']' });
  // Gemini has no in-stream error event: a failure mid-stream is a dropped connection.
  const { frames, dropAtEnd } = framesFromPieces(pieces, r.errorAfter, null);
  return { status: 200, headers, frames, chunked: true, dropAtEnd };
}
