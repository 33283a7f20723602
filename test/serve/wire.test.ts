import { describe, expect, it } from 'vitest';
import { parseOpenAI, openaiWire } from '../../src/serve/openai-wire.js';
import { parseAnthropic, anthropicWire, anthropicUsageOut } from '../../src/serve/anthropic-wire.js';
import { ClientRequestError, type AnswerEnd, type AnswerMeta } from '../../src/serve/types.js';
import { clientErrorFor, errorHeaders } from '../../src/serve/errors.js';
import { isAuto } from '../../src/serve/target.js';

const user = (content: unknown) => ({ role: 'user', content });
/** A real 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const thrown = (f: () => unknown): ClientRequestError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ClientRequestError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

describe('OpenAI request parsing', () => {
  it('joins system and developer turns into the system prompt and keeps the conversation in order', () => {
    const p = parseOpenAI({
      model: 'mmr/auto',
      messages: [{ role: 'system', content: 'a' }, user('q1'), { role: 'assistant', content: null }, { role: 'developer', content: [{ type: 'text', text: 'b' }] }, user([{ type: 'text', text: 'x' }, { type: 'text', text: 'y' }])],
      max_completion_tokens: 9, max_tokens: 100, temperature: 1.5, stop: 'END', user: 'u-1', stream: true, stream_options: { include_usage: true },
    });
    expect(p.options).toEqual({ system: 'a\n\nb', maxTokens: 9, temperature: 1.5, topP: undefined, stop: ['END'] });
    expect(p.messages).toEqual([{ role: 'user', content: 'q1' }, { role: 'assistant', content: '' }, { role: 'user', content: 'x\ny' }]);
    expect(p.routeText).toBe('x\ny');
    expect(p).toMatchObject({ stream: true, includeUsage: true, needsRaw: [], prefersRaw: [] });
  });

  it('names what only a same-protocol upstream can answer: tools, tool turns, images, n > 1, response_format', () => {
    const p = parseOpenAI({
      model: 'fast', n: 2, tools: [{ type: 'function', function: { name: 'f' } }], response_format: { type: 'json_object' },
      messages: [user([{ type: 'image_url', image_url: { url: 'x' } }]), { role: 'assistant', content: null, tool_calls: [{ id: '1' }] }, { role: 'tool', content: 'r', tool_call_id: '1' }],
    });
    expect(p.needsRaw).toEqual(['tools', 'response_format', 'image URL (messages[0].content[0]; only inline base64 images are translated)', 'tool_calls (messages[1])', 'tool message (messages[2])', 'n > 1']);
    expect(parseOpenAI({ model: 'm', response_format: { type: 'text' }, tools: [], messages: [user('x')] }).needsRaw).toEqual([]);
    expect(parseOpenAI({ model: 'm', seed: 4, messages: [user('x')] }).prefersRaw).toEqual(['seed']);
  });

  it('refuses malformed requests with the offending field as param', () => {
    expect(thrown(() => parseOpenAI({ model: 'm', messages: [] })).info).toMatchObject({ status: 400, param: 'messages' });
    expect(thrown(() => parseOpenAI({ messages: [user('x')] })).info.param).toBe('model');
    expect(thrown(() => parseOpenAI({ model: 'm', temperature: 3, messages: [user('x')] })).info).toMatchObject({ param: 'temperature', message: 'temperature must be a number >= 0 and <= 2' });
    expect(thrown(() => parseOpenAI({ model: 'm', messages: [{ role: 'robot', content: 'x' }] })).info.param).toBe('messages[0].role');
    expect(thrown(() => parseOpenAI({ model: 'm', messages: [user(42)] })).info.param).toBe('messages[0].content');
    expect(thrown(() => parseOpenAI({ model: 'm', stop: ['a', 'b', 'c', 'd', 'e'], messages: [user('x')] })).info.param).toBe('stop');
    expect(thrown(() => parseOpenAI([1, 2])).info.status).toBe(400);
  });
});

describe('Anthropic request parsing', () => {
  it('reads system blocks, sampling options and stop sequences; max_tokens is required as the API requires it', () => {
    const p = parseAnthropic({ model: 'x', max_tokens: 5, system: [{ type: 'text', text: 'S', cache_control: { type: 'ephemeral' } }], temperature: 0.5, stop_sequences: ['\n\n'], metadata: { user_id: 'u' }, messages: [user('hi')] });
    expect(p.options).toEqual({ system: 'S', maxTokens: 5, temperature: 0.5, topP: undefined, stop: ['\n\n'] });
    expect(p.prefersRaw).toEqual(['cache_control']);
    expect(thrown(() => parseAnthropic({ model: 'x', messages: [user('hi')] })).info).toMatchObject({ param: 'max_tokens', status: 400 });
    expect(thrown(() => parseAnthropic({ model: 'x', max_tokens: 5, temperature: 1.5, messages: [user('hi')] })).info.param).toBe('temperature');
    expect(thrown(() => parseAnthropic({ model: 'x', max_tokens: 5, messages: [{ role: 'system', content: 'no' }] })).info.param).toBe('messages.0.role');
  });

  it('tool_use / tool_result blocks and image URLs need the raw path', () => {
    const p = parseAnthropic({
      model: 'x', max_tokens: 5,
      messages: [user([{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }]), { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] }, user([{ type: 'tool_result', tool_use_id: 't', content: 'r' }])],
    });
    expect(p.needsRaw).toEqual(['image URL (messages.0.content[0]; only inline base64 images are translated)', 'tool_use (messages.1.content[0])', 'tool_result (messages.2.content[0])']);
    expect(parseAnthropic({ model: 'x', max_tokens: 5, thinking: { type: 'disabled' }, messages: [user('x')] }).needsRaw).toEqual([]);
  });

  it('thinking is translated as a reasoning budget; a malformed one is a 400 naming it', () => {
    const p = parseAnthropic({ model: 'x', max_tokens: 5, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [user('x')] });
    expect(p.needsRaw).toEqual([]);
    expect(p.options.reasoning).toBe(2048);
    expect(parseAnthropic({ model: 'x', max_tokens: 5, thinking: { type: 'disabled' }, messages: [user('x')] }).options.reasoning).toBeUndefined();
    expect(thrown(() => parseAnthropic({ model: 'x', max_tokens: 5, thinking: { type: 'enabled' }, messages: [user('x')] })).info.param).toBe('thinking');
  });
});

describe('inline images and reasoning on the translated path', () => {
  it('OpenAI data-URL images and Anthropic base64 blocks become the turn\'s images, checked by their bytes', () => {
    const o = parseOpenAI({ model: 'm', messages: [user([{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }])] });
    expect(o.needsRaw).toEqual([]);
    expect(o.messages[0]).toMatchObject({ role: 'user', content: 'what is this?', images: [{ mediaType: 'image/png', base64: PNG, bytes: 70 }] });
    const a = parseAnthropic({ model: 'x', max_tokens: 5, messages: [user([{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: PNG } }, { type: 'text', text: 'and this?' }])] });
    // The bytes decide the type, not what the client claimed.
    expect(a.messages[0]).toMatchObject({ content: 'and this?', images: [{ mediaType: 'image/png' }] });
    expect(thrown(() => parseOpenAI({ model: 'm', messages: [user([{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }])] })).info).toMatchObject({ status: 400, param: 'messages[0].content[0].image_url' });
    expect(JSON.stringify(o.messages)).not.toContain(PNG);
  });

  it('reasoning_effort becomes the one reasoning setting; an unknown effort is a 400', () => {
    expect(parseOpenAI({ model: 'm', reasoning_effort: 'high', messages: [user('x')] }).options.reasoning).toBe('high');
    expect(parseOpenAI({ model: 'm', reasoning_effort: 'minimal', messages: [user('x')] }).options.reasoning).toBe('off');
    expect(parseOpenAI({ model: 'm', reasoning_effort: 'low', messages: [user('x')] }).prefersRaw).toEqual([]);
    expect(thrown(() => parseOpenAI({ model: 'm', reasoning_effort: 'lots', messages: [user('x')] })).info.param).toBe('reasoning_effort');
  });
});

const meta: AnswerMeta = { id: 'req_1', model: 'openai:gpt-4o-mini', route: 'rule:sql', fallbackFrom: [], created: 1 };
const end = (unified: AnswerEnd['finishReason']['unified'], raw: string | null = null): AnswerEnd => ({
  finishReason: { unified, raw },
  usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 30, reasoningTokens: 5, raw: { cache_creation_input_tokens: 10 } },
  costUsd: 0.00012345678,
});

describe('answers in each protocol', () => {
  it('OpenAI: finish reasons, usage with cached and reasoning tokens, mmr metadata', () => {
    const req = parseOpenAI({ model: 'm', messages: [user('x')] });
    const body = openaiWire.complete(req, meta, 'hi', 'thought', end('length')) as any;
    expect(body.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'hi', reasoning_content: 'thought' } });
    expect(body.usage).toEqual({ prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, prompt_tokens_details: { cached_tokens: 30 }, completion_tokens_details: { reasoning_tokens: 5 } });
    expect(body.mmr).toEqual({ model: 'openai:gpt-4o-mini', route: 'rule:sql', fallback_from: [], cost_usd: 0.000123457 });
    expect((openaiWire.complete(req, meta, '', '', end('tool-calls')) as any).choices[0].finish_reason).toBe('tool_calls');
  });

  it('OpenAI stream frames parse as chunks; without include_usage the finish chunk carries mmr, then [DONE]', () => {
    const req = parseOpenAI({ model: 'm', stream: true, messages: [user('x')] });
    const enc = openaiWire.stream(req, meta);
    const frames = [enc.start(), enc.text('a"b\n'), enc.finish(end('stop'))].join('');
    const datas = frames.split('\n\n').filter(Boolean).map((f) => f.replace(/^data: /, ''));
    expect(datas.at(-1)).toBe('[DONE]');
    const chunks = datas.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks[1].choices[0].delta.content).toBe('a"b\n');
    expect(chunks[2].choices[0].finish_reason).toBe('stop');
    expect(chunks[2].mmr.cost_usd).toBe(0.000123457);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
  });

  it('Anthropic: input tokens exclude cache reads and writes; stop sequence named when only one was given', () => {
    expect(anthropicUsageOut(end('stop').usage)).toEqual({ input_tokens: 60, cache_creation_input_tokens: 10, cache_read_input_tokens: 30, output_tokens: 20 });
    const one = parseAnthropic({ model: 'm', max_tokens: 5, stop_sequences: ['###'], messages: [user('x')] });
    expect(anthropicWire.complete(one, meta, 'x', '', end('stop', 'stop_sequence'))).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: '###' });
    expect(anthropicWire.complete(one, meta, 'x', '', end('length'))).toMatchObject({ stop_reason: 'max_tokens', stop_sequence: null });
    const enc = anthropicWire.stream(one, meta);
    expect(enc.reasoning('hidden')).toBe('');
    const events = (enc.start() + enc.text('t') + enc.finish(end('stop'))).split('\n\n').filter(Boolean).map((b) => b.split('\n')[0].slice(7));
    expect(events).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  it('errors: each protocol’s envelope', () => {
    const e = { status: 429, type: 'rate_limit' as const, message: 'slow down', code: 'rate_limit_exceeded', retryAfterMs: 2500 };
    expect(openaiWire.errorBody(e, 'r')).toEqual({ error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    expect(anthropicWire.errorBody(e, 'r')).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' }, request_id: 'r' });
    expect(errorHeaders(e)).toEqual({ 'retry-after': '3', 'retry-after-ms': '2500' });
  });
});

describe('engine errors → client errors', () => {
  const info = (kind: any, extra = {}) => ({ kind, message: 'm', status: null, retryable: true, ...extra });
  it('maps statuses so SDK retry logic does the right thing', () => {
    expect(clientErrorFor(info('rate-limit', { retryAfterMs: 7000 }), 'openai')).toMatchObject({ status: 429, retryAfterMs: 7000 });
    expect(clientErrorFor(info('rate-limit', { retryable: false }), 'openai')).toMatchObject({ status: 429, shouldRetry: false });
    expect(clientErrorFor(info('overloaded'), 'openai').status).toBe(503);
    expect(clientErrorFor(info('overloaded'), 'anthropic').status).toBe(529);
    expect(clientErrorFor(info('timeout'), 'openai').status).toBe(504);
    expect(clientErrorFor(info('bad-request', { status: 404 }), 'openai')).toMatchObject({ status: 404, type: 'not_found' });
    expect(clientErrorFor(info('context-length', { status: 400 }), 'openai')).toMatchObject({ status: 400, code: 'context_length_exceeded' });
    // mmr's own upstream key failing is not the client's auth problem.
    expect(clientErrorFor(info('auth', { status: 401 }), 'openai')).toMatchObject({ status: 502, shouldRetry: false });
    expect(clientErrorFor(info('config', { code: 'max_cost_exceeded' }), 'openai').status).toBe(400);
    expect(clientErrorFor(info('config'), 'openai')).toMatchObject({ status: 500, shouldRetry: false });
    expect(clientErrorFor(info('network'), 'anthropic')).toMatchObject({ status: 502, type: 'upstream' });
  });
});

describe('mmr/auto', () => {
  it('is the name itself or an alias chain ending there (cycles are not auto)', () => {
    expect(isAuto('mmr/auto', {})).toBe(true);
    expect(isAuto('a', { a: 'b', b: 'mmr/auto' })).toBe(true);
    expect(isAuto('a', { a: 'openai:x' })).toBe(false);
    expect(isAuto('a', { a: 'b', b: 'a' })).toBe(false);
  });
});

describe('refusals about the request are 400s', () => {
  it('a model known not to take images or a reasoning setting is the client\'s 400, a missing key mmr\'s 500', () => {
    for (const code of ['images_unsupported', 'reasoning_unsupported', 'stop_unsupported', 'max_cost_exceeded']) {
      expect(clientErrorFor({ kind: 'config', message: 'x', status: null, retryable: false, code }, 'openai')).toMatchObject({ status: 400, type: 'invalid_request', code });
    }
    expect(clientErrorFor({ kind: 'config', message: 'no API key for openai', status: null, retryable: false }, 'openai')).toMatchObject({ status: 500, shouldRetry: false });
  });
});

