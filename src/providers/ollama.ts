/**
 * Ollama's native chat API (`/api/chat`, NDJSON). Used instead of its /v1 compatibility layer
 * because the native stream reports prompt and completion counts without extra options and
 * carries `thinking` separately on every version that thinks.
 */
import type { ModelRequest, ProviderEvent, Usage } from '../core/types.js';
import { finishReason } from './finish-reason.js';
import { errorFromPayload, excerpt } from './http-errors.js';
import { joinUrl } from './http.js';
import { keyHeaders } from './key-headers.js';
import { streamHttp } from './http-stream.js';
import { BadResponseError, fail, isObject, nonEmpty, numOrNull, type HttpCall, type WireProtocol } from './wire.js';
import { parseNdjson } from './ndjson.js';
import type { ProviderAdapter, ProviderSpec, StreamOptions } from './provider.js';
import { ollamaThink } from './reasoning.js';
import { warmTransport } from './transport.js';

/** The request as sent: `POST {baseUrl}/api/chat`, sampling options under `options`. */
export function ollamaRequest(spec: ProviderSpec, request: ModelRequest): HttpCall {
  // Images ride on their message as bare base64, Ollama's own shape.
  const turns = request.messages.map((m) => (m.images?.length ? { role: m.role, content: m.content, images: m.images.map((i) => i.base64) } : { role: m.role, content: m.content }));
  const messages = request.system ? [{ role: 'system', content: request.system }, ...turns] : turns;
  const options: Record<string, unknown> = {};
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (request.stop?.length) options.stop = request.stop;
  const body: Record<string, unknown> = { model: request.model, messages, stream: true };
  if (Object.keys(options).length > 0) body.options = options;
  const think = ollamaThink(request.model, request.reasoning);
  if (think !== undefined) body.think = think;
  // A local Ollama needs no key; one behind an authenticating proxy (or ollama.com) takes a bearer token.
  return { url: joinUrl(spec.baseUrl, 'api/chat'), headers: keyHeaders(spec, 'application/x-ndjson'), body };
}

/** Counts from the final `done: true` line; durations there are in ns and are not used. */
export function ollamaUsage(line: Record<string, unknown>): Usage {
  const { prompt_eval_count, eval_count } = line;
  return {
    inputTokens: numOrNull(prompt_eval_count),
    outputTokens: numOrNull(eval_count),
    raw: { prompt_eval_count, eval_count },
  };
}

/** Deltas of one line, and its terminal event if it is the last (`done`) or an error line. */
function readLine(spec: ProviderSpec, model: string, line: unknown): ProviderEvent[] {
  if (!isObject(line)) throw new BadResponseError(`expected an Ollama chat object but got ${excerpt(JSON.stringify(line))}`);
  if (line.error != null) return [fail(errorFromPayload(spec, null, line, { model }))];
  const out: ProviderEvent[] = [];
  const message = line.message;
  if (isObject(message)) {
    if (nonEmpty(message.thinking)) out.push({ type: 'reasoning-delta', text: message.thinking as string });
    if (nonEmpty(message.content)) out.push({ type: 'text-delta', text: message.content as string });
  }
  if (line.done === true) {
    out.push({ type: 'finish', finishReason: finishReason(nonEmpty(line.done_reason)), usage: ollamaUsage(line) });
  }
  return out;
}

function protocol(spec: ProviderSpec, request: ModelRequest): WireProtocol {
  return {
    format: 'ndjson',
    async *events(body, ctx) {
      for await (const line of parseNdjson(body, ctx)) yield* readLine(spec, request.model, line);
    },
    complete(json) {
      // `stream: false` answers, and error bodies served with a 200, are one JSON object.
      const out = readLine(spec, request.model, json);
      const last = out[out.length - 1];
      if (last?.type !== 'finish' && last?.type !== 'error') {
        throw new BadResponseError(`expected a complete Ollama chat response but got ${excerpt(JSON.stringify(json))}`);
      }
      return out;
    },
  };
}

export const ollamaAdapter: ProviderAdapter = {
  warm: warmTransport,
  stream(spec: ProviderSpec, request: ModelRequest, options: StreamOptions): AsyncIterable<ProviderEvent> {
    return streamHttp(spec, request, ollamaRequest(spec, request), protocol(spec, request), options);
  },
};
