import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicRequest } from '../../src/providers/anthropic.js';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';
import { collect, outcome, SECRET_KEY, specFor, sse, SSE_HEADERS } from './support.js';

const ev = (type: string, data: object) => ({ event: type, data: { type, ...data } });
const start = (usage: object) => ev('message_start', { message: { role: 'assistant', content: [], usage } });
const text = (t: string) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: t } });
const delta = (stop: string, usage: object) => ev('message_delta', { delta: { stop_reason: stop }, usage });
const stop = ev('message_stop', {});

let server: RawServer;
beforeAll(async () => {
  server = await startRawServer();
});
afterAll(() => server.close());

describe('anthropic request', () => {
  it('POSTs /v1/messages with x-api-key, version header, top-level system and stream', async () => {
    server.respond({ headers: SSE_HEADERS, body: sse(start({ input_tokens: 1, output_tokens: 1 }), delta('end_turn', { output_tokens: 1 }), stop) });
    await collect('anthropic', specFor('anthropic', server.url), {
      model: 'claude-haiku-4-5',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.5,
      topP: 0.8,
      stop: ['\n\nHuman:'],
    });
    const req = server.requests.at(-1)!;
    expect(req.url).toBe('/v1/messages');
    expect(req.headers['x-api-key']).toBe(SECRET_KEY);
    expect(req.headers['anthropic-version']).toBe('2023-06-01');
    expect(req.headers.authorization).toBeUndefined();
    expect(JSON.parse(req.body)).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 4096,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      temperature: 0.5,
      top_p: 0.8,
      stop_sequences: ['\n\nHuman:'],
    });
  });

  it("uses the request's maxTokens and moves stray system turns to the top-level system", () => {
    const spec = specFor('anthropic', 'https://api.anthropic.com/');
    const call = anthropicRequest(spec, {
      model: 'm',
      maxTokens: 100,
      system: 'A',
      messages: [
        { role: 'system', content: 'B' },
        { role: 'user', content: 'q' },
      ],
    });
    expect(call.url).toBe('https://api.anthropic.com/v1/messages');
    expect(call.body).toMatchObject({ max_tokens: 100, system: 'A\n\nB', messages: [{ role: 'user', content: 'q' }] });
  });
});

describe('anthropic stream', () => {
  it('maps thinking to reasoning and counts cached tokens inside inputTokens', async () => {
    const body = sse(
      start({ input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 5, output_tokens: 1 }),
      ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Let me think.' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'abc' } }),
      { event: 'ping', data: '{"type": "ping"}' },
      text('Done.'),
      delta('end_turn', { output_tokens: 42 }),
      stop,
    );
    server.respond({ headers: SSE_HEADERS, body });
    const o = outcome(await collect('anthropic', specFor('anthropic', server.url)));
    expect(o.reasoning).toBe('Let me think.');
    expect(o.text).toBe('Done.');
    expect(o.finish?.finishReason).toEqual({ unified: 'stop', raw: 'end_turn' });
    expect(o.finish?.usage).toMatchObject({ inputTokens: 115, outputTokens: 42, cachedInputTokens: 100 });
  });

  it('maps stop reasons: max_tokens → length, tool_use → tool-calls, refusal → content-filter', async () => {
    for (const [raw, unified] of [['max_tokens', 'length'], ['tool_use', 'tool-calls'], ['stop_sequence', 'stop'], ['refusal', 'content-filter'], ['pause_turn', 'other']]) {
      server.respond({ headers: SSE_HEADERS, body: sse(start({ input_tokens: 1, output_tokens: 1 }), delta(raw, { output_tokens: 2 }), stop) });
      expect(outcome(await collect('anthropic', specFor('anthropic', server.url))).finish?.finishReason).toEqual({ unified, raw });
    }
  });

  it('turns an error event after some text into an overloaded, retryable error', async () => {
    const error = { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } };
    server.respond({ headers: SSE_HEADERS, body: sse(start({ input_tokens: 1, output_tokens: 1 }), text('Half an ans'), error) });
    const o = outcome(await collect('anthropic', specFor('anthropic', server.url)));
    expect(o.text).toBe('Half an ans');
    expect(o.error).toMatchObject({ kind: 'overloaded', retryable: true, code: 'overloaded_error', status: null });
  });

  it('finishes when the body ends after message_delta without message_stop, but not before it', async () => {
    server.respond({ headers: SSE_HEADERS, body: sse(start({ input_tokens: 1, output_tokens: 1 }), text('x'), delta('end_turn', { output_tokens: 3 })) });
    expect(outcome(await collect('anthropic', specFor('anthropic', server.url))).finish?.usage.outputTokens).toBe(3);
    server.respond({ headers: SSE_HEADERS, body: sse(start({ input_tokens: 1, output_tokens: 1 }), text('x')) });
    expect(outcome(await collect('anthropic', specFor('anthropic', server.url))).error?.message).toBe('stream ended before the response finished');
  });

  it('honours x-should-retry on errors', async () => {
    server.respond({ status: 500, headers: { 'content-type': 'application/json', 'x-should-retry': 'false' }, body: '{"type":"error","error":{"type":"api_error","message":"boom"}}' });
    expect(outcome(await collect('anthropic', specFor('anthropic', server.url))).error).toMatchObject({ kind: 'server', retryable: false, code: 'api_error' });
    server.respond({ status: 400, headers: { 'content-type': 'application/json', 'x-should-retry': 'true' }, body: '{"type":"error","error":{"type":"invalid_request_error","message":"x"}}' });
    expect(outcome(await collect('anthropic', specFor('anthropic', server.url))).error).toMatchObject({ kind: 'bad-request', retryable: true });
  });
});
