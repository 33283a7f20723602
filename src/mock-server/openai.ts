/**
 * OpenAI chat/completions, as api.openai.com sends it (flavor `openai`), as Ollama's
 * OpenAI-compatible /v1 endpoint sends it (flavor `ollama`: `delta.reasoning`, `fp_ollama`,
 * no role-only first chunk, no obfuscation padding), and as Azure OpenAI sends it (flavor
 * `azure`: a first chunk with `choices: []` carrying only prompt_filter_results, then
 * `content_filter_results` on every choice). See realdata openai/, ollama/v1-* and
 * streams-next/openai-compatible/azure-foundry-*.
 */
import { framesFromPieces, randomId, splitDeltas } from './text.js';
import type { Encoded, Piece, ResolvedReply } from './types.js';

export type OpenAIFlavor = 'openai' | 'ollama' | 'azure';

const finishOf = (r: ResolvedReply) => (r.finish === 'length' ? 'length' : r.finish === 'content-filter' ? 'content_filter' : 'stop');

const SAFE = { filtered: false, severity: 'safe' };
/** Azure's per-choice filter verdicts; `hate` is filtered when the reply is a content-filter finish. */
function filterResults(blocked = false): Record<string, unknown> {
  return { hate: blocked ? { filtered: true, severity: 'high' } : SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
}

export interface OpenAIOptions {
  stream: boolean;
  /** The request had `stream_options.include_usage: true`. */
  includeUsage: boolean;
  flavor: OpenAIFlavor;
}

/** Whether an OpenAI-style request body asked for the usage chunk. */
export function wantsUsage(body: any): boolean {
  return body?.stream_options?.include_usage === true;
}

function usageObject(r: ResolvedReply, flavor: OpenAIFlavor): Record<string, unknown> {
  const { input, output, cached, reasoning } = r.usage;
  const base = { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
  if (flavor === 'ollama') return base;
  return {
    ...base,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const PAD = 'bZuWwpMPXjUSo1V9SnCuK6NqJaB0AJcIYLA';

function streamPieces(r: ResolvedReply, o: OpenAIOptions): Piece[] {
  const id = o.flavor === 'ollama' ? `chatcmpl-${Math.floor(Math.random() * 1000)}` : randomId('chatcmpl-', 29);
  const created = Math.floor(Date.now() / 1000);
  let n = 0;
  const chunk = (choices: unknown[], usage?: unknown): string => {
    const obj: Record<string, unknown> =
      o.flavor === 'ollama'
        ? { id, object: 'chat.completion.chunk', created, model: r.model, system_fingerprint: 'fp_ollama', choices }
        : { id, object: 'chat.completion.chunk', created, model: r.model, service_tier: 'default', system_fingerprint: 'fp_mock0001', choices };
    if (usage !== undefined) obj.usage = usage;
    else if (o.includeUsage && o.flavor !== 'ollama') obj.usage = null;
    // OpenAI pads every chunk with a random-length `obfuscation` string; deterministic here.
    if (o.flavor !== 'ollama') obj.obfuscation = PAD.slice(0, 4 + ((n++ * 5) % 9));
    return `data: ${JSON.stringify(obj)}\n\n`;
  };
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => {
    if (o.flavor === 'ollama') return { index: 0, delta: { role: 'assistant', ...delta }, finish_reason: finish };
    const c: Record<string, unknown> = { index: 0, delta, logprobs: null, finish_reason: finish };
    if (o.flavor === 'azure') c.content_filter_results = finish === 'content_filter' ? filterResults(true) : {};
    return c;
  };

  const pieces: Piece[] = [];
  if (o.flavor === 'azure') {
    // Azure's first chunk: no id, no model, no choices, only the prompt's filter verdicts.
    const prompt = { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: { ...filterResults(), jailbreak: { filtered: false, detected: false } } }] };
    pieces.push({ kind: 'meta', data: `data: ${JSON.stringify(prompt)}\n\n` });
  }
  if (o.flavor !== 'ollama') {
    pieces.push({ kind: 'meta', data: chunk([choice({ role: 'assistant', content: '', refusal: null })]) });
  }
  const reasoningKey = o.flavor === 'ollama' ? 'reasoning' : 'reasoning_content';
  for (const d of splitDeltas(r.reasoning, r.deltaChars)) {
    const delta = o.flavor === 'ollama' ? { content: '', [reasoningKey]: d } : { [reasoningKey]: d };
    pieces.push({ kind: 'delta', data: chunk([choice(delta)]) });
  }
  for (const d of splitDeltas(r.text, r.deltaChars)) pieces.push({ kind: 'delta', data: chunk([choice({ content: d })]) });
  pieces.push({ kind: 'tail', data: chunk([choice(o.flavor === 'ollama' ? { content: '' } : {}, finishOf(r))]) });
  if (o.includeUsage) pieces.push({ kind: 'tail', data: chunk([], usageObject(r, o.flavor)) });
  pieces.push({ kind: 'tail', data: 'data: [DONE]\n\n' });
  return pieces;
}

function streamErrorEvent(message: string, flavor: OpenAIFlavor): string {
  const type = flavor === 'ollama' ? 'api_error' : 'server_error';
  return `data: ${JSON.stringify({ error: { message, type, param: null, code: null } })}\n\n`;
}

function completion(r: ResolvedReply, o: OpenAIOptions): string {
  const created = Math.floor(Date.now() / 1000);
  const finish = finishOf(r);
  if (o.flavor === 'ollama') {
    const message: Record<string, unknown> = { role: 'assistant', content: r.text };
    if (r.reasoning) message.reasoning = r.reasoning;
    return JSON.stringify({
      id: `chatcmpl-${Math.floor(Math.random() * 1000)}`,
      object: 'chat.completion',
      created,
      model: r.model,
      system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, message, finish_reason: finish }],
      usage: usageObject(r, 'ollama'),
    });
  }
  const message: Record<string, unknown> = { role: 'assistant', content: r.text, refusal: null, annotations: [] };
  if (r.reasoning) message.reasoning_content = r.reasoning;
  const body = {
    id: randomId('chatcmpl-', 29),
    object: 'chat.completion',
    created,
    model: r.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage: usageObject(r, 'openai'),
    service_tier: 'default',
    system_fingerprint: 'fp_mock0001',
  };
  return JSON.stringify(body, null, 2);
}

export function encodeOpenAI(r: ResolvedReply, o: OpenAIOptions): Encoded {
  const requestId: Record<string, string> =
    o.flavor === 'openai' ? { 'x-request-id': randomId('req_', 32) } : o.flavor === 'azure' ? { 'apim-request-id': randomId('', 36), 'x-ms-region': 'West Europe' } : {};
  if (!o.stream) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json', ...requestId },
      frames: [completion(r, o)],
      chunked: false,
    };
  }
  const { frames, dropAtEnd } = framesFromPieces(
    streamPieces(r, o),
    r.errorAfter,
    r.errorAfter === null ? null : streamErrorEvent(r.errorMessage, o.flavor),
  );
  const contentType = o.flavor === 'ollama' ? 'text/event-stream' : 'text/event-stream; charset=utf-8';
  return {
    status: 200,
    headers: { 'content-type': contentType, 'cache-control': 'no-cache', ...requestId },
    frames,
    chunked: true,
    dropAtEnd,
  };
}

export const DEFAULT_OPENAI_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'gpt-4.1', 'o4-mini', 'gpt-5-mini'];

/** GET /v1/models: a short list of real model ids. */
export function openaiModels(ids: string[] = DEFAULT_OPENAI_MODELS): string {
  const data = ids.map((id, i) => ({ id, object: 'model', created: 1721172741 + i * 86400, owned_by: 'system' }));
  return JSON.stringify({ object: 'list', data }, null, 2) + '\n';
}
