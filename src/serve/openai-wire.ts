/**
 * OpenAI Chat Completions as mmr serve speaks it to clients: the request parsed into the
 * engine's terms, the answer written back as a chat.completion or as chunks (SSE) with usage in a
 * last `choices: []` chunk when `stream_options.include_usage` asks for it.
 */
import type { ChatMessage, ReasoningSetting, UnifiedFinishReason, Usage } from '../core/types.js';
import { contentText, isObject, numberField, parsedChat, scanBody, stopField, userMessage, type RawNeeds } from './content.js';
import { badRequest, mmrField, type AnswerMeta, type ClientError, type ParsedChat, type StreamEncoder, type Wire } from './types.js';

/** Fields that change nothing when absent or at these values. */
const NO_OP: Record<string, (v: unknown) => boolean> = {
  response_format: (v) => isObject(v) && v.type === 'text',
  logprobs: (v) => v === false,
  modalities: (v) => Array.isArray(v) && v.length === 1 && v[0] === 'text',
  tools: (v) => Array.isArray(v) && v.length === 0,
  functions: (v) => Array.isArray(v) && v.length === 0,
  logit_bias: (v) => isObject(v) && Object.keys(v).length === 0,
  frequency_penalty: (v) => v === 0,
  presence_penalty: (v) => v === 0,
};
const TRANSLATED = new Set(['model', 'messages', 'stream', 'stream_options', 'temperature', 'max_tokens', 'max_completion_tokens', 'top_p', 'stop', 'n', 'reasoning_effort']);

/** OpenAI's reasoning_effort words as mmr's one setting (`none` and `minimal` are as little as a model thinks). */
const EFFORTS: Record<string, ReasoningSetting> = { none: 'off', minimal: 'off', low: 'low', medium: 'medium', high: 'high', xhigh: 'high' };

function effortField(v: unknown): ReasoningSetting | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && Object.hasOwn(EFFORTS, v)) return EFFORTS[v];
  throw badRequest(`reasoning_effort must be one of ${Object.keys(EFFORTS).join(', ')}`, 'reasoning_effort');
}
/** Bookkeeping for the caller's side (or meaningless without tools): dropped on the translated path. */
const IGNORED = new Set(['user', 'metadata', 'store', 'service_tier', 'safety_identifier', 'prompt_cache_key', 'parallel_tool_calls', 'tool_choice', 'function_call']);
/** Change what the answer is: only an OpenAI-protocol upstream given the raw body can honour them. */
const MEANINGFUL = new Set(['tools', 'functions', 'response_format', 'logprobs', 'top_logprobs', 'logit_bias', 'audio', 'modalities', 'web_search_options']);

function parseMessages(list: unknown, raw: RawNeeds): { messages: ChatMessage[]; system: string[] } {
  if (!Array.isArray(list) || list.length === 0) throw badRequest('messages must be a non-empty array', 'messages');
  const messages: ChatMessage[] = [];
  const system: string[] = [];
  list.forEach((m, i) => {
    const p = `messages[${i}]`;
    if (!isObject(m)) throw badRequest(`${p} must be an object`, p);
    if (m.name !== undefined) raw.prefer('name');
    const role = m.role;
    if (role === 'system' || role === 'developer') system.push(contentText(m.content, `${p}.content`, raw));
    else if (role === 'user') messages.push(userMessage(m.content, `${p}.content`, raw));
    else if (role === 'assistant') {
      if (Array.isArray(m.tool_calls) && m.tool_calls.length) raw.need(`tool_calls (${p})`);
      if (m.function_call != null) raw.need(`function_call (${p})`);
      if (m.audio != null) raw.need(`audio (${p})`);
      messages.push({ role: 'assistant', content: contentText(m.content, `${p}.content`, raw, { allowNull: true }) });
    } else if (role === 'tool' || role === 'function') raw.need(`${role} message (${p})`);
    else throw badRequest(`${p}.role must be one of system, developer, user, assistant, tool; got ${JSON.stringify(role)}`, `${p}.role`);
  });
  return { messages, system };
}

const KINDS = { translated: TRANSLATED, ignored: IGNORED, meaningful: MEANINGFUL, noOp: NO_OP };

export function parseOpenAI(input: unknown): ParsedChat {
  const scan = scanBody(input, KINDS, 'model is required: mmr/auto, an alias or provider:model');
  const { body, raw } = scan;
  const { messages, system } = parseMessages(body.messages, raw);
  const so = body.stream_options;
  if (so != null && (!isObject(so) || (so.include_usage != null && typeof so.include_usage !== 'boolean'))) {
    throw badRequest('stream_options must be an object like {"include_usage": true}', 'stream_options');
  }
  const n = numberField(body, 'n', { min: 1, max: 128, int: true });
  if (n !== undefined && n > 1) raw.need('n > 1');
  const maxTokens = numberField(body, 'max_completion_tokens', { min: 1, int: true }) ?? numberField(body, 'max_tokens', { min: 1, int: true });
  const options = {
    system: system.length ? system.join('\n\n') : undefined,
    temperature: numberField(body, 'temperature', { min: 0, max: 2 }),
    topP: numberField(body, 'top_p', { min: 0, max: 1 }),
    maxTokens,
    stop: stopField(body.stop, 'stop', 4),
    reasoning: effortField(body.reasoning_effort),
  };
  return parsedChat('openai', scan, messages, options, (stream) => stream && isObject(so) && so.include_usage === true);
}

const FINISH: Partial<Record<UnifiedFinishReason, string>> = { length: 'length', 'content-filter': 'content_filter', 'tool-calls': 'tool_calls' };
export const openaiFinish = (u: UnifiedFinishReason): string => FINISH[u] ?? 'stop';

/** Usage in OpenAI's shape; cached and reasoning tokens in their detail objects. */
export function openaiUsageOut(u: Usage) {
  const input = u.inputTokens ?? 0;
  const output = u.outputTokens ?? 0;
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
  };
}

const ERROR_TYPE: Record<ClientError['type'], string> = {
  invalid_request: 'invalid_request_error', authentication: 'invalid_request_error', permission: 'invalid_request_error',
  not_found: 'invalid_request_error', too_large: 'invalid_request_error', rate_limit: 'requests',
  overloaded: 'server_error', timeout: 'server_error', upstream: 'server_error', server: 'server_error',
};

const errorObject = (e: ClientError) => ({ message: e.message, type: ERROR_TYPE[e.type], param: e.param ?? null, code: e.code ?? null });

function encoder(req: ParsedChat, meta: AnswerMeta): StreamEncoder {
  // Every chunk shares this prefix; building it once keeps a delta to one small stringify.
  const head = `data: {"id":"chatcmpl-${meta.id}","object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},"system_fingerprint":null,`;
  const usageNull = req.includeUsage ? ',"usage":null' : '';
  const choice = (delta: string, finish: string | null) =>
    `${head}"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]${usageNull}}\n\n`;
  return {
    start: () => choice('{"role":"assistant","content":"","refusal":null}', null),
    text: (t) => choice(`{"content":${JSON.stringify(t)}}`, null),
    // The reasoning_content field DeepSeek, vLLM and llama.cpp use; OpenAI's own API sends none.
    reasoning: (t) => choice(`{"reasoning_content":${JSON.stringify(t)}}`, null),
    finish(end) {
      let out = choice('{}', openaiFinish(end.finishReason.unified));
      const extra = `"mmr":${JSON.stringify(mmrField(meta, end))}`;
      if (req.includeUsage) out += `${head}"choices":[],"usage":${JSON.stringify(openaiUsageOut(end.usage))},${extra}}\n\n`;
      else out = out.slice(0, -3) + `,${extra}}\n\n`;
      return `${out}data: [DONE]\n\n`;
    },
    // The official SDK raises an APIError for a chunk carrying `error`.
    error: (e) => `data: ${JSON.stringify({ error: errorObject(e) })}\n\n`,
    ping: () => ': keep-alive\n\n',
  };
}

export const openaiWire: Wire = {
  protocol: 'openai',
  parse: parseOpenAI,
  complete(_req, meta, text, reasoning, end) {
    const message: Record<string, unknown> = { role: 'assistant', content: text, refusal: null };
    if (reasoning) message.reasoning_content = reasoning;
    return {
      id: `chatcmpl-${meta.id}`,
      object: 'chat.completion',
      created: meta.created,
      model: meta.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: openaiFinish(end.finishReason.unified) }],
      usage: openaiUsageOut(end.usage),
      system_fingerprint: null,
      mmr: mmrField(meta, end),
    };
  },
  stream: encoder,
  errorBody: (e) => ({ error: errorObject(e) }),
};
