/**
 * Keys and URL credentials never reach a message, a truncated one included, and never follow a
 * redirect to another origin. Real servers on 127.0.0.1: a second server on another port is
 * another origin and must not see the key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkErrorInfo } from '../../src/providers/http.js';
import { MAX_REDIRECTS } from '../../src/providers/http-request.js';
import { closedPort, startRawServer, type RawServer } from '../helpers/raw-server.js';
import { collect, errorOf, outcome, SECRET_KEY, sse, SSE_HEADERS, specFor, type HttpProtocol } from './support.js';

let a: RawServer; // the configured server, which redirects
let b: RawServer; // another origin
beforeAll(async () => {
  [a, b] = await Promise.all([startRawServer(), startRawServer()]);
});
afterAll(() => Promise.all([a.close(), b.close()]));

/** Every non-empty prefix of the key of at least 6 characters: none may appear anywhere. */
const keyPieces = (key: string) => Array.from({ length: key.length - 5 }, (_, i) => key.slice(0, i + 6));
const leaks = (text: string, key = SECRET_KEY) => keyPieces(key).filter((p) => text.includes(p));
const everyText = (e: { message: string; hint?: string; code?: string }) => `${e.message} ${e.hint ?? ''} ${e.code ?? ''}`;

const OPENAI_OK = sse(
  { choices: [{ index: 0, delta: { content: 'redirected ok' }, finish_reason: null }] },
  { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  '[DONE]',
);

describe('redaction before truncation', () => {
  it('a 401 whose long body ends with the key shows no part of the key', async () => {
    for (const body of ['x'.repeat(220) + SECRET_KEY, JSON.stringify({ error: { message: `${'y'.repeat(230)} ${SECRET_KEY}`, type: 'invalid_request_error' } })]) {
      a.respond({ status: 401, headers: { 'content-type': 'application/json' }, body });
      const error = errorOf(await collect('openai', specFor('openai', `${a.url}`)));
      expect(error.kind).toBe('auth');
      expect(leaks(everyText(error)), error.message).toEqual([]);
    }
  });

  it('a garbage stream that quotes the key near a cut shows no part of it', async () => {
    a.respond({ headers: SSE_HEADERS, body: `data: ${'z'.repeat(100)}${SECRET_KEY}\n\n` });
    const error = errorOf(await collect('openai', specFor('openai', `${a.url}`)));
    expect(error.kind).toBe('bad-response');
    expect(leaks(everyText(error))).toEqual([]);
  });
});

describe('credentials in a base URL', () => {
  const PASSWORD = 'pa55-w0rd-very-secret';

  it('go to the server as Basic auth, never in the URL, and never into a message', async () => {
    b.respond({ headers: { 'content-type': 'application/x-ndjson' }, body: '{"message":{"content":"hi"},"done":true,"done_reason":"stop"}\n' });
    const base = b.url.replace('http://', `http://proxyuser:${PASSWORD}@`);
    const ok = outcome(await collect('ollama', specFor('ollama', base)));
    expect(ok.text).toBe('hi');
    const seen = b.requests.at(-1)!;
    expect(seen.url).toBe('/api/chat');
    expect(seen.headers.authorization).toBe(`Basic ${Buffer.from(`proxyuser:${PASSWORD}`).toString('base64')}`);

    b.respond({ status: 404, headers: { 'content-type': 'text/plain' }, body: `no such thing at http://proxyuser:${PASSWORD}@${b.url.slice(7)}/api/chat` });
    const notFound = errorOf(await collect('ollama', specFor('ollama', base)));
    expect(everyText(notFound)).not.toContain(PASSWORD);
    expect(everyText(notFound)).toContain('http://***@');
  });

  it('an explicit key wins over URL credentials', async () => {
    b.respond({ headers: SSE_HEADERS, body: OPENAI_OK });
    await collect('openai', specFor('openai', b.url.replace('http://', `http://u:${PASSWORD}@`)));
    expect(b.requests.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
  });

  it('are not printed when the server cannot be reached', async () => {
    const spec = specFor('openai', `http://me:${PASSWORD}@127.0.0.1:${await closedPort()}`);
    const refused = errorOf(await collect('openai', spec));
    expect(refused.kind).toBe('network');
    const invalid = networkErrorInfo({ ...spec, baseUrl: `http://me:${PASSWORD}@exa mple/v1` }, new TypeError('Invalid URL', { cause: { code: 'ERR_INVALID_URL' } }));
    for (const e of [refused, invalid]) {
      expect(everyText(e)).not.toContain(PASSWORD);
      expect(everyText(e)).not.toContain('me:');
    }
  });
});

describe('redirects', () => {
  const KEY_HEADERS: Record<Exclude<HttpProtocol, 'ollama'>, string> = { openai: 'authorization', 'openai-responses': 'authorization', anthropic: 'x-api-key', gemini: 'x-goog-api-key' };
  const path: Record<Exclude<HttpProtocol, 'ollama'>, string> = {
    openai: '/v1/chat/completions',
    'openai-responses': '/v1/responses',
    anthropic: '/v1/messages',
    gemini: '/v1beta/models/test-model:streamGenerateContent?alt=sse',
  };

  it.each(['openai', 'openai-responses', 'anthropic', 'gemini'] as const)('%s: a redirect to another origin carries no key and no configured header', async (protocol) => {
    a.respond({ status: 307, headers: { location: `${b.url}${path[protocol]}` } });
    b.respond({ status: 401, headers: { 'content-type': 'application/json' }, body: '{"error":{"message":"no key","type":"authentication_error"}}' });
    const before = b.requests.length;
    const spec = specFor(protocol, a.url, { headers: { 'x-custom-token': 'configured-secret-value' } });
    const error = errorOf(await collect(protocol, spec));
    const seen = b.requests.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0].headers[KEY_HEADERS[protocol]]).toBeUndefined();
    expect(seen[0].headers['x-custom-token']).toBeUndefined();
    expect(JSON.stringify(seen[0].headers)).not.toContain(SECRET_KEY);
    // The body and its type still go: 307 keeps the method and the request.
    expect(seen[0].method).toBe('POST');
    expect(JSON.parse(seen[0].body)).toMatchObject(protocol === 'gemini' ? { contents: expect.any(Array) } : { model: 'test-model' });
    expect(error.hint).toMatch(new RegExp(`redirected to ${b.url}, another origin, so the API key and configured headers were not sent there`));
  });

  it('a redirect within the origin keeps the key; one to another origin ignores credentials in its Location', async () => {
    a.respond((req) => (req.url === '/v1/chat/completions' ? { status: 308, headers: { location: '/v2/chat/completions' } } : { headers: SSE_HEADERS, body: OPENAI_OK }));
    expect(outcome(await collect('openai', specFor('openai', a.url))).text).toBe('redirected ok');
    expect(a.requests.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);

    a.respond({ status: 302, headers: { location: `${b.url.replace('http://', 'http://evil:creds@')}/landing` } });
    b.respond({ status: 404, body: 'nothing here' });
    await collect('ollama', specFor('ollama', a.url));
    const last = b.requests.at(-1)!;
    expect(last.headers.authorization).toBeUndefined();
    // 302 after a POST continues as GET, as fetch does.
    expect([last.method, last.url, last.body]).toEqual(['GET', '/landing', '']);
  });

  it('gives up on a redirect loop with a clear error', async () => {
    a.respond({ status: 307, headers: { location: '/again' } });
    const before = a.requests.length;
    const error = errorOf(await collect('openai', specFor('openai', a.url)));
    expect(error).toMatchObject({ kind: 'bad-response', retryable: false });
    expect(error.message).toBe(`openai: more than ${MAX_REDIRECTS} redirects, starting at ${a.url}`);
    expect(a.requests.length - before).toBe(MAX_REDIRECTS + 1);
  });
});
