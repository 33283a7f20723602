/**
 * Anthropic /v1/messages, as api.anthropic.com sends it: named SSE events, padding spaces
 * before the closing brace of most `data:` objects, a ping after the first block start,
 * cumulative output_tokens in message_delta. See realdata anthropic/messages-stream*.sse.
 */
import { framesFromPieces, randomId, splitDeltas } from './text.js';
import type { Encoded, Piece, ResolvedReply } from './types.js';

/** `event: NAME\ndata: JSON\n\n`, with the API's trailing padding (deterministic widths here). */
function event(name: string, data: unknown, pad: number): string {
  const json = JSON.stringify(data);
  return `event: ${name}\ndata: ${json.slice(0, -1)}${' '.repeat(pad)}}\n\n`;
}

const PING = 'event: ping\ndata: {"type": "ping"}\n\n';

/** Signature of the thinking block; clients must pass it back verbatim, so any opaque string works. */
const SIGNATURE = 'EqMBCkYIBxgCKkBmb2NrLXNpZ25hdHVyZS1mb3ItdGhpbmtpbmctYmxvY2sSDG1tci1tb2NrLXNpZw==';

function stopReason(r: ResolvedReply): string {
  return r.finish === 'length' ? 'max_tokens' : r.finish === 'content-filter' ? 'refusal' : 'end_turn';
}

function startUsage(r: ResolvedReply, output: number): Record<string, unknown> {
  return {
    input_tokens: r.usage.input - r.usage.cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: r.usage.cached,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    service_tier: 'standard',
  };
}

function streamPieces(r: ResolvedReply): Piece[] {
  let n = 0;
  const ev = (name: string, data: unknown) => event(name, data, (n++ * 7) % 15);
  const pieces: Piece[] = [];
  const meta = (data: string) => pieces.push({ kind: 'meta', data });
  const message = {
    model: r.model,
    id: randomId('msg_01', 22),
    type: 'message',
    role: 'assistant',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: startUsage(r, 1),
  };
  meta(ev('message_start', { type: 'message_start', message }));
  let index = 0;
  if (r.reasoning) {
    meta(ev('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    meta(PING);
    for (const d of splitDeltas(r.reasoning, r.deltaChars)) {
      pieces.push({ kind: 'delta', data: ev('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: d } }) });
    }
    meta(ev('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: SIGNATURE } }));
    meta(ev('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  }
  meta(ev('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
  if (index === 0) meta(PING);
  for (const d of splitDeltas(r.text, r.deltaChars)) {
    pieces.push({ kind: 'delta', data: ev('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: d } }) });
  }
  const tail = (data: string) => pieces.push({ kind: 'tail', data });
  tail(ev('content_block_stop', { type: 'content_block_stop', index }));
  tail(
    ev('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason(r), stop_sequence: null },
      usage: {
        input_tokens: r.usage.input - r.usage.cached,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: r.usage.cached,
        output_tokens: r.usage.output,
      },
    }),
  );
  tail(ev('message_stop', { type: 'message_stop' }));
  return pieces;
}

/** The in-stream error Anthropic sends when it fails after the 200 (recorded: overloaded). */
export function anthropicStreamError(message: string): string {
  return event('error', { type: 'error', error: { details: null, type: 'overloaded_error', message } }, 14);
}

function messageJson(r: ResolvedReply): string {
  const content: unknown[] = [];
  if (r.reasoning) content.push({ type: 'thinking', thinking: r.reasoning, signature: SIGNATURE });
  content.push({ type: 'text', text: r.text });
  return JSON.stringify({
    id: randomId('msg_01', 22),
    type: 'message',
    role: 'assistant',
    model: r.model,
    content,
    stop_reason: stopReason(r),
    stop_sequence: null,
    usage: startUsage(r, r.usage.output),
  });
}

export function encodeAnthropic(r: ResolvedReply, stream: boolean): Encoded {
  const requestId = randomId('req_011C', 20);
  if (!stream) {
    return { status: 200, headers: { 'content-type': 'application/json', 'request-id': requestId }, frames: [messageJson(r)], chunked: false };
  }
  const { frames, dropAtEnd } = framesFromPieces(
    streamPieces(r),
    r.errorAfter,
    r.errorAfter === null ? null : anthropicStreamError(r.errorMessage),
  );
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': requestId },
    frames,
    chunked: true,
    dropAtEnd,
  };
}
