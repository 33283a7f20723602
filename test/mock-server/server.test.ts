import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockProtocol, type MockReply, type MockServer } from '../../src/mock-server/index.js';
import { chat, get, normalize, post, rawPost, sleep } from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(reply: MockServerReply, extra: { apiKey?: string } = {}) {
  server = await startMockServer({ reply: typeof reply === 'function' ? reply : () => reply, ...extra });
  return server;
}
type MockServerReply = MockReply | ((r: { attempt: number; protocol: MockProtocol; model: string }) => MockReply | Promise<MockReply>);

/** One streaming request per protocol: [url, body]. */
function streamingCalls(s: MockServer): Record<MockProtocol, [string, unknown]> {
  return {
    openai: [`${s.baseUrls.openai}/chat/completions`, chat('hi', { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } })],
    'openai-responses': [`${s.baseUrls['openai-responses']}/responses`, { model: 'gpt-4o-mini', input: [{ role: 'user', content: 'hi' }], stream: true }],
    azure: [`${s.baseUrls.azure}/openai/deployments/my-4o/chat/completions?api-version=2024-10-21`, chat('hi', { stream: true, stream_options: { include_usage: true } })],
    anthropic: [`${s.baseUrls.anthropic}/v1/messages`, chat('hi', { model: 'claude-haiku-4-5', max_tokens: 50, stream: true })],
    gemini: [`${s.baseUrls.gemini}/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }],
    ollama: [`${s.baseUrls.ollama}/api/chat`, chat('hi', { model: 'llama3.2' })],
  };
}

const PROTOCOLS: MockProtocol[] = ['openai', 'openai-responses', 'azure', 'anthropic', 'gemini', 'ollama'];
const TEXT = 'Naïve café — 日本語 🌊🌊 done.';

describe('lifecycle', () => {
  it('listens on 127.0.0.1 with an ephemeral port and exposes each protocol base URL', async () => {
    const s = await start({});
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.baseUrls).toEqual({
      openai: `${s.url}/openai/v1`,
      'openai-responses': `${s.url}/openai/v1`,
      azure: `${s.url}/azure`,
      anthropic: `${s.url}/anthropic`,
      gemini: `${s.url}/gemini/v1beta`,
      ollama: `${s.url}/ollama`,
    });
  });

  it('close() resolves promptly with a stream in flight, and the client sees the cut', async () => {
    const s = await start({ text: 'x'.repeat(400), deltaChars: 1, chunkDelayMs: 1000 });
    const [url, body] = streamingCalls(s).openai;
    const res = await post(url, body);
    const reader = res.body!.getReader();
    await reader.read();
    const t0 = performance.now();
    await s.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    await expect((async () => { for (;;) if ((await reader.read()).done) return 'ended'; })()).rejects.toThrow();
    server = undefined;
  });

  it('close() resolves while a request waits for its headers or its reply(), and twice in a row', async () => {
    let release!: () => void;
    const s = await start(({ model }) =>
      model === 'slow-reply' ? new Promise<MockReply>((r) => (release = () => r({ text: 'late' }))) : { text: 'x', headerDelayMs: 5000 },
    );
    const a = post(`${s.baseUrls.openai}/chat/completions`, chat('q', { model: 'held' })).catch((e) => e);
    const b = post(`${s.baseUrls.openai}/chat/completions`, chat('q', { model: 'slow-reply' })).catch((e) => e);
    await sleep(50);
    const t0 = performance.now();
    await Promise.all([s.close(), s.close()]);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await a).toBeInstanceOf(Error);
    expect(await b).toBeInstanceOf(Error);
    release();
    server = undefined;
  });

  it('keeps serving after a client aborts mid-stream', async () => {
    const s = await start({ text: 'y'.repeat(300), deltaChars: 1, chunkDelayMs: 10 });
    const ac = new AbortController();
    const [url, body] = streamingCalls(s).anthropic;
    const res = await post(url, body, {}, ac.signal);
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await expect(reader.read()).rejects.toThrow();
    await sleep(30);
    const again = await post(`${s.baseUrls.ollama}/api/chat`, chat('q', { model: 'llama3.2', stream: false }));
    expect(again.status).toBe(200);
    await again.text();
  });
});

describe('requests and attempts', () => {
  it('records every generation request and counts attempts per protocol+model', async () => {
    const s = await start(({ attempt }) => (attempt === 1 ? { status: 429, headers: { 'retry-after': '0' } } : { text: 'ok' }));
    const openai = `${s.baseUrls.openai}/chat/completions`;
    const first = await post(openai, chat('q', { model: 'gpt-4o-mini' }));
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('0');
    await first.text();
    const second = await post(openai, chat('q', { model: 'gpt-4o-mini' }), { 'x-trace': 'abc' });
    expect(second.status).toBe(200);
    await second.text();
    await (await post(openai, chat('q', { model: 'gpt-4o' }))).text();
    await (await post(`${s.baseUrls.anthropic}/v1/messages`, chat('q', { model: 'gpt-4o-mini', max_tokens: 5 }))).text();
    await (await get(`${s.baseUrls.ollama}/api/tags`)).text();
    expect(s.requests.map((r) => [r.protocol, r.model, r.attempt])).toEqual([
      ['openai', 'gpt-4o-mini', 1],
      ['openai', 'gpt-4o-mini', 2],
      ['openai', 'gpt-4o', 1],
      ['anthropic', 'gpt-4o-mini', 1],
    ]);
    expect(s.requests[1]).toMatchObject({ path: '/openai/v1/chat/completions', stream: false, body: { model: 'gpt-4o-mini' } });
    expect(s.requests[1].headers['x-trace']).toBe('abc');
  });

  it('answers bad JSON with 400, a throwing reply() with 500, an unknown route with 404, in the provider shape', async () => {
    const s = await start(() => {
      throw new Error('script bug');
    });
    const bad = await post(`${s.baseUrls.anthropic}/v1/messages`, '{not json');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.type).toBe('invalid_request_error');
    const thrown = await post(`${s.baseUrls.openai}/chat/completions`, chat('q', { model: 'm' }));
    expect(thrown.status).toBe(500);
    expect((await thrown.json()).error.message).toContain('script bug');
    const unknown = await post(`${s.baseUrls.openai}/completions`, {});
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toContain('Invalid URL');
  });
});

describe('raw bodies', () => {
  it('sends raw bytes exactly, with the given status and content-type', async () => {
    const garbage = new Uint8Array([0, 255, 10, 13, 0xe2, 0x82]);
    const s = await start(({ model }) =>
      model === 'html'
        ? { raw: '<html><body>502 Bad Gateway</body></html>', status: 502, headers: { 'content-type': 'text/html' } }
        : { raw: garbage },
    );
    const html = await post(`${s.baseUrls.openai}/chat/completions`, chat('q', { model: 'html', stream: true }));
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(await html.text()).toBe('<html><body>502 Bad Gateway</body></html>');
    const bin = await post(`${s.baseUrls.openai}/chat/completions`, chat('q', { model: 'bin' }));
    expect(bin.status).toBe(200);
    expect(new Uint8Array(await bin.arrayBuffer())).toEqual(garbage);
  });
});

describe('writeBytes', () => {
  it.each(PROTOCOLS)('%s: the body is byte-identical however it is split, and no write exceeds writeBytes', async (protocol) => {
    const s = await start(({ attempt }) => ({ text: TEXT, reasoning: 'why', usage: { input: 5, output: 9 }, writeBytes: [0, 1, 3, 7][attempt - 1] || undefined }));
    const [url, body] = streamingCalls(s)[protocol];
    const whole = await rawPost(url, body);
    for (const n of [1, 3, 7]) {
      const split = await rawPost(url, body);
      expect(normalize(split.body.toString('utf8'))).toBe(normalize(whole.body.toString('utf8')));
      expect(Math.max(...split.chunks.map((c) => c.length))).toBeLessThanOrEqual(n);
      expect(split.chunks.length).toBeGreaterThanOrEqual(Math.ceil(split.body.length / n));
    }
    expect(whole.body.toString('utf8')).toContain('Naïv');
  });

  it('splits non-streamed bodies too', async () => {
    const s = await start({ text: TEXT, writeBytes: 2 });
    const res = await post(`${s.baseUrls.anthropic}/v1/messages`, chat('q', { model: 'c', max_tokens: 5 }));
    expect((await res.json()).content[0].text).toBe(TEXT);
  });
});

describe('dropAfterBytes', () => {
  it.each(PROTOCOLS)('%s: the connection is cut after exactly that many body bytes', async (protocol) => {
    const s = await start({ text: TEXT.repeat(3), dropAfterBytes: 150 });
    const [url, body] = streamingCalls(s)[protocol];
    const raw = await rawPost(url, body);
    expect(raw.status).toBe(200);
    expect(raw.aborted).toBe(true);
    expect(raw.body.length).toBe(150);
    await expect(post(url, body).then((r) => r.text())).rejects.toThrow();
  });

  it('cuts a content-length body too, and 0 drops right after the headers', async () => {
    const s = await start(({ model }) => ({ raw: 'z'.repeat(1000), dropAfterBytes: model === 'zero' ? 0 : 123 }));
    const cut = await rawPost(`${s.baseUrls.openai}/chat/completions`, { model: 'some' });
    expect(cut).toMatchObject({ status: 200, aborted: true });
    expect(cut.body.toString()).toBe('z'.repeat(123));
    const zero = await rawPost(`${s.baseUrls.openai}/chat/completions`, { model: 'zero' });
    expect(zero).toMatchObject({ status: 200, aborted: true });
    expect(zero.body.length).toBe(0);
  });
});

describe('timing (real timers, loose bounds)', () => {
  it.each(PROTOCOLS)('%s: honours headerDelayMs, firstChunkDelayMs and chunkDelayMs', async (protocol) => {
    const s = await start({ text: 'abcdefghij', deltaChars: 2, headerDelayMs: 120, firstChunkDelayMs: 120, chunkDelayMs: 40 });
    const [url, body] = streamingCalls(s)[protocol];
    const t0 = performance.now();
    const res = await post(url, body);
    const tHeaders = performance.now() - t0;
    const reader = res.body!.getReader();
    await reader.read();
    const tFirst = performance.now() - t0;
    while (!(await reader.read()).done);
    const tEnd = performance.now() - t0;
    expect(tHeaders).toBeGreaterThanOrEqual(100);
    expect(tHeaders).toBeLessThan(1500);
    expect(tFirst - tHeaders).toBeGreaterThanOrEqual(100);
    // 5 deltas → 4 gaps of 40 ms after the first.
    expect(tEnd - tFirst).toBeGreaterThanOrEqual(4 * 40 * 0.8);
    expect(tEnd).toBeLessThan(3000);
  });

  it('delays error replies as scripted', async () => {
    const s = await start({ status: 503, headerDelayMs: 150 });
    const t0 = performance.now();
    const res = await post(`${s.baseUrls.gemini}/models/g:generateContent`, { contents: [] });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(130);
    expect(res.status).toBe(503);
    await res.text();
  });
});

describe('streamError', () => {
  it.each(PROTOCOLS)('%s: afterDeltas 0 fails before any text', async (protocol) => {
    const s = await start({ text: 'never shown', streamError: { afterDeltas: 0 } });
    const [url, body] = streamingCalls(s)[protocol];
    const raw = await rawPost(url, body);
    expect(raw.status).toBe(200);
    const text = raw.body.toString('utf8');
    expect(text).not.toContain('never');
    if (protocol === 'gemini') expect(raw.aborted).toBe(true);
    else expect(text).toMatch(/error/);
  });
});
