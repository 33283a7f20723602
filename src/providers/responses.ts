/**
 * OpenAI Responses API (`POST {baseUrl}/responses`), for the models OpenAI serves only there
 * (o3-pro, gpt-5-pro, codex) and for anyone who sets `protocol: openai-responses`. Typed SSE
 * events with no `[DONE]`: the stream ends with `response.completed`, `response.incomplete`
 * (max_output_tokens, content_filter) or `response.failed`, whose `response.usage` is the
 * answer's. Reasoning arrives as summary text, kept apart from the answer.
 */
import type { ChatMessage, ModelRequest, ProviderEvent, Usage } from '../core/types.js';
import { finishReason } from './finish-reason.js';
import { errorFromPayload, excerpt } from './http-errors.js';
import { streamHttp } from './http-stream.js';
import { BadResponseError, fail, isObject, nonEmpty, parseEventJson, type HttpCall, type WireProtocol } from './wire.js';
import { dataUrl, openaiUrl, usageOf } from './openai-urls.js';
import { keyHeaders } from './key-headers.js';
import type { ProviderAdapter, ProviderSpec, StreamOptions } from './provider.js';
import { responsesReasoning } from './reasoning.js';
import { parseSse } from './sse.js';

/** Between the parts of a reasoning summary (each part opens with its own bold heading). */
export const SUMMARY_SEPARATOR = '\n\n';

function inputItem(m: ChatMessage): Record<string, unknown> {
  if (!m.images?.length) return { role: m.role, content: m.content };
  const parts: Record<string, unknown>[] = [];
  if (m.content) parts.push({ type: 'input_text', text: m.content });
  for (const image of m.images) parts.push({ type: 'input_image', image_url: dataUrl(image) });
  return { role: m.role, content: parts };
}

/** The request as sent: streamed, not stored on OpenAI's side (mmr keeps no conversation state there). */
export function responsesRequest(spec: ProviderSpec, request: ModelRequest): HttpCall {
  const body: Record<string, unknown> = { model: request.model, input: request.messages.map(inputItem), stream: true, store: false };
  if (request.system) body.instructions = request.system;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.maxTokens !== undefined) body.max_output_tokens = request.maxTokens;
  if (request.topP !== undefined) body.top_p = request.topP;
  const reasoning = responsesReasoning(request.model, request.reasoning);
  if (reasoning) body.reasoning = reasoning;
  return { url: openaiUrl(spec, 'responses', request.model), headers: keyHeaders(spec, 'text/event-stream'), body };
}

/** Responses usage → Usage. output_tokens includes the reasoning tokens. */
export const responsesUsage = (u: Record<string, unknown>): Usage =>
  usageOf(u, { input: 'input_tokens', output: 'output_tokens', inputDetails: 'input_tokens_details', outputDetails: 'output_tokens_details' });

/** Why a final response object ended: `completed`, or the incomplete reason (`max_output_tokens`, `content_filter`). */
function endReason(response: Record<string, unknown>, refused: boolean): string | null {
  if (response.status === 'incomplete') {
    return (isObject(response.incomplete_details) ? nonEmpty(response.incomplete_details.reason) : undefined) ?? 'incomplete';
  }
  if (refused) return 'refusal';
  const output = Array.isArray(response.output) ? response.output : [];
  if (output.some((o) => isObject(o) && o.type === 'function_call')) return 'tool_calls';
  return nonEmpty(response.status) ?? null;
}

function finishOf(response: Record<string, unknown>, refused: boolean): ProviderEvent {
  const usage = isObject(response.usage) ? responsesUsage(response.usage) : { inputTokens: null, outputTokens: null };
  return { type: 'finish', finishReason: finishReason(endReason(response, refused)), usage };
}

/** A `response.failed` or top-level `error` event as the shared error reader expects it. */
function failure(spec: ProviderSpec, model: string, payload: Record<string, unknown>): ProviderEvent {
  const err = isObject(payload.response) && isObject(payload.response.error) ? payload.response.error : payload.error ?? payload;
  return fail(errorFromPayload(spec, null, { error: err }, { model }));
}

/** The events of a complete response object (non-streamed answers, and `complete` of a JSON body). */
function fromResponse(json: Record<string, unknown>): ProviderEvent[] {
  const out: ProviderEvent[] = [];
  const summaries: string[] = [];
  let refused = false;
  for (const item of Array.isArray(json.output) ? json.output : []) {
    if (!isObject(item)) continue;
    if (item.type === 'reasoning') {
      for (const s of Array.isArray(item.summary) ? item.summary : []) if (isObject(s) && nonEmpty(s.text)) summaries.push(s.text as string);
      for (const c of Array.isArray(item.content) ? item.content : []) if (isObject(c) && nonEmpty(c.text)) summaries.push(c.text as string);
    }
    if (item.type !== 'message') continue;
    for (const c of Array.isArray(item.content) ? item.content : []) {
      if (!isObject(c)) continue;
      if (c.type === 'output_text' && nonEmpty(c.text)) out.push({ type: 'text-delta', text: c.text as string });
      if (c.type === 'refusal' && nonEmpty(c.refusal)) {
        refused = true;
        out.push({ type: 'text-delta', text: c.refusal as string });
      }
    }
  }
  const reasoning: ProviderEvent[] = summaries.length ? [{ type: 'reasoning-delta', text: summaries.join(SUMMARY_SEPARATOR) }] : [];
  return [...reasoning, ...out, finishOf(json, refused)];
}

function protocol(spec: ProviderSpec, request: ModelRequest, call: HttpCall): WireProtocol {
  return {
    format: 'sse',
    async *events(body, ctx) {
      let refused = false;
      let reasoningSeen = false;
      let newPart = false;
      for await (const ev of parseSse(body, ctx)) {
        const msg = parseEventJson(ev.data);
        if (!isObject(msg)) throw new BadResponseError(`expected a Responses API event but got ${excerpt(ev.data)}`);
        const type = typeof msg.type === 'string' ? msg.type : ev.event;
        switch (type) {
          case 'response.output_text.delta':
            if (nonEmpty(msg.delta)) yield { type: 'text-delta', text: msg.delta as string };
            break;
          case 'response.refusal.delta':
            refused = true;
            if (nonEmpty(msg.delta)) yield { type: 'text-delta', text: msg.delta as string };
            break;
          case 'response.reasoning_summary_part.added':
            newPart = reasoningSeen;
            break;
          case 'response.reasoning_summary_text.delta':
          case 'response.reasoning_text.delta':
            if (nonEmpty(msg.delta)) {
              yield { type: 'reasoning-delta', text: newPart ? `${SUMMARY_SEPARATOR}${msg.delta as string}` : (msg.delta as string) };
              reasoningSeen = true;
              newPart = false;
            }
            break;
          case 'response.completed':
          case 'response.incomplete':
            return yield finishOf(isObject(msg.response) ? msg.response : {}, refused);
          case 'response.failed':
          case 'error':
            return yield failure(spec, request.model, msg);
        }
      }
    },
    complete(json) {
      if (!isObject(json)) throw new BadResponseError(`expected a Responses API response but got ${excerpt(JSON.stringify(json))}`);
      if (json.error != null && json.object !== 'response') return [fail(errorFromPayload(spec, null, json, { model: request.model }))];
      if (json.status === 'failed') return [failure(spec, request.model, { response: json })];
      if (json.object !== 'response' && !Array.isArray(json.output)) {
        throw new BadResponseError(`expected a Responses API response but got ${excerpt(JSON.stringify(json))}`);
      }
      return fromResponse(json);
    },
    fallback(status, bodyText) {
      // Reasoning summaries need a verified organisation; without one the answer still comes, unsummarised.
      const body = call.body as Record<string, unknown>;
      const reasoning = isObject(body.reasoning) ? body.reasoning : undefined;
      if (status !== 400 || !reasoning || !('summary' in reasoning) || !/summar|verif/i.test(bodyText)) return undefined;
      const { summary: _dropped, ...rest } = reasoning;
      return { ...call, body: { ...body, reasoning: rest } };
    },
  };
}

export const responsesAdapter: ProviderAdapter = {
  stream(spec: ProviderSpec, request: ModelRequest, options: StreamOptions): AsyncIterable<ProviderEvent> {
    const call = responsesRequest(spec, request);
    return streamHttp(spec, request, call, protocol(spec, request, call), options);
  },
};
