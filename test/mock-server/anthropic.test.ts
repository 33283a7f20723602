import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockReply, type MockServer } from '../../src/mock-server/index.js';
import { chat, parseSse, post } from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(reply: MockReply, apiKey?: string) {
  server = await startMockServer({ reply: () => reply, apiKey });
  return server;
}

const body = (extra: Record<string, unknown> = {}) =>
  chat('Two names for a pelican', { model: 'claude-haiku-4-5', max_tokens: 100, stream: true, ...extra });

async function events(s: MockServer, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  const res = await post(`${s.baseUrls.anthropic}/v1/messages`, body(extra), headers);
  const text = await res.text();
  return { res, text, events: parseSse(text).map((e) => ({ event: e.event, data: JSON.parse(e.data) })) };
}

describe('anthropic messages stream', () => {
  it('sends the real event sequence with text deltas, cumulative usage and end_turn', async () => {
    const s = await start({ text: '- Captain\n- Scoop', usage: { input: 17, output: 10 } });
    const { res, events: evs } = await events(s);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const names = evs.map((e) => e.event);
    expect(names.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(names.slice(3, -3).every((n) => n === 'content_block_delta')).toBe(true);
    for (const e of evs) expect(e.data.type).toBe(e.event);
    const message = evs[0].data.message;
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-haiku-4-5', content: [], stop_reason: null });
    expect(message.usage).toMatchObject({ input_tokens: 17, output_tokens: 1 });
    const text = evs.filter((e) => e.event === 'content_block_delta').map((e) => e.data.delta.text).join('');
    expect(text).toBe('- Captain\n- Scoop');
    const delta = evs.find((e) => e.event === 'message_delta')!.data;
    expect(delta.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(delta.usage.output_tokens).toBe(10);
  });

  it('pads data JSON before the closing brace and spells ping as the API does', async () => {
    const s = await start({ text: 'abcdefghijkl' });
    const { text } = await events(s);
    expect(text).toContain('event: ping\ndata: {"type": "ping"}\n\n');
    expect(text).toMatch(/ +}\n\n/);
  });

  it('streams a thinking block (thinking_delta, signature_delta) before the text block', async () => {
    const s = await start({ text: 'Done.', reasoning: 'Consider both options.', deltaChars: 5 });
    const { events: evs } = await events(s);
    const blocks = evs.filter((e) => e.event === 'content_block_start').map((e) => [e.data.index, e.data.content_block.type]);
    expect(blocks).toEqual([
      [0, 'thinking'],
      [1, 'text'],
    ]);
    const deltas = evs.filter((e) => e.event === 'content_block_delta').map((e) => e.data);
    expect(deltas.filter((d) => d.index === 0 && d.delta.type === 'thinking_delta').map((d) => d.delta.thinking).join('')).toBe('Consider both options.');
    expect(deltas.some((d) => d.index === 0 && d.delta.type === 'signature_delta')).toBe(true);
    expect(deltas.filter((d) => d.index === 1).map((d) => d.delta.text).join('')).toBe('Done.');
  });

  it('encodes finish length as max_tokens and splits cached input into cache_read_input_tokens', async () => {
    const s = await start({ text: 'Here are all 50', finish: 'length', usage: { input: 100, output: 50, cached: 80 } });
    const { events: evs } = await events(s);
    const delta = evs.find((e) => e.event === 'message_delta')!.data;
    expect(delta.delta.stop_reason).toBe('max_tokens');
    expect(delta.usage).toMatchObject({ input_tokens: 20, cache_read_input_tokens: 80, output_tokens: 50 });
  });

  it('answers a non-stream request with a message JSON', async () => {
    const s = await start({ text: 'Hello!', usage: { input: 13, output: 35 } });
    const res = await post(`${s.baseUrls.anthropic}/v1/messages`, body({ stream: false }));
    const json = await res.json();
    expect(json).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hello!' }], stop_reason: 'end_turn' });
    expect(json.usage).toMatchObject({ input_tokens: 13, output_tokens: 35 });
  });

  it('fails in-stream with event: error overloaded_error after N deltas (HTTP 200, no message_stop)', async () => {
    const s = await start({ text: 'abcdefghij', deltaChars: 2, streamError: { afterDeltas: 2 } });
    const { res, events: evs } = await events(s);
    expect(res.status).toBe(200);
    expect(evs.filter((e) => e.event === 'content_block_delta').length).toBe(2);
    const last = evs[evs.length - 1];
    expect(last.event).toBe('error');
    expect(last.data).toEqual({ type: 'error', error: { details: null, type: 'overloaded_error', message: 'Overloaded' } });
    expect(evs.some((e) => e.event === 'message_stop')).toBe(false);
  });
});

describe('anthropic errors', () => {
  it('529 → overloaded_error with a request_id', async () => {
    const s = await start({ status: 529 });
    const res = await post(`${s.baseUrls.anthropic}/v1/messages`, body());
    expect(res.status).toBe(529);
    const json = await res.json();
    expect(json.type).toBe('error');
    expect(json.error).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
    expect(json.request_id).toMatch(/^req_/);
    expect(res.headers.get('request-id')).toBe(json.request_id);
  });

  it('passes retry-after through on 429 rate_limit_error', async () => {
    const s = await start({ status: 429, errorMessage: 'too many', headers: { 'retry-after': '2' } });
    const res = await post(`${s.baseUrls.anthropic}/v1/messages`, body());
    expect(res.headers.get('retry-after')).toBe('2');
    expect((await res.json()).error).toEqual({ type: 'rate_limit_error', message: 'too many' });
  });

  it('checks x-api-key: 401 authentication_error with x-should-retry: false', async () => {
    const s = await start({ text: 'ok' }, 'sk-ant-test');
    const missing = await post(`${s.baseUrls.anthropic}/v1/messages`, body());
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toEqual({ type: 'authentication_error', message: 'x-api-key header is required' });
    const wrong = await post(`${s.baseUrls.anthropic}/v1/messages`, body(), { 'x-api-key': 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('x-should-retry')).toBe('false');
    expect((await wrong.json()).error).toEqual({ type: 'authentication_error', message: 'invalid x-api-key' });
    const ok = await post(`${s.baseUrls.anthropic}/v1/messages`, body(), { 'x-api-key': 'sk-ant-test' });
    expect(ok.status).toBe(200);
    await ok.text();
  });
});
