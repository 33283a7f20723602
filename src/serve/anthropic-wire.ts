/**
 * Anthropic Messages as mmr serve speaks it to clients: the request parsed into the engine's
 * terms, the answer written back as a message or as the full event sequence (message_start,
 * content_block_start, ping, content_block_delta…, content_block_stop, message_delta with the
 * cumulative usage, message_stop).
 */
import type { ChatMessage, FinishReason, Usage } from '../core/types.js';
import { contentText, isObject, numberField, parsedChat, scanBody, stopField, userMessage, type RawNeeds } from './content.js';
import { badRequest, mmrField, type AnswerMeta, type ClientError, type ParsedChat, type StreamEncoder, type Wire } from './types.js';

const TRANSLATED = new Set(['model', 'messages', 'system', 'max_tokens', 'temperature', 'top_p', 'stop_sequences', 'stream', 'thinking']);
/** Bookkeeping for the caller's side (or meaningless without tools): dropped on the translated path. */
const IGNORED = new Set(['metadata', 'service_tier', 'tool_choice']);
/** Change what the answer is: only an Anthropic upstream given the raw body can honour them. */
const MEANINGFUL = new Set(['tools', 'mcp_servers', 'container', 'output_format']);
const NO_OP: Record<string, (v: unknown) => boolean> = {
  tools: (v) => Array.isArray(v) && v.length === 0,
  thinking: (v) => isObject(v) && v.type === 'disabled',
};

/** `thinking: {type: enabled, budget_tokens}` as mmr's one reasoning setting (a budget in tokens); disabled is the default, no setting. */
function thinkingField(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (isObject(v) && v.type === 'disabled') return undefined;
  if (isObject(v) && v.type === 'enabled' && typeof v.budget_tokens === 'number' && Number.isInteger(v.budget_tokens) && v.budget_tokens >= 1) return v.budget_tokens;
  throw badRequest('thinking: must be {"type": "enabled", "budget_tokens": N} or {"type": "disabled"}', 'thinking');
}

function systemText(v: unknown, raw: RawNeeds): string | undefined {
  if (v === undefined || v === null) return undefined;
  const text = contentText(v, 'system', raw);
  return text === '' ? undefined : text;
}

function parseMessages(list: unknown, raw: RawNeeds): ChatMessage[] {
  if (!Array.isArray(list) || list.length === 0) throw badRequest('messages: must be a non-empty array', 'messages');
  return list.map((m, i) => {
    const p = `messages.${i}`;
    if (!isObject(m)) throw badRequest(`${p}: must be an object`, p);
    if (m.role !== 'user' && m.role !== 'assistant') throw badRequest(`${p}.role: must be "user" or "assistant" (system goes in the top-level system field)`, `${p}.role`);
    return m.role === 'user' ? userMessage(m.content, `${p}.content`, raw) : { role: m.role, content: contentText(m.content, `${p}.content`, raw) };
  });
}

const KINDS = { translated: TRANSLATED, ignored: IGNORED, meaningful: MEANINGFUL, noOp: NO_OP };

export function parseAnthropic(input: unknown): ParsedChat {
  const scan = scanBody(input, KINDS, 'model: required: mmr/auto, an alias or provider:model');
  const { body, raw } = scan;
  const messages = parseMessages(body.messages, raw);
  if (body.max_tokens === undefined || body.max_tokens === null) throw badRequest('max_tokens: Field required', 'max_tokens');
  const options = {
    system: systemText(body.system, raw),
    maxTokens: numberField(body, 'max_tokens', { min: 1, int: true }),
    temperature: numberField(body, 'temperature', { min: 0, max: 1 }),
    topP: numberField(body, 'top_p', { min: 0, max: 1 }),
    stop: stopField(body.stop_sequences, 'stop_sequences', 32),
    reasoning: thinkingField(body.thinking),
  };
  return parsedChat('anthropic', scan, messages, options);
}

/** stop_reason, and which stop sequence ended it when that can be known (exactly one was given). */
export function anthropicStop(f: FinishReason, stop: string[] | undefined): { stop_reason: string; stop_sequence: string | null } {
  switch (f.unified) {
    case 'length':
      return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'content-filter':
      return { stop_reason: 'refusal', stop_sequence: null };
    case 'tool-calls':
      return { stop_reason: 'tool_use', stop_sequence: null };
    default:
      if (f.raw === 'stop_sequence') return { stop_reason: 'stop_sequence', stop_sequence: stop?.length === 1 ? stop[0] : null };
      return { stop_reason: 'end_turn', stop_sequence: null };
  }
}

/** Usage in Anthropic's shape: input_tokens excludes the cached (read and written) prompt tokens. */
export function anthropicUsageOut(u: Usage) {
  const read = u.cachedInputTokens ?? 0;
  const raw = isObject(u.raw) ? u.raw : {};
  const written = typeof raw.cache_creation_input_tokens === 'number' ? raw.cache_creation_input_tokens : 0;
  return {
    input_tokens: Math.max(0, (u.inputTokens ?? 0) - read - written),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: read,
    output_tokens: u.outputTokens ?? 0,
  };
}

const ERROR_TYPE: Record<ClientError['type'], string> = {
  invalid_request: 'invalid_request_error', authentication: 'authentication_error', permission: 'permission_error',
  not_found: 'not_found_error', too_large: 'request_too_large', rate_limit: 'rate_limit_error',
  overloaded: 'overloaded_error', timeout: 'timeout_error', upstream: 'api_error', server: 'api_error',
};

const errorBody = (e: ClientError, requestId: string) => ({ type: 'error', error: { type: ERROR_TYPE[e.type], message: e.message }, request_id: requestId });
const event = (name: string, data: string) => `event: ${name}\ndata: ${data}\n\n`;

function encoder(req: ParsedChat, meta: AnswerMeta): StreamEncoder {
  return {
    start() {
      // Input tokens are known only at the end when the upstream is not Anthropic; the
      // cumulative counts in message_delta are the real ones (the SDKs take them from there).
      const message = { id: `msg_${meta.id}`, type: 'message', role: 'assistant', model: meta.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } };
      return (
        event('message_start', JSON.stringify({ type: 'message_start', message })) +
        event('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}') +
        event('ping', '{"type": "ping"}')
      );
    },
    text: (t) => event('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(t)}}}`),
    // Thinking blocks need a signature only Anthropic can make; a client could not send them back.
    reasoning: () => '',
    finish(end) {
      const delta = { type: 'message_delta', delta: anthropicStop(end.finishReason, req.options.stop), usage: anthropicUsageOut(end.usage), mmr: mmrField(meta, end) };
      return (
        event('content_block_stop', '{"type":"content_block_stop","index":0}') +
        event('message_delta', JSON.stringify(delta)) +
        event('message_stop', '{"type":"message_stop"}')
      );
    },
    error: (e) => event('error', JSON.stringify(errorBody(e, meta.id))),
    ping: () => event('ping', '{"type": "ping"}'),
  };
}

export const anthropicWire: Wire = {
  protocol: 'anthropic',
  parse: parseAnthropic,
  complete(req, meta, text, _reasoning, end) {
    return {
      id: `msg_${meta.id}`,
      type: 'message',
      role: 'assistant',
      model: meta.model,
      content: [{ type: 'text', text }],
      ...anthropicStop(end.finishReason, req.options.stop),
      usage: anthropicUsageOut(end.usage),
      mmr: mmrField(meta, end),
    };
  },
  stream: encoder,
  errorBody,
};
