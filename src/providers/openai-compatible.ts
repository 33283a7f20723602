/**
 * OpenAI Chat Completions, the protocol most hosts speak (OpenAI, Groq, OpenRouter, vLLM,
 * llama.cpp, LM Studio, Ollama's /v1, GPUStack, Azure AI). The servers differ in small ways
 * that matter for usage and termination; each tolerance below is for a server seen doing it.
 */
import type { ChatMessage, ModelRequest, ProviderEvent, Usage } from '../core/types.js';
import { finishReason } from './finish-reason.js';
import { errorFromPayload, excerpt } from './http-errors.js';
import { streamHttp } from './http-stream.js';
import {
  BadResponseError,
  fail,
  isObject,
  nonEmpty,
  numOrNull,
  parseEventJson,
  type HttpCall,
  type WireProtocol,
} from './wire.js';
import { dataUrl, openaiUrl, usageOf } from './openai-urls.js';
import { keyHeaders } from './key-headers.js';
import type { ProviderAdapter, ProviderSpec, StreamOptions } from './provider.js';
import { openaiReasoningFields } from './reasoning.js';
import { warmTransport } from './transport.js';
import { parseSse } from './sse.js';

/** OpenAI's own API (and Azure's) rejects `max_tokens` for reasoning models; other servers mostly know only `max_tokens`. */
function maxTokensField(spec: ProviderSpec): 'max_tokens' | 'max_completion_tokens' {
  if (spec.azure) return 'max_completion_tokens';
  try {
    return new URL(spec.baseUrl).hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens';
  } catch {
    return 'max_tokens';
  }
}

/** A turn as sent: text alone stays a string; with images it becomes text and image_url parts. */
function chatMessage(m: ChatMessage): Record<string, unknown> {
  if (!m.images?.length) return { role: m.role, content: m.content };
  const content: Record<string, unknown>[] = [];
  if (m.content) content.push({ type: 'text', text: m.content });
  for (const image of m.images) content.push({ type: 'image_url', image_url: { url: dataUrl(image) } });
  return { role: m.role, content };
}

/** The request as sent: `POST {baseUrl}/chat/completions` (Azure: the deployment's URL), streamed, usage requested. */
export function openaiRequest(spec: ProviderSpec, request: ModelRequest): HttpCall {
  const turns = request.messages.map(chatMessage);
  const messages = request.system ? [{ role: 'system', content: request.system }, ...turns] : turns;
  const body: Record<string, unknown> = {
    model: request.model,
    messages,
    stream: true,
    // Without this OpenAI sends no usage at all in a stream.
    stream_options: { include_usage: true },
  };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.maxTokens !== undefined) body[maxTokensField(spec)] = request.maxTokens;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop?.length) body.stop = request.stop;
  Object.assign(body, openaiReasoningFields(spec, request.model, request.reasoning));
  return { url: openaiUrl(spec, 'chat', request.model), headers: keyHeaders(spec, 'text/event-stream'), body };
}

/** Chat Completions usage → Usage. completion_tokens already includes reasoning tokens. */
export const openaiUsage = (u: Record<string, unknown>): Usage =>
  usageOf(u, { input: 'prompt_tokens', output: 'completion_tokens', inputDetails: 'prompt_tokens_details', outputDetails: 'completion_tokens_details' });

/** An error object inside a 200 stream; vLLM puts the HTTP-like status in `error.code`. */
function streamError(spec: ProviderSpec, chunk: Record<string, unknown>, model: string): ProviderEvent {
  const code = isObject(chunk.error) ? chunk.error.code : undefined;
  const status = typeof code === 'number' && code >= 400 && code < 600 ? code : null;
  return fail(errorFromPayload(spec, status, chunk, { model }));
}

/**
 * Mistral's `content` may be a list of typed parts: `{type: "text", text}` is answer,
 * `{type: "thinking", thinking: [{type: "text", text}]}` is reasoning (both in one chunk at times).
 */
function contentParts(parts: unknown[], out: ProviderEvent[]): void {
  for (const p of parts) {
    if (!isObject(p)) continue;
    if (p.type === 'text' && nonEmpty(p.text)) out.push({ type: 'text-delta', text: p.text as string });
    if (p.type === 'thinking') {
      const inner = Array.isArray(p.thinking) ? p.thinking : [p.thinking];
      for (const t of inner) {
        const text = typeof t === 'string' ? nonEmpty(t) : isObject(t) ? nonEmpty(t.text) : undefined;
        if (text) out.push({ type: 'reasoning-delta', text });
      }
    }
  }
}

function deltas(source: unknown): ProviderEvent[] {
  if (!isObject(source)) return [];
  const out: ProviderEvent[] = [];
  // Ollama's /v1, OpenRouter and Groq say `reasoning`; DeepSeek and llama.cpp say `reasoning_content`.
  const reasoning = nonEmpty(source.reasoning) ?? nonEmpty(source.reasoning_content);
  if (reasoning) out.push({ type: 'reasoning-delta', text: reasoning });
  if (Array.isArray(source.content)) contentParts(source.content, out);
  const text = nonEmpty(source.content);
  if (text) out.push({ type: 'text-delta', text });
  return out;
}

function protocol(spec: ProviderSpec, request: ModelRequest, call: HttpCall): WireProtocol {
  return {
    format: 'sse',
    async *events(body, ctx) {
      let raw: string | null = null;
      let sawFinish = false;
      let usage: Usage = { inputTokens: null, outputTokens: null };
      const finish = (): ProviderEvent => ({ type: 'finish', finishReason: finishReason(raw), usage });
      for await (const ev of parseSse(body, ctx)) {
        const data = ev.data.trim();
        if (data === '[DONE]') return yield finish();
        const chunk = parseEventJson(data);
        if (!isObject(chunk)) throw new BadResponseError(`expected a chat completion chunk but got ${excerpt(data)}`);
        if (chunk.error != null || ev.event === 'error') return yield streamError(spec, chunk, request.model);
        const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
        if (isObject(choice)) {
          yield* deltas(choice.delta);
          if (nonEmpty(choice.finish_reason)) {
            raw = choice.finish_reason as string;
            sawFinish = true;
          }
        }
        // Usage comes in a last chunk with `choices: []` (OpenAI) or beside finish_reason (GPUStack).
        if (isObject(chunk.usage)) usage = openaiUsage(chunk.usage);
      }
      // Some servers (GPUStack) never send [DONE]; a finish_reason then marks a complete answer.
      if (sawFinish) yield finish();
    },
    complete(json) {
      if (isObject(json) && json.error != null) return [streamError(spec, json, request.model)];
      const choice = isObject(json) && Array.isArray(json.choices) ? json.choices[0] : undefined;
      if (!isObject(json) || !isObject(choice)) {
        throw new BadResponseError(`expected a chat completion but got ${excerpt(JSON.stringify(json))}`);
      }
      const usage = isObject(json.usage) ? openaiUsage(json.usage) : { inputTokens: null, outputTokens: null };
      return [...deltas(choice.message), { type: 'finish', finishReason: finishReason(nonEmpty(choice.finish_reason)), usage }];
    },
    fallback(status, bodyText) {
      // Older vLLM / llama.cpp reject the unknown field; without it we lose usage, not the answer.
      const body = call.body as Record<string, unknown>;
      if (status !== 400 || !/stream_options/i.test(bodyText) || !('stream_options' in body)) return undefined;
      const { stream_options: _dropped, ...rest } = body;
      return { ...call, body: rest };
    },
  };
}

export const openaiAdapter: ProviderAdapter = {
  warm: warmTransport,
  stream(spec: ProviderSpec, request: ModelRequest, options: StreamOptions): AsyncIterable<ProviderEvent> {
    const call = openaiRequest(spec, request);
    return streamHttp(spec, request, call, protocol(spec, request, call), options);
  },
};
