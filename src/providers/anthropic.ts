/**
 * Anthropic Messages API. The stream is typed events (message_start … message_stop); usage is
 * split between message_start (input, cache) and message_delta (cumulative output).
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
import { anthropicThinking } from './reasoning.js';
import { warmTransport } from './transport.js';
import { parseSse } from './sse.js';

/** Anthropic requires max_tokens; this is used when the request sets none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;
export { ANTHROPIC_VERSION } from './key-headers.js';

/** A turn as sent: a string, or (with images) image blocks then the text, as Anthropic recommends. */
function content(m: ChatMessage): unknown {
  if (!m.images?.length) return m.content;
  const blocks: Record<string, unknown>[] = m.images.map((i) => ({ type: 'image', source: { type: 'base64', media_type: i.mediaType, data: i.base64 } }));
  if (m.content) blocks.push({ type: 'text', text: m.content });
  return blocks;
}

/**
 * The request as sent: `POST {baseUrl}/v1/messages` with `system` top-level, streamed. With a
 * reasoning setting, `thinking` carries the budget and max_tokens grows by it: Anthropic counts
 * thinking inside max_tokens, and the answer should keep the room the user asked for.
 */
export function anthropicRequest(spec: ProviderSpec, request: ModelRequest): HttpCall {
  // The API has no system role in `messages`; stray system turns join the top-level system.
  const systemTurns = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
  const system = [request.system, ...systemTurns].filter((s): s is string => !!s).join('\n\n');
  const messages = request.messages.filter((m): m is ChatMessage => m.role !== 'system');
  const { thinking, extraMaxTokens } = anthropicThinking(request.reasoning);
  const body: Record<string, unknown> = {
    model: request.model,
    max_tokens: (request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS) + extraMaxTokens,
    messages: messages.map((m) => ({ role: m.role, content: content(m) })),
    stream: true,
  };
  if (thinking) body.thinking = thinking;
  if (system) body.system = system;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop?.length) body.stop_sequences = request.stop;
  return { url: joinUrl(spec.baseUrl, 'v1/messages'), headers: keyHeaders(spec, 'text/event-stream'), body };
}

/**
 * Anthropic usage → Usage. Anthropic's input_tokens excludes cached tokens, so they are added
 * back: Usage.inputTokens is every prompt token billed.
 */
export function anthropicUsage(u: Record<string, unknown>): Usage {
  const input = numOrNull(u.input_tokens);
  const cacheRead = numOrNull(u.cache_read_input_tokens);
  const cacheWrite = numOrNull(u.cache_creation_input_tokens);
  const usage: Usage = {
    inputTokens: input === null ? null : input + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: numOrNull(u.output_tokens),
    raw: u,
  };
  if (cacheRead !== null) usage.cachedInputTokens = cacheRead;
  // Newer responses say how many of the output tokens were thinking.
  const thinking = isObject(u.output_tokens_details) ? numOrNull(u.output_tokens_details.thinking_tokens) : null;
  if (thinking !== null) usage.reasoningTokens = thinking;
  return usage;
}

function blockDelta(delta: unknown): ProviderEvent | undefined {
  if (!isObject(delta)) return undefined;
  if (delta.type === 'text_delta' && nonEmpty(delta.text)) return { type: 'text-delta', text: delta.text as string };
  if (delta.type === 'thinking_delta' && nonEmpty(delta.thinking)) return { type: 'reasoning-delta', text: delta.thinking as string };
  return undefined; // signature_delta, input_json_delta: not shown
}

function protocol(spec: ProviderSpec, request: ModelRequest): WireProtocol {
  return {
    format: 'sse',
    async *events(body, ctx) {
      let usageRaw: Record<string, unknown> = {};
      let stop: string | null = null;
      const finish = (): ProviderEvent => ({ type: 'finish', finishReason: finishReason(stop), usage: anthropicUsage(usageRaw) });
      for await (const ev of parseSse(body, ctx)) {
        const msg = parseEventJson(ev.data);
        if (!isObject(msg)) throw new BadResponseError(`expected a Messages API event but got ${excerpt(ev.data)}`);
        const type = msg.type ?? ev.event;
        if (type === 'error' || ev.event === 'error') return yield fail(errorFromPayload(spec, null, msg, { model: request.model }));
        if (type === 'message_start' && isObject(msg.message) && isObject(msg.message.usage)) {
          usageRaw = { ...msg.message.usage };
        } else if (type === 'content_block_delta') {
          const out = blockDelta(msg.delta);
          if (out) yield out;
        } else if (type === 'message_delta') {
          if (isObject(msg.delta) && nonEmpty(msg.delta.stop_reason)) stop = msg.delta.stop_reason as string;
          // output_tokens here is cumulative, so it replaces message_start's, never adds to it.
          if (isObject(msg.usage)) usageRaw = { ...usageRaw, ...msg.usage };
        } else if (type === 'message_stop') {
          return yield finish();
        }
      }
      // A stream cut after message_delta still holds the whole answer and its stop reason.
      if (stop !== null) yield finish();
    },
    complete(json) {
      if (isObject(json) && json.type === 'error') return [fail(errorFromPayload(spec, null, json, { model: request.model }))];
      if (!isObject(json) || !Array.isArray(json.content)) {
        throw new BadResponseError(`expected a Messages API response but got ${excerpt(JSON.stringify(json))}`);
      }
      const out: ProviderEvent[] = [];
      for (const block of json.content) {
        if (!isObject(block)) continue;
        if (block.type === 'text' && nonEmpty(block.text)) out.push({ type: 'text-delta', text: block.text as string });
        if (block.type === 'thinking' && nonEmpty(block.thinking)) out.push({ type: 'reasoning-delta', text: block.thinking as string });
      }
      const usage = isObject(json.usage) ? anthropicUsage(json.usage) : { inputTokens: null, outputTokens: null };
      out.push({ type: 'finish', finishReason: finishReason(nonEmpty(json.stop_reason)), usage });
      return out;
    },
  };
}

export const anthropicAdapter: ProviderAdapter = {
  warm: warmTransport,
  stream(spec: ProviderSpec, request: ModelRequest, options: StreamOptions): AsyncIterable<ProviderEvent> {
    return streamHttp(spec, request, anthropicRequest(spec, request), protocol(spec, request), options);
  },
};
