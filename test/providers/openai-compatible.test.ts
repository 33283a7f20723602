import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openaiRequest } from '../../src/providers/openai-compatible.js';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';
import { collect, outcome, SECRET_KEY, specFor, sse, SSE_HEADERS } from './support.js';

const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});

let server: RawServer;
beforeAll(async () => {
  server = await startRawServer();
});
afterAll(() => server.close());

describe('openai-compatible request', () => {
  it('POSTs {baseUrl}/chat/completions with bearer auth, streaming and usage requested', async () => {
    server.respond({ headers: SSE_HEADERS, body: sse(chunk({ content: 'ok' }, 'stop'), '[DONE]') });
    const spec = specFor('openai', server.url, { headers: { 'HTTP-Referer': 'https://example.test' } });
    await collect('openai', spec, {
      model: 'gpt-4o-mini',
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'again' },
      ],
      temperature: 0.2,
      maxTokens: 64,
      topP: 0.9,
      stop: ['END'],
    });
    const req = server.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.url).not.toContain(SECRET_KEY);
    expect(req.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['http-referer']).toBe('https://example.test');
    expect(JSON.parse(req.body)).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'again' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_tokens: 64,
      top_p: 0.9,
      stop: ['END'],
    });
  });

  it('sends no Authorization header for a keyless local server', () => {
    const call = openaiRequest({ id: 'lmstudio', protocol: 'openai', baseUrl: 'http://127.0.0.1:1234/v1/', keyEnv: [], needsKey: false }, { model: 'm', messages: [] });
    expect(call.headers.authorization).toBeUndefined();
    expect(call.url).toBe('http://127.0.0.1:1234/v1/chat/completions');
  });

  it('uses max_completion_tokens on api.openai.com, where reasoning models reject max_tokens', () => {
    const spec = { id: 'openai', protocol: 'openai' as const, baseUrl: 'https://api.openai.com/v1', keyEnv: [], needsKey: false };
    const body = openaiRequest(spec, { model: 'gpt-5-mini', messages: [], maxTokens: 10 }).body as Record<string, unknown>;
    expect(body.max_completion_tokens).toBe(10);
    expect(body.max_tokens).toBeUndefined();
  });
});

describe('openai-compatible stream', () => {
  it('maps reasoning (both field names), text, cached and reasoning token counts', async () => {
    const usage = { prompt_tokens: 20, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 16 }, completion_tokens_details: { reasoning_tokens: 5 } };
    server.respond({
      headers: SSE_HEADERS,
      body: sse(
        chunk({ role: 'assistant', content: '', reasoning: 'think ' }),
        chunk({ reasoning_content: 'more' }),
        chunk({ content: 'An' }),
        chunk({ content: 'swer' }),
        chunk({}, 'stop'),
        { choices: [], usage },
        '[DONE]',
      ),
    });
    const o = outcome(await collect('openai', specFor('openai', server.url)));
    expect(o.reasoning).toBe('think more');
    expect(o.text).toBe('Answer');
    expect(o.finish?.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(o.finish?.usage).toEqual({ inputTokens: 20, outputTokens: 9, cachedInputTokens: 16, reasoningTokens: 5, raw: usage });
  });

  it('finishes without [DONE] when usage rides on the finish chunk (GPUStack)', async () => {
    server.respond({ headers: SSE_HEADERS, body: sse(chunk({ content: 'x' }), chunk({}, 'length', { usage: { prompt_tokens: 1, completion_tokens: 2 } })) });
    const o = outcome(await collect('openai', specFor('openai', server.url)));
    expect(o.finish).toMatchObject({ finishReason: { unified: 'length', raw: 'length' }, usage: { inputTokens: 1, outputTokens: 2 } });
  });

  it('reports unknown usage as null rather than 0, and [DONE] without finish_reason as unknown', async () => {
    server.respond({ headers: SSE_HEADERS, body: sse(chunk({ content: 'x' }), '[DONE]') });
    const o = outcome(await collect('openai', specFor('openai', server.url)));
    expect(o.finish).toEqual({ finishReason: { unified: 'unknown', raw: null }, usage: { inputTokens: null, outputTokens: null } });
  });

  it('turns an error object inside the stream into an error event after the text', async () => {
    const error = { error: { message: 'upstream timed out', type: 'server_error', code: 502 } };
    server.respond({ headers: SSE_HEADERS, body: sse(chunk({ content: 'partial' }), error) });
    const o = outcome(await collect('openai', specFor('openai', server.url)));
    expect(o.text).toBe('partial');
    expect(o.error).toMatchObject({ kind: 'server', status: 502, retryable: true, message: expect.stringContaining('upstream timed out') });
  });

  it('reports a data line that is not JSON as bad-response', async () => {
    server.respond({ headers: SSE_HEADERS, body: sse(chunk({ content: 'x' })) + 'data: {"choices": [\n\n' });
    const o = outcome(await collect('openai', specFor('openai', server.url)));
    expect(o.error).toMatchObject({ kind: 'bad-response', retryable: false });
    expect(o.error?.message).toContain('expected JSON');
  });

  it('reads a complete chat.completion when the server ignores stream:true', async () => {
    const body = { choices: [{ index: 0, message: { role: 'assistant', content: 'whole' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1 } };
    server.respond({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const o = outcome(await collect('openai', specFor('openai', server.url)));
    expect(o.text).toBe('whole');
    expect(o.finish?.usage).toMatchObject({ inputTokens: 3, outputTokens: 1 });
  });

  it('parses a stream mislabelled application/json', async () => {
    server.respond({ headers: { 'content-type': 'application/json' }, body: sse(chunk({ content: 'hi' }, 'stop'), '[DONE]') });
    expect(outcome(await collect('openai', specFor('openai', server.url))).text).toBe('hi');
  });
});

describe('stream_options fallback', () => {
  it('retries once without stream_options when a server rejects the field', async () => {
    server.respond([
      { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":{"message":"Unrecognized request argument supplied: stream_options"}}' },
      { headers: SSE_HEADERS, body: sse(chunk({ content: 'ok' }, 'stop'), '[DONE]') },
    ]);
    const before = server.requests.length;
    const o = outcome(await collect('openai', specFor('openai', server.url)));
    expect(o.text).toBe('ok');
    const [first, second] = server.requests.slice(before);
    expect(JSON.parse(first.body).stream_options).toEqual({ include_usage: true });
    expect(JSON.parse(second.body)).not.toHaveProperty('stream_options');
    expect(JSON.parse(second.body).stream).toBe(true);
  });

  it('does not retry other 400s', async () => {
    server.respond({ status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":{"message":"temperature out of range"}}' });
    const before = server.requests.length;
    expect(outcome(await collect('openai', specFor('openai', server.url))).error?.kind).toBe('bad-request');
    expect(server.requests.length - before).toBe(1);
  });
});
