import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageInput } from '../../src/core/types.js';
import { responsesRequest, SUMMARY_SEPARATOR } from '../../src/providers/responses.js';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';
import { collect, errorOf, outcome, SECRET_KEY, specFor, sse, SSE_HEADERS } from './support.js';

let server: RawServer;
beforeAll(async () => {
  server = await startRawServer();
});
afterAll(() => server.close());

const ev = (type: string, data: object = {}) => ({ event: type, data: { type, ...data } });
const done = (status: string, extra: object = {}, usage: object = { input_tokens: 9, input_tokens_details: { cached_tokens: 4 }, output_tokens: 20, output_tokens_details: { reasoning_tokens: 12 } }) =>
  ev(`response.${status}`, { response: { object: 'response', status, output: [], usage, ...extra } });
const image: ImageInput = { mediaType: 'image/png', base64: 'iVBORw0KGgo=', bytes: 8, name: 'dot.png', sha256: 'x' };

describe('Responses request', () => {
  it('POSTs {baseUrl}/responses: input turns, instructions, max_output_tokens, not stored, bearer key', async () => {
    server.respond({ headers: SSE_HEADERS, body: sse(ev('response.output_text.delta', { delta: 'ok' }), done('completed')) });
    await collect('openai-responses', specFor('openai-responses', server.url), {
      model: 'o3-pro',
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'what is this?', images: [image] },
      ],
      temperature: 0.5,
      maxTokens: 300,
      topP: 0.9,
      reasoning: 'high',
    });
    const req = server.requests.at(-1)!;
    expect(req.url).toBe('/v1/responses');
    expect(req.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(JSON.parse(req.body)).toEqual({
      model: 'o3-pro',
      input: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: [{ type: 'input_text', text: 'what is this?' }, { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' }] },
      ],
      stream: true,
      store: false,
      instructions: 'Be brief.',
      temperature: 0.5,
      max_output_tokens: 300,
      top_p: 0.9,
      reasoning: { effort: 'high', summary: 'auto' },
    });
  });

  it('maps a budget to the nearest effort and "off" to each model family\'s spelling', () => {
    const body = (model: string, reasoning: any) => responsesRequest(specFor('openai-responses', 'http://x'), { model, messages: [], reasoning }).body as any;
    expect(body('gpt-5', 30000).reasoning).toEqual({ effort: 'high', summary: 'auto' });
    expect(body('gpt-5', 1500).reasoning).toEqual({ effort: 'low', summary: 'auto' });
    expect(body('gpt-5', 'off').reasoning).toEqual({ effort: 'minimal' });
    expect(body('gpt-5.1', 'off').reasoning).toEqual({ effort: 'none' });
    expect(body('gpt-4.1', 'off').reasoning).toBeUndefined();
    expect(body('gpt-5', undefined).reasoning).toBeUndefined();
  });

  it('refuses stop sequences, which the Responses API does not have, before any request', async () => {
    const before = server.requests.length;
    const error = errorOf(await collect('openai-responses', specFor('openai-responses', server.url), { model: 'o3-pro', messages: [{ role: 'user', content: 'x' }], stop: ['END'] }));
    expect(error).toMatchObject({ kind: 'config', code: 'stop_unsupported', retryable: false });
    expect(server.requests.length).toBe(before);
  });

  it('asks again without a reasoning summary when the organisation may not have one', async () => {
    server.respond([
      { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":{"message":"Your organization must be verified to generate reasoning summaries.","type":"invalid_request_error","param":"reasoning.summary","code":"unsupported_value"}}' },
      { headers: SSE_HEADERS, body: sse(ev('response.output_text.delta', { delta: '42' }), done('completed')) },
    ]);
    const before = server.requests.length;
    const o = outcome(await collect('openai-responses', specFor('openai-responses', server.url), { model: 'o3', messages: [{ role: 'user', content: 'x' }], reasoning: 'low' }));
    expect(o.text).toBe('42');
    const [first, second] = server.requests.slice(before).map((r) => JSON.parse(r.body));
    expect(first.reasoning).toEqual({ effort: 'low', summary: 'auto' });
    expect(second.reasoning).toEqual({ effort: 'low' });
  });
});

describe('Responses stream', () => {
  it('keeps reasoning summary parts apart from the answer, one blank line between parts, and counts reasoning tokens', async () => {
    server.respond({
      headers: SSE_HEADERS,
      body: sse(
        ev('response.created', { response: { status: 'in_progress', usage: null } }),
        ev('response.reasoning_summary_part.added', { summary_index: 0 }),
        ev('response.reasoning_summary_text.delta', { summary_index: 0, delta: '**Plan**' }),
        ev('response.reasoning_summary_part.added', { summary_index: 1 }),
        ev('response.reasoning_summary_text.delta', { summary_index: 1, delta: '**Check**' }),
        ev('response.output_text.delta', { delta: 'Ans' }),
        ev('response.output_text.delta', { delta: 'wer' }),
        done('completed'),
      ),
    });
    const o = outcome(await collect('openai-responses', specFor('openai-responses', server.url)));
    expect(o.reasoning).toBe(`**Plan**${SUMMARY_SEPARATOR}**Check**`);
    expect(o.text).toBe('Answer');
    expect(o.finish?.finishReason).toEqual({ raw: 'completed', unified: 'stop' });
    const { raw, ...usage } = o.finish!.usage;
    expect(usage).toEqual({ inputTokens: 9, outputTokens: 20, cachedInputTokens: 4, reasoningTokens: 12 });
  });

  it('an incomplete response ends with its reason: max_output_tokens is length, content_filter a content-filter stop', async () => {
    for (const [reason, unified] of [['max_output_tokens', 'length'], ['content_filter', 'content-filter']] as const) {
      server.respond({ headers: SSE_HEADERS, body: sse(ev('response.output_text.delta', { delta: 'Cut' }), done('incomplete', { incomplete_details: { reason } })) });
      const o = outcome(await collect('openai-responses', specFor('openai-responses', server.url)));
      expect(o.text).toBe('Cut');
      expect(o.finish?.finishReason).toEqual({ raw: reason, unified });
    }
  });

  it('a refusal is shown as the answer and ends as a content-filter stop', async () => {
    server.respond({ headers: SSE_HEADERS, body: sse(ev('response.refusal.delta', { delta: "I can't help with that." }), done('completed')) });
    const o = outcome(await collect('openai-responses', specFor('openai-responses', server.url)));
    expect(o.text).toBe("I can't help with that.");
    expect(o.finish?.finishReason).toEqual({ raw: 'refusal', unified: 'content-filter' });
  });

  it('response.failed and a top-level error event are errors with the provider\'s code', async () => {
    server.respond({ headers: SSE_HEADERS, body: sse(ev('response.output_text.delta', { delta: 'x' }), ev('response.failed', { response: { status: 'failed', error: { code: 'server_error', message: 'The model failed to finish.' } } })) });
    expect(errorOf(await collect('openai-responses', specFor('openai-responses', server.url)))).toMatchObject({ kind: 'server', code: 'server_error', retryable: true });
    server.respond({ headers: SSE_HEADERS, body: sse(ev('error', { code: 'rate_limit_exceeded', message: 'Rate limit reached', param: null })) });
    expect(errorOf(await collect('openai-responses', specFor('openai-responses', server.url)))).toMatchObject({ kind: 'rate-limit', code: 'rate_limit_exceeded', retryable: true });
  });

  it('a stream that stops before response.completed is truncated, not an answer', async () => {
    server.respond({ headers: SSE_HEADERS, body: sse(ev('response.output_text.delta', { delta: 'half' })) });
    expect(errorOf(await collect('openai-responses', specFor('openai-responses', server.url)))).toMatchObject({ kind: 'network', message: 'stream ended before the response finished' });
  });

  it('reads a complete response object served as JSON (reasoning, then the message\'s text)', async () => {
    const body = {
      object: 'response',
      status: 'completed',
      output: [
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'A' }, { type: 'summary_text', text: 'B' }] },
        { type: 'message', content: [{ type: 'output_text', text: 'Yes.' }] },
      ],
      usage: { input_tokens: 3, output_tokens: 5 },
    };
    server.respond({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const o = outcome(await collect('openai-responses', specFor('openai-responses', server.url)));
    expect([o.reasoning, o.text]).toEqual([`A${SUMMARY_SEPARATOR}B`, 'Yes.']);
    expect(o.finish?.usage).toMatchObject({ inputTokens: 3, outputTokens: 5 });
  });
});
