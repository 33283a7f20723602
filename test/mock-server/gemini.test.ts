import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockReply, type MockServer } from '../../src/mock-server/index.js';
import { post, rawPost } from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(reply: MockReply, apiKey?: string) {
  server = await startMockServer({ reply: () => reply, apiKey });
  return server;
}

const request = { contents: [{ role: 'user', parts: [{ text: 'What is the capital of France?' }] }] };
const streamUrl = (s: MockServer, model = 'gemini-2.5-flash') => `${s.baseUrls.gemini}/models/${model}:streamGenerateContent?alt=sse`;

/** Gemini's alt=sse framing: `data: JSON` events separated by CRLF CRLF. */
function geminiEvents(body: string): any[] {
  expect(body.endsWith('\r\n\r\n')).toBe(true);
  const blocks = body.split('\r\n\r\n').filter((b) => b !== '');
  for (const b of blocks) expect(b.startsWith('data: ')).toBe(true);
  return blocks.map((b) => JSON.parse(b.slice(6)));
}

const partsText = (chunks: any[], thought: boolean) =>
  chunks
    .flatMap((c) => c.candidates[0].content.parts)
    .filter((p: any) => (p.thought === true) === thought)
    .map((p: any) => p.text)
    .join('');

describe('gemini streamGenerateContent?alt=sse', () => {
  it('frames data: JSON with CRLF, cumulative usage, finishReason only on the last chunk', async () => {
    const s = await start({ text: 'The capital of France is Paris.\n', usage: { input: 13, output: 8 } });
    const res = await post(streamUrl(s), request);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const body = await res.text();
    expect(body).toMatch(/^data: \{"candidates": \[/);
    const chunks = geminiEvents(body);
    expect(chunks.length).toBeGreaterThan(2);
    expect(partsText(chunks, false)).toBe('The capital of France is Paris.\n');
    expect(chunks.slice(0, -1).every((c) => c.candidates[0].finishReason === undefined)).toBe(true);
    expect(chunks[chunks.length - 1].candidates[0].finishReason).toBe('STOP');
    const counts = chunks.map((c) => c.usageMetadata.candidatesTokenCount ?? 0);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(chunks[chunks.length - 1].usageMetadata).toMatchObject({ promptTokenCount: 13, candidatesTokenCount: 8, totalTokenCount: 21 });
    expect(chunks.every((c) => c.modelVersion === 'gemini-2.5-flash' && c.candidates[0].content.role === 'model')).toBe(true);
    expect(server!.requests[0]).toMatchObject({ protocol: 'gemini', model: 'gemini-2.5-flash', stream: true });
  });

  it('streams thought parts {text, thought:true} first and counts them in thoughtsTokenCount', async () => {
    const s = await start({ text: '4242', reasoning: 'Add the numbers.', usage: { input: 13, output: 30, reasoning: 25 } });
    const chunks = geminiEvents(await (await post(streamUrl(s), request)).text());
    const parts = chunks.flatMap((c) => c.candidates[0].content.parts);
    const firstText = parts.findIndex((p: any) => !p.thought);
    expect(parts.slice(0, firstText).every((p: any) => p.thought === true)).toBe(true);
    expect(partsText(chunks, true)).toBe('Add the numbers.');
    expect(partsText(chunks, false)).toBe('4242');
    const last = chunks[chunks.length - 1].usageMetadata;
    expect(last).toMatchObject({ promptTokenCount: 13, candidatesTokenCount: 5, thoughtsTokenCount: 25, totalTokenCount: 43 });
  });

  it('encodes finish length as MAX_TOKENS', async () => {
    const s = await start({ text: 'Here are all 50 U.S.', finish: 'length' });
    const chunks = geminiEvents(await (await post(streamUrl(s), request)).text());
    expect(chunks[chunks.length - 1].candidates[0].finishReason).toBe('MAX_TOKENS');
  });

  it('drops the connection for streamError (Gemini has no in-stream error), never showing finishReason', async () => {
    const s = await start({ text: 'abcdefghijkl', deltaChars: 2, streamError: { afterDeltas: 2 } });
    const raw = await rawPost(streamUrl(s), request);
    expect(raw.status).toBe(200);
    expect(raw.aborted).toBe(true);
    const text = raw.body.toString('utf8');
    expect(text.split('\r\n\r\n').filter(Boolean).length).toBe(2);
    expect(text).not.toContain('finishReason');
  });

  it('streams a JSON array without alt=sse', async () => {
    const s = await start({ text: 'abcdef', deltaChars: 3 });
    const res = await post(`${s.baseUrls.gemini}/models/gemini-2.5-flash:streamGenerateContent`, request);
    const arr = JSON.parse(await res.text());
    expect(arr.length).toBe(2);
    expect(partsText(arr, false)).toBe('abcdef');
  });
});

describe('gemini generateContent', () => {
  it('answers with one JSON response', async () => {
    const s = await start({ text: 'So, 4200 + 42 = **4242**.', usage: { input: 13, output: 102, reasoning: 25 } });
    const res = await post(`${s.baseUrls.gemini}/models/gemini-2.5-flash:generateContent`, request);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = await res.json();
    expect(json.candidates[0]).toMatchObject({ content: { parts: [{ text: 'So, 4200 + 42 = **4242**.' }], role: 'model' }, finishReason: 'STOP' });
    expect(json.usageMetadata).toMatchObject({ promptTokenCount: 13, candidatesTokenCount: 77, thoughtsTokenCount: 25, totalTokenCount: 115 });
    expect(server!.requests[0].stream).toBe(false);
  });
});

describe('gemini errors', () => {
  it('accepts the key in x-goog-api-key or ?key=, answers a bad key with 400 API_KEY_INVALID as event-stream on alt=sse', async () => {
    const s = await start({ text: 'ok' }, 'AIza-test');
    const bad = await post(streamUrl(s), request, { 'x-goog-api-key': 'AIza-wrong' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('text/event-stream');
    const text = await bad.text();
    expect(text.startsWith('{\n  "error": {')).toBe(true);
    const err = JSON.parse(text).error;
    expect(err).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(err.details[0].reason).toBe('API_KEY_INVALID');

    const badJson = await post(`${s.baseUrls.gemini}/models/gemini-2.5-flash:generateContent?key=nope`, request);
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('content-type')).toMatch(/^application\/json/);
    await badJson.text();

    const missing = await post(streamUrl(s), request);
    expect(missing.status).toBe(403);
    expect((JSON.parse(await missing.text())).error.status).toBe('PERMISSION_DENIED');

    const viaHeader = await post(streamUrl(s), request, { 'x-goog-api-key': 'AIza-test' });
    expect(viaHeader.status).toBe(200);
    await viaHeader.text();
    const viaQuery = await post(`${streamUrl(s)}&key=AIza-test`, request);
    expect(viaQuery.status).toBe(200);
    await viaQuery.text();
  });

  it('429 RESOURCE_EXHAUSTED carries RetryInfo.retryDelay from retry-after (and no retry-after header, as the real API)', async () => {
    const s = await start({ status: 429, headers: { 'retry-after': '7', 'x-extra': 'yes' } });
    const res = await post(`${s.baseUrls.gemini}/models/gemini-2.5-flash:generateContent`, request);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.headers.get('x-extra')).toBe('yes');
    const err = (await res.json()).error;
    expect(err.status).toBe('RESOURCE_EXHAUSTED');
    const info = err.details.find((d: any) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
    expect(info.retryDelay).toBe('7s');
  });

  it('503 UNAVAILABLE uses the scripted message', async () => {
    const s = await start({ status: 503, errorMessage: 'The model is overloaded.' });
    const res = await post(streamUrl(s), request);
    expect(res.status).toBe(503);
    expect(JSON.parse(await res.text()).error).toEqual({ code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' });
  });
});
