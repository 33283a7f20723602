/**
 * Failure behaviour every HTTP adapter shares, run against each protocol through a real socket:
 * HTTP errors, bodies that are not the protocol, dropped and stalled connections, aborts, and
 * the promise that no error ever carries the API key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startRawServer, type RawServer } from '../helpers/raw-server.js';
import type { ProviderEvent } from '../../src/core/types.js';
import { adapters, collect, errorOf, NDJSON_HEADERS, outcome, SECRET_KEY, specFor, SSE_HEADERS, type HttpProtocol } from './support.js';

/** The opening of a healthy stream in each wire format: one text delta "Hel". */
const opening: Record<HttpProtocol, { headers: Record<string, string>; body: string }> = {
  openai: { headers: SSE_HEADERS, body: 'data: {"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n' },
  'openai-responses': { headers: SSE_HEADERS, body: 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"Hel"}\n\n' },
  anthropic: {
    headers: SSE_HEADERS,
    body:
      'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}\n\n' +
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\n',
  },
  gemini: { headers: SSE_HEADERS, body: 'data: {"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"}}]}\r\n\r\n' },
  ollama: { headers: NDJSON_HEADERS, body: '{"message":{"role":"assistant","content":"Hel"},"done":false}\n' },
};

const protocols: HttpProtocol[] = ['openai', 'openai-responses', 'anthropic', 'gemini', 'ollama'];
const json = { 'content-type': 'application/json' };

describe.each(protocols)('%s adapter failures', (protocol) => {
  let server: RawServer;
  beforeAll(async () => {
    server = await startRawServer();
  });
  afterAll(() => server.close());
  const spec = () => specFor(protocol, server.url, { apiKey: SECRET_KEY });

  it('401 → auth, not retryable, hint names the env var, no start event', async () => {
    server.respond({ status: 401, headers: json, body: `{"error":{"message":"Incorrect API key provided: ${SECRET_KEY}","type":"invalid_request_error"}}` });
    const events = await collect(protocol, spec());
    const err = errorOf(events);
    expect(err).toMatchObject({ kind: 'auth', status: 401, retryable: false });
    expect(err.hint).toMatch(protocol === 'ollama' ? /API key for provider ollama/ : /_API_KEY/);
    expect(events.some((e) => e.type === 'start')).toBe(false);
    expect(JSON.stringify(events)).not.toContain(SECRET_KEY);
    expect(err.message).toContain('***');
  });

  it('429 with Retry-After in seconds → rate-limit, retryable, retryAfterMs', async () => {
    server.respond({ status: 429, headers: { ...json, 'retry-after': '7' }, body: '{"error":{"message":"slow down","type":"rate_limit_error"}}' });
    expect(errorOf(await collect(protocol, spec()))).toMatchObject({ kind: 'rate-limit', status: 429, retryable: true, retryAfterMs: 7000 });
  });

  it('429 with Retry-After as an HTTP date → retryAfterMs from now', async () => {
    const when = new Date(Date.now() + 30_000).toUTCString();
    server.respond({ status: 429, headers: { ...json, 'retry-after': when }, body: '{}' });
    const err = errorOf(await collect(protocol, spec()));
    expect(err.retryAfterMs).toBeGreaterThan(25_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('500 → server, retryable; 529 and 503 → overloaded, retryable; 404 and 422 → not retryable', async () => {
    const cases = [
      [500, 'server', true],
      [529, 'overloaded', true],
      [503, 'overloaded', true],
      [404, 'bad-request', false],
      [422, 'bad-request', false],
    ] as const;
    for (const [status, kind, retryable] of cases) {
      server.respond({ status, headers: json, body: '{"error":{"message":"nope"}}' });
      expect(errorOf(await collect(protocol, spec())), `HTTP ${status}`).toMatchObject({ kind, status, retryable });
    }
  });

  it('a 502 HTML page from a proxy → server error naming the page title', async () => {
    server.respond({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>' });
    const err = errorOf(await collect(protocol, spec()));
    expect(err).toMatchObject({ kind: 'server', status: 502, retryable: true });
    expect(err.message).toContain('502 Bad Gateway');
    expect(err.message).not.toMatch(/\n|at .*\.ts/);
  });

  it('a 200 HTML page → bad-response saying what came back', async () => {
    server.respond({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<!doctype html><html><head><title>Welcome to nginx!</title></head><body>${SECRET_KEY}</body></html>` });
    const events = await collect(protocol, spec());
    const err = errorOf(events);
    expect(err.kind).toBe('bad-response');
    expect(err.message).toContain('text/html');
    expect(err.message).toContain('base URL');
    expect(err.message).toContain('Welcome to nginx!');
    expect(JSON.stringify(events)).not.toContain(SECRET_KEY);
  });

  it('a 200 body of garbage → bad-response with an excerpt', async () => {
    server.respond({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'this is not a stream at all' });
    const err = errorOf(await collect(protocol, spec()));
    expect(err.kind).toBe('bad-response');
    expect(err.message).toContain('this is not a stream');
  });

  it('a connection dropped mid-stream → network, retryable, after the text that arrived', async () => {
    const { headers, body } = opening[protocol];
    // The first event goes out as its own write, then the socket dies 10 bytes into the next.
    server.respond({ headers, body: body + body.replace('Hel', 'lo!'), splitAt: [body.length], delayMs: 5, destroyAfterBytes: body.length + 10 });
    const o = outcome(await collect(protocol, spec()));
    expect(o.text).toBe('Hel');
    expect(o.error).toMatchObject({ kind: 'network', retryable: true, message: 'connection closed mid-stream' });
  });

  it('a stream that ends cleanly without a finish → network "stream ended before the response finished"', async () => {
    server.respond({ headers: opening[protocol].headers, body: opening[protocol].body });
    const o = outcome(await collect(protocol, spec()));
    expect(o.text).toBe('Hel');
    expect(o.error).toEqual({ kind: 'network', status: null, retryable: true, message: 'stream ended before the response finished' });
  });

  it('abort mid-stream → aborted, promptly, while the server stalls', async () => {
    server.respond({ headers: opening[protocol].headers, body: opening[protocol].body, hang: true });
    const ac = new AbortController();
    const events: ProviderEvent[] = [];
    const started = Date.now();
    let abortedAt = 0;
    for await (const ev of adapters[protocol].stream(spec(), { model: 'm', messages: [] }, { signal: ac.signal })) {
      events.push(ev);
      if (ev.type === 'text-delta') {
        abortedAt = Date.now();
        ac.abort();
      }
    }
    expect(Date.now() - abortedAt).toBeLessThan(500);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(outcome(events).error?.kind).toBe('aborted');
  });

  it('abort before the response headers → aborted', async () => {
    server.respond({ headers: opening[protocol].headers, body: opening[protocol].body, headersDelayMs: 5_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const started = Date.now();
    const err = errorOf(await collect(protocol, spec(), undefined, ac.signal));
    expect(err).toMatchObject({ kind: 'aborted', retryable: false });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('connection refused → network, retryable, names the address', async () => {
    const port = await closedPort();
    const err = errorOf(await collect(protocol, specFor(protocol, `http://127.0.0.1:${port}`)));
    expect(err).toMatchObject({ kind: 'network', status: null, retryable: true });
    expect(err.message).toBe(`connection refused at 127.0.0.1:${port}`);
    expect(err.hint).toMatch(protocol === 'ollama' ? /ollama serve.*OLLAMA_HOST/ : /running/);
  });

  it.skipIf(protocol === 'ollama')('a missing key → config error naming the env var, without any request', async () => {
    const before = server.requests.length;
    const err = errorOf(await collect(protocol, specFor(protocol, server.url, { apiKey: undefined })));
    expect(err).toMatchObject({ kind: 'config', retryable: false });
    expect(err.hint).toMatch(/^set [A-Z_]+_API_KEY$/);
    expect(server.requests.length).toBe(before);
  });
});
