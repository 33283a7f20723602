/**
 * Google Gemini API (generativelanguage.googleapis.com), streamGenerateContent with alt=sse.
 * No terminator event: the chunk carrying finishReason is the last, and each chunk's
 * usageMetadata is cumulative, so the last one seen is the answer's usage.
 */
import type { ChatMessage, ModelRequest, ProviderEvent, Usage } from '../core/types.js';
import { finishReason } from './finish-reason.js';
import { errorFromPayload, excerpt } from './http-errors.js';
import { joinUrl } from './http.js';
import { keyHeaders } from './key-headers.js';
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
import type { ProviderAdapter, ProviderSpec, StreamOptions } from './provider.js';
import { geminiThinkingConfig } from './reasoning.js';
import { warmTransport } from './transport.js';
import { parseSse } from './sse.js';

/** A turn's parts: its text, then its images inline. */
function parts(m: ChatMessage): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [{ text: m.content }];
  for (const i of m.images ?? []) out.push({ inlineData: { mimeType: i.mediaType, data: i.base64 } });
  return m.images?.length && !m.content ? out.slice(1) : out;
}

/**
 * The request as sent. The key goes in `x-goog-api-key`, never in `?key=`: URLs end up in
 * logs, proxies and error messages.
 */
export function geminiRequest(spec: ProviderSpec, request: ModelRequest): HttpCall {
  const model = request.model.replace(/^models\//, '');
  const contents = request.messages
    .filter((m) => m.role !== 'system')
    .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: parts(m) }));
  const system = [request.system, ...request.messages.filter((m) => m.role === 'system').map((m) => m.content)]
    .filter((s): s is string => !!s)
    .join('\n\n');
  const generationConfig: Record<string, unknown> = {};
  if (request.temperature !== undefined) generationConfig.temperature = request.temperature;
  if (request.maxTokens !== undefined) generationConfig.maxOutputTokens = request.maxTokens;
  if (request.topP !== undefined) generationConfig.topP = request.topP;
  if (request.stop?.length) generationConfig.stopSequences = request.stop;
  const thinkingConfig = geminiThinkingConfig(model, request.reasoning);
  if (thinkingConfig) generationConfig.thinkingConfig = thinkingConfig;
  const body: Record<string, unknown> = { contents };
  if (system) body.systemInstruction = { parts: [{ text: system }] };
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  const headers = keyHeaders(spec, 'text/event-stream');
  const url = joinUrl(spec.baseUrl, `models/${encodeURIComponent(model)}:streamGenerateContent?alt=sse`);
  return { url, headers, body };
}

/** usageMetadata → Usage. Thought tokens are billed as output, so they are part of outputTokens. */
export function geminiUsage(u: Record<string, unknown>): Usage {
  const candidates = numOrNull(u.candidatesTokenCount);
  const thoughts = numOrNull(u.thoughtsTokenCount);
  const cached = numOrNull(u.cachedContentTokenCount);
  const prompt = numOrNull(u.promptTokenCount);
  const total = numOrNull(u.totalTokenCount);
  // A blocked answer has no candidatesTokenCount at all; its total then says how much output there was (none).
  const rest = prompt !== null && total !== null && total >= prompt ? total - prompt : null;
  const usage: Usage = {
    inputTokens: prompt,
    outputTokens: candidates === null && thoughts === null ? rest : (candidates ?? 0) + (thoughts ?? 0),
    raw: u,
  };
  if (thoughts !== null) usage.reasoningTokens = thoughts;
  if (cached !== null) usage.cachedInputTokens = cached;
  return usage;
}

/** What one GenerateContentResponse contributes: deltas, and possibly the finish reason and usage. */
interface ChunkState {
  raw: string | null;
  usage: Usage;
}

function readChunk(chunk: Record<string, unknown>, state: ChunkState): ProviderEvent[] {
  const out: ProviderEvent[] = [];
  const candidate = Array.isArray(chunk.candidates) ? chunk.candidates[0] : undefined;
  if (isObject(candidate)) {
    const parts = isObject(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
    for (const part of parts) {
      if (!isObject(part) || !nonEmpty(part.text)) continue;
      out.push({ type: part.thought === true ? 'reasoning-delta' : 'text-delta', text: part.text as string });
    }
    if (nonEmpty(candidate.finishReason)) state.raw = candidate.finishReason as string;
  }
  // A blocked prompt has no candidates at all, only promptFeedback.blockReason.
  const feedback = chunk.promptFeedback;
  if (state.raw === null && isObject(feedback) && nonEmpty(feedback.blockReason)) {
    state.raw = feedback.blockReason as string;
  }
  if (isObject(chunk.usageMetadata)) state.usage = geminiUsage(chunk.usageMetadata);
  return out;
}

const finishOf = (state: ChunkState): ProviderEvent => ({ type: 'finish', finishReason: finishReason(state.raw), usage: state.usage });

function protocol(spec: ProviderSpec, request: ModelRequest): WireProtocol {
  const asChunk = (value: unknown, shown: string): Record<string, unknown> => {
    if (!isObject(value)) throw new BadResponseError(`expected a GenerateContentResponse but got ${excerpt(shown)}`);
    return value;
  };
  return {
    format: 'sse',
    async *events(body, ctx) {
      const state: ChunkState = { raw: null, usage: { inputTokens: null, outputTokens: null } };
      for await (const ev of parseSse(body, ctx)) {
        const chunk = asChunk(parseEventJson(ev.data), ev.data);
        if (chunk.error != null) return yield fail(errorFromPayload(spec, null, chunk, { model: request.model }));
        yield* readChunk(chunk, state);
      }
      if (state.raw !== null) yield finishOf(state);
    },
    complete(json) {
      // generateContent gives one object; streamGenerateContent without alt=sse gives an array.
      const chunks = Array.isArray(json) ? json : [json];
      const first = chunks[0];
      if (isObject(first) && first.error != null) return [fail(errorFromPayload(spec, null, first, { model: request.model }))];
      const state: ChunkState = { raw: null, usage: { inputTokens: null, outputTokens: null } };
      const out = chunks.flatMap((c) => readChunk(asChunk(c, JSON.stringify(c)), state));
      return [...out, finishOf(state)];
    },
  };
}

export const geminiAdapter: ProviderAdapter = {
  warm: warmTransport,
  stream(spec: ProviderSpec, request: ModelRequest, options: StreamOptions): AsyncIterable<ProviderEvent> {
    return streamHttp(spec, request, geminiRequest(spec, request), protocol(spec, request), options);
  },
};
