/**
 * OpenAI Responses API (`POST /v1/responses`), as api.openai.com streams it: `event:` + `data:`
 * pairs whose `type` repeats the event name, a `sequence_number` on each, no `[DONE]`; a
 * reasoning item's summary parts first (when the reply has reasoning), then the message item;
 * `response.completed`, or `response.incomplete` (max_output_tokens, content_filter) carrying the
 * usage. See realdata streams-next/openai/responses-*.
 */
import { framesFromPieces, randomId, splitDeltas } from './text.js';
import type { Encoded, Piece, ResolvedReply } from './types.js';

function usage(r: ResolvedReply): Record<string, unknown> {
  const { input, output, cached, reasoning } = r.usage;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output,
  };
}

/** The incomplete reason for a finish, or null for a complete answer. */
function incomplete(r: ResolvedReply): string | null {
  if (r.finish === 'length') return 'max_output_tokens';
  if (r.finish === 'content-filter') return 'content_filter';
  return null;
}

interface Ids {
  response: string;
  reasoning: string;
  message: string;
  created: number;
}

function responseObject(r: ResolvedReply, ids: Ids, status: string, output: unknown[], withUsage: boolean): Record<string, unknown> {
  const reason = incomplete(r);
  return {
    id: ids.response,
    object: 'response',
    created_at: ids.created,
    status,
    background: false,
    error: null,
    incomplete_details: status === 'incomplete' && reason ? { reason } : null,
    instructions: null,
    max_output_tokens: null,
    max_tool_calls: null,
    model: r.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: null,
    reasoning: { effort: r.reasoning ? 'medium' : null, summary: r.reasoning ? 'detailed' : null },
    safety_identifier: null,
    service_tier: 'default',
    store: false,
    temperature: 1.0,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: 1.0,
    truncation: 'disabled',
    usage: withUsage ? usage(r) : null,
    user: null,
    metadata: {},
  };
}

function outputItems(r: ResolvedReply, ids: Ids, status: string): unknown[] {
  const items: unknown[] = [];
  if (r.reasoning) items.push({ id: ids.reasoning, type: 'reasoning', summary: [{ type: 'summary_text', text: r.reasoning }] });
  items.push({ id: ids.message, type: 'message', status, content: [{ type: 'output_text', annotations: [], logprobs: [], text: r.text }], role: 'assistant' });
  return items;
}

function streamPieces(r: ResolvedReply, ids: Ids): Piece[] {
  let seq = 0;
  const pieces: Piece[] = [];
  const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const meta = (type: string, data: Record<string, unknown>) => pieces.push({ kind: 'meta', data: ev(type, data) });
  const delta = (type: string, data: Record<string, unknown>) => pieces.push({ kind: 'delta', data: ev(type, data) });
  meta('response.created', { response: responseObject(r, ids, 'in_progress', [], false) });
  meta('response.in_progress', { response: responseObject(r, ids, 'in_progress', [], false) });
  let index = 0;
  if (r.reasoning) {
    const item = { id: ids.reasoning, type: 'reasoning', summary: [] };
    meta('response.output_item.added', { output_index: index, item });
    meta('response.reasoning_summary_part.added', { item_id: ids.reasoning, output_index: index, summary_index: 0, part: { type: 'summary_text', text: '' } });
    for (const d of splitDeltas(r.reasoning, r.deltaChars)) {
      delta('response.reasoning_summary_text.delta', { item_id: ids.reasoning, output_index: index, summary_index: 0, delta: d, obfuscation: 'mMr' });
    }
    meta('response.reasoning_summary_text.done', { item_id: ids.reasoning, output_index: index, summary_index: 0, text: r.reasoning });
    meta('response.reasoning_summary_part.done', { item_id: ids.reasoning, output_index: index, summary_index: 0, part: { type: 'summary_text', text: r.reasoning } });
    meta('response.output_item.done', { output_index: index, item: { ...item, summary: [{ type: 'summary_text', text: r.reasoning }] } });
    index++;
  }
  meta('response.output_item.added', { output_index: index, item: { id: ids.message, type: 'message', status: 'in_progress', content: [], role: 'assistant' } });
  meta('response.content_part.added', { item_id: ids.message, output_index: index, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
  for (const d of splitDeltas(r.text, r.deltaChars)) {
    delta('response.output_text.delta', { item_id: ids.message, output_index: index, content_index: 0, delta: d, logprobs: [], obfuscation: 'mMr' });
  }
  const status = incomplete(r) ? 'incomplete' : 'completed';
  const tail = (type: string, data: Record<string, unknown>) => pieces.push({ kind: 'tail', data: ev(type, data) });
  tail('response.output_text.done', { item_id: ids.message, output_index: index, content_index: 0, text: r.text, logprobs: [] });
  tail('response.content_part.done', { item_id: ids.message, output_index: index, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: r.text } });
  tail('response.output_item.done', { output_index: index, item: outputItems(r, ids, status).at(-1) as Record<string, unknown> });
  tail(`response.${status}`, { response: responseObject(r, ids, status, outputItems(r, ids, status), true) });
  return pieces;
}

/** A failure after the 200, as the API sends it: a top-level `error` event. */
function streamError(message: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: 0, code: 'server_error', message, param: null })}\n\n`;
}

export function encodeResponses(r: ResolvedReply, stream: boolean): Encoded {
  const ids: Ids = { response: randomId('resp_', 48), reasoning: randomId('rs_', 48), message: randomId('msg_', 48), created: Math.floor(Date.now() / 1000) };
  const headers = { 'x-request-id': randomId('req_', 32), 'openai-processing-ms': '42' };
  if (!stream) {
    const status = incomplete(r) ? 'incomplete' : 'completed';
    const body = JSON.stringify(responseObject(r, ids, status, outputItems(r, ids, status), true), null, 2);
    return { status: 200, headers: { 'content-type': 'application/json', ...headers }, frames: [body], chunked: false };
  }
  const { frames, dropAtEnd } = framesFromPieces(streamPieces(r, ids), r.errorAfter, r.errorAfter === null ? null : streamError(r.errorMessage));
  return { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers }, frames, chunked: true, dropAtEnd };
}
