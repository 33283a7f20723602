import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geminiRequest } from '../../src/providers/gemini.js';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';
import { collect, outcome, SECRET_KEY, specFor, SSE_HEADERS } from './support.js';

/** Gemini frames events with CRLF pairs. */
const gsse = (...chunks: object[]) => chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join('');
const parts = (...p: object[]) => ({ candidates: [{ content: { parts: p, role: 'model' } }] });

let server: RawServer;
beforeAll(async () => {
  server = await startRawServer();
});
afterAll(() => server.close());

describe('gemini request', () => {
  it('POSTs models/{model}:streamGenerateContent?alt=sse with the key in a header, never the URL', async () => {
    server.respond({ headers: SSE_HEADERS, body: gsse({ candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }] }) });
    await collect('gemini', specFor('gemini', server.url), {
      model: 'gemini-2.5-flash',
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'again' },
      ],
      temperature: 0,
      maxTokens: 50,
      topP: 0.95,
      stop: ['END'],
    });
    const req = server.requests.at(-1)!;
    expect(req.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(req.url).not.toContain('key=');
    expect(req.url).not.toContain(SECRET_KEY);
    expect(req.headers['x-goog-api-key']).toBe(SECRET_KEY);
    expect(req.headers.authorization).toBeUndefined();
    expect(JSON.parse(req.body)).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'hi' }] },
        { role: 'model', parts: [{ text: 'hello' }] },
        { role: 'user', parts: [{ text: 'again' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { temperature: 0, maxOutputTokens: 50, topP: 0.95, stopSequences: ['END'] },
    });
  });

  it('omits generationConfig and systemInstruction when there is nothing to say, and strips a models/ prefix', () => {
    const call = geminiRequest(specFor('gemini', 'https://generativelanguage.googleapis.com'), { model: 'models/gemini-2.0-flash', messages: [{ role: 'user', content: 'q' }] });
    expect(call.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse');
    expect(call.body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'q' }] }] });
  });
});

describe('gemini stream', () => {
  it('splits thought parts into reasoning; the last usageMetadata wins; thoughts count as output', async () => {
    const body = gsse(
      { ...parts({ text: 'Considering…', thought: true }), usageMetadata: { promptTokenCount: 15, totalTokenCount: 15 } },
      { ...parts({ text: 'Par' }), usageMetadata: { promptTokenCount: 15, candidatesTokenCount: 1, thoughtsTokenCount: 7 } },
      {
        candidates: [{ content: { parts: [{ text: 'is' }], role: 'model' }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 13, candidatesTokenCount: 2, thoughtsTokenCount: 7, cachedContentTokenCount: 4 },
      },
    );
    server.respond({ headers: SSE_HEADERS, body });
    const o = outcome(await collect('gemini', specFor('gemini', server.url)));
    expect(o.reasoning).toBe('Considering…');
    expect(o.text).toBe('Paris');
    expect(o.finish?.finishReason).toEqual({ unified: 'stop', raw: 'STOP' });
    expect(o.finish?.usage).toMatchObject({ inputTokens: 13, outputTokens: 9, reasoningTokens: 7, cachedInputTokens: 4 });
  });

  it('maps SAFETY to content-filter, and a blocked prompt (no candidates) likewise', async () => {
    server.respond({ headers: SSE_HEADERS, body: gsse({ candidates: [{ content: { parts: [] }, finishReason: 'SAFETY' }] }) });
    expect(outcome(await collect('gemini', specFor('gemini', server.url))).finish?.finishReason).toEqual({ unified: 'content-filter', raw: 'SAFETY' });
    server.respond({ headers: SSE_HEADERS, body: gsse({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 5 } }) });
    const o = outcome(await collect('gemini', specFor('gemini', server.url)));
    expect(o.finish?.finishReason).toEqual({ unified: 'content-filter', raw: 'PROHIBITED_CONTENT' });
    expect(o.finish?.usage.inputTokens).toBe(5);
  });

  it('classifies a 400 served as text/event-stream with a plain JSON body as auth, naming GEMINI_API_KEY', async () => {
    const body = JSON.stringify(
      { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }] } },
      null,
      2,
    );
    server.respond({ status: 400, headers: SSE_HEADERS, body });
    const o = outcome(await collect('gemini', specFor('gemini', server.url)));
    expect(o.error).toMatchObject({ kind: 'auth', status: 400, retryable: false, code: 'API_KEY_INVALID' });
    expect(o.error?.hint).toContain('GEMINI_API_KEY');
    // The same body with a 200 (seen behind proxies) is still recognised as the error it is.
    server.respond({ status: 200, headers: SSE_HEADERS, body });
    expect(outcome(await collect('gemini', specFor('gemini', server.url))).error).toMatchObject({ kind: 'auth', code: 'API_KEY_INVALID' });
  });

  it('turns 429 RESOURCE_EXHAUSTED with RetryInfo "1.5s" into retryAfterMs 1500', async () => {
    const body = JSON.stringify({ error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }] } });
    server.respond({ status: 429, headers: { 'content-type': 'application/json' }, body });
    expect(outcome(await collect('gemini', specFor('gemini', server.url))).error).toMatchObject({ kind: 'rate-limit', retryable: true, retryAfterMs: 1500 });
  });

  it('reads the JSON array streamGenerateContent gives without alt=sse', async () => {
    const body = JSON.stringify([parts({ text: 'a' }), { candidates: [{ content: { parts: [{ text: 'b' }] }, finishReason: 'MAX_TOKENS' }], usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 2 } }]);
    server.respond({ headers: { 'content-type': 'application/json' }, body });
    const o = outcome(await collect('gemini', specFor('gemini', server.url)));
    expect(o.text).toBe('ab');
    expect(o.finish?.finishReason.unified).toBe('length');
  });
});
