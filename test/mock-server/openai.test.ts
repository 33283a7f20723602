import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockReply, type MockServer } from '../../src/mock-server/index.js';
import { chat, get, parseSse, post, sseJson } from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(reply: MockReply | ((attempt: number) => MockReply), apiKey?: string) {
  server = await startMockServer({ reply: (r) => (typeof reply === 'function' ? reply(r.attempt) : reply), apiKey });
  return server;
}

const streamBody = (extra: Record<string, unknown> = {}) =>
  chat('Say hi', { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, ...extra });

describe('openai chat/completions stream', () => {
  it('frames SSE chunks: role first, content deltas, finish chunk, usage chunk, [DONE]', async () => {
    const s = await start({ text: 'Hello, wide world!', usage: { input: 12, output: 5 } });
    const res = await post(`${s.baseUrls.openai}/chat/completions`, streamBody());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await res.text();
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    for (const ev of parseSse(body)) expect(ev.event).toBeUndefined();
    const chunks = sseJson(body);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'gpt-4o-mini')).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe('Hello, wide world!');
    const withChoices = chunks.filter((c) => c.choices.length > 0);
    const last = withChoices[withChoices.length - 1];
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last.choices[0].delta).toEqual({});
    expect(withChoices.slice(0, -1).every((c) => c.choices[0].finish_reason === null)).toBe(true);
    const usageChunk = chunks[chunks.length - 1];
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('sends no usage chunk (and no usage keys) without stream_options.include_usage', async () => {
    const s = await start({ text: 'abc' });
    const body = await (await post(`${s.baseUrls.openai}/chat/completions`, chat('x', { model: 'm', stream: true }))).text();
    const chunks = sseJson(body);
    expect(chunks.every((c) => c.choices.length === 1 && !('usage' in c))).toBe(true);
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('streams reasoning as delta.reasoning_content before the text, and reports cached/reasoning tokens', async () => {
    const s = await start({ text: 'Answer.', reasoning: 'Let me think.', usage: { input: 40, output: 30, cached: 32, reasoning: 20 } });
    const chunks = sseJson(await (await post(`${s.baseUrls.openai}/chat/completions`, streamBody())).text());
    const deltas = chunks.filter((c) => c.choices.length).map((c) => c.choices[0].delta);
    const firstText = deltas.findIndex((d) => d.content);
    const lastReasoning = deltas.map((d) => 'reasoning_content' in d).lastIndexOf(true);
    expect(lastReasoning).toBeLessThan(firstText);
    expect(deltas.map((d) => d.reasoning_content ?? '').join('')).toBe('Let me think.');
    const usage = chunks[chunks.length - 1].usage;
    expect(usage.prompt_tokens_details.cached_tokens).toBe(32);
    expect(usage.completion_tokens_details.reasoning_tokens).toBe(20);
    expect(usage.completion_tokens).toBe(30);
  });

  it('encodes finish length as "length"', async () => {
    const s = await start({ text: 'cut sho', finish: 'length' });
    const chunks = sseJson(await (await post(`${s.baseUrls.openai}/chat/completions`, streamBody())).text());
    expect(chunks.filter((c) => c.choices.length).pop().choices[0].finish_reason).toBe('length');
  });

  it('cuts deltaChars code points per delta and never splits a surrogate pair', async () => {
    const text = 'a🌊b😀😀c';
    const s = await start({ text, deltaChars: 1 });
    const chunks = sseJson(await (await post(`${s.baseUrls.openai}/chat/completions`, streamBody())).text());
    const deltas = chunks.map((c) => c.choices[0]?.delta?.content).filter((d) => d);
    expect(deltas).toEqual(Array.from(text));
  });

  it('estimates usage at ~4 chars/token when none is given', async () => {
    const s = await start({ text: 'x'.repeat(40) });
    const chunks = sseJson(await (await post(`${s.baseUrls.openai}/chat/completions`, streamBody())).text());
    const usage = chunks[chunks.length - 1].usage;
    expect(usage.completion_tokens).toBe(10);
    expect(usage.prompt_tokens).toBeGreaterThanOrEqual(1);
  });

  it('fails in-stream with data: {"error":…} after N deltas and no [DONE]', async () => {
    const s = await start({ text: 'abcdefghijklmnop', deltaChars: 2, streamError: { afterDeltas: 3, message: 'boom' } });
    const res = await post(`${s.baseUrls.openai}/chat/completions`, streamBody());
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).not.toContain('[DONE]');
    const events = sseJson(body);
    expect(events[events.length - 1]).toEqual({ error: { message: 'boom', type: 'server_error', param: null, code: null } });
    expect(events.filter((c) => c.choices?.[0]?.delta?.content).length).toBe(3);
  });
});

describe('openai chat/completions non-stream and errors', () => {
  it('answers a non-stream request with a chat.completion JSON', async () => {
    const s = await start({ text: 'Plain answer.', usage: { input: 3, output: 4 }, finish: 'length' });
    const res = await post(`${s.baseUrls.openai}/chat/completions`, chat('q', { model: 'gpt-4o' }));
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = await res.json();
    expect(json.object).toBe('chat.completion');
    expect(json.choices[0].message).toMatchObject({ role: 'assistant', content: 'Plain answer.' });
    expect(json.choices[0].finish_reason).toBe('length');
    expect(json.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(s.requests[0].stream).toBe(false);
  });

  it('returns the real error body shape for a scripted status, with extra headers passed through', async () => {
    const s = await start({ status: 429, errorMessage: 'Slow down', headers: { 'Retry-After': '3', 'x-ratelimit-remaining-requests': '0' } });
    const res = await post(`${s.baseUrls.openai}/chat/completions`, streamBody());
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = await res.json();
    expect(json).toEqual({ error: { message: 'Slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
  });

  it('uses server_error for 5xx and model_not_found for 404', async () => {
    const s = await start((attempt) => ({ status: attempt === 1 ? 500 : 404 }));
    const a = await (await post(`${s.baseUrls.openai}/chat/completions`, streamBody())).json();
    expect(a.error.type).toBe('server_error');
    const b = await (await post(`${s.baseUrls.openai}/chat/completions`, streamBody())).json();
    expect(b.error.code).toBe('model_not_found');
    expect(b.error.message).toContain('gpt-4o-mini');
  });

  it('checks Authorization: Bearer when apiKey is set', async () => {
    const s = await start({ text: 'ok' }, 'sk-test-key-1234567890');
    const url = `${s.baseUrls.openai}/chat/completions`;
    const missing = await post(url, streamBody());
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toMatchObject({ type: 'invalid_request_error', code: null });
    const wrong = await post(url, streamBody(), { authorization: 'Bearer sk-wrong-key-abcdefghijk' });
    expect(wrong.status).toBe(401);
    const err = (await wrong.json()).error;
    expect(err.code).toBe('invalid_api_key');
    expect(err.message).not.toContain('sk-wrong-key-abcdefghijk');
    const ok = await post(url, streamBody(), { authorization: 'Bearer sk-test-key-1234567890' });
    expect(ok.status).toBe(200);
    await ok.text();
    const models = await get(`${s.baseUrls.openai}/models`, { authorization: 'Bearer sk-test-key-1234567890' });
    expect((await models.json()).data.map((m: any) => m.id)).toContain('gpt-4o-mini');
    expect((await get(`${s.baseUrls.openai}/models`)).status).toBe(401);
  });
});

describe("Ollama's OpenAI-compatible /v1/chat/completions", () => {
  it('uses the same encoder with Ollama quirks: delta.reasoning, fp_ollama, no role-only chunk', async () => {
    const s = await start({ text: 'four', reasoning: 'two plus two', usage: { input: 18, output: 9 } });
    const res = await post(`${s.baseUrls.ollama}/v1/chat/completions`, streamBody({ model: 'llama3.2' }));
    const chunks = sseJson(await res.text());
    expect(chunks.every((c) => c.system_fingerprint === 'fp_ollama')).toBe(true);
    const deltas = chunks.filter((c) => c.choices.length).map((c) => c.choices[0].delta);
    expect(deltas.every((d) => d.role === 'assistant')).toBe(true);
    expect(deltas.map((d) => d.reasoning ?? '').join('')).toBe('two plus two');
    expect(deltas.map((d) => d.content).join('')).toBe('four');
    expect(chunks[chunks.length - 1].usage).toEqual({ prompt_tokens: 18, completion_tokens: 9, total_tokens: 27 });
    expect(s.requests[0]).toMatchObject({ protocol: 'ollama', model: 'llama3.2', path: '/ollama/v1/chat/completions' });
  });
});
