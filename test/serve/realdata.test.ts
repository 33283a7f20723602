/**
 * Real recorded provider streams (../shared/realdata, read in place) served byte for byte, split
 * into small writes, behind an in-process mmr serve: tool calls through the raw path reach the
 * official SDKs intact with usage read on the way, and a recorded answer crosses protocols on the
 * translated path. Also the slow-client limits, which need short timeouts.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import type { ServeLogRow } from '../../src/serve/log.js';
import type { LoadedConfig } from '../../src/config/types.js';
import { closedPort, startRawServer, type RawServer } from '../helpers/raw-server.js';

const shared = path.resolve(import.meta.dirname, '../../../shared/realdata');
const has = fs.existsSync(path.join(shared, 'streams/SOURCES.md')) && fs.existsSync(path.join(shared, 'streams-next/SOURCES.md'));
const read = (f: string) => fs.readFileSync(path.join(shared, f));
const KEY = 'sk-upstream-realdata-0123456789';
const SSE = { 'content-type': 'text/event-stream; charset=utf-8' };

let raw: RawServer;
let srv: RunningServer;
const rows: ServeLogRow[] = [];

function loaded(): LoadedConfig {
  return {
    files: [],
    config: { aliases: { sonnet: 'anthropic:claude-sonnet-4-0', mini: 'openai:gpt-4o-mini' }, default: ['openai:gpt-4o-mini'], models: {}, providers: {}, options: {}, timeouts: {}, retries: { maxRetries: 0 }, rules: [] },
  };
}

beforeAll(async () => {
  raw = await startRawServer();
  const env = { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY, OPENAI_BASE_URL: `${raw.url}/v1`, ANTHROPIC_BASE_URL: raw.url };
  srv = await startServer({
    host: '127.0.0.1', port: 0, policy: {}, maxBodyBytes: 1 << 20, logText: false, onRequest: (r) => rows.push(r),
    route: { loaded: loaded(), rules: [], defaults: { models: ['openai:gpt-4o-mini'], source: 'config' }, env },
    limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, checkEveryMs: 50 },
  });
});
afterAll(async () => {
  await srv?.shutdown(1000);
  await raw?.close();
});

describe.skipIf(!has)('recorded provider streams through mmr serve', () => {
  it('Anthropic tool use (two parallel tool_use blocks) passes through raw; the SDK assembles both calls', async () => {
    raw.respond({ headers: SSE, body: read('streams-next/anthropic/messages-stream-tool-use.sse'), chunkSize: 37 });
    const client = new Anthropic({ baseURL: srv.url, apiKey: 'ignored', maxRetries: 0 });
    const tools = [{ name: 'secret_retrieval_tool', input_schema: { type: 'object' as const, properties: { password: { type: 'string' } } } }];
    const msg = await client.messages.stream({ model: 'sonnet', max_tokens: 16000, tools, messages: [{ role: 'user', content: 'mellon,radiance' }] }).finalMessage();
    expect(msg.content.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use']);
    expect(msg.content[0]).toMatchObject({ text: "I'll retrieve the secrets for both passwords you provided." });
    expect(msg.content.slice(1)).toMatchObject([
      { id: 'toolu_015cUijgET79LXjgeYQerN2h', name: 'secret_retrieval_tool', input: { password: 'mellon' } },
      { id: 'toolu_01XZTimPexA7h3EVKesnKt5T', name: 'secret_retrieval_tool', input: { password: 'radiance' } },
    ]);
    expect(msg.stop_reason).toBe('tool_use');
    const sent = JSON.parse(raw.requests.at(-1)!.body);
    expect(sent).toMatchObject({ model: 'claude-sonnet-4-0', tools, stream: true });
    expect(raw.requests.at(-1)!.headers['x-api-key']).toBe(KEY);
    expect(rows.at(-1)).toMatchObject({ path: 'raw', status: 200, finishReason: 'tool_use', inputTokens: 416, outputTokens: 109 });
    expect(rows.at(-1)!.costUsd).toBeGreaterThan(0);
  });

  it('OpenAI tool calls pass through raw; the usage chunk mmr asked for is kept from a client that did not', async () => {
    raw.respond({ headers: SSE, body: read('streams/openai/chat-stream-tool-calls.sse'), chunkSize: 53 });
    const client = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: 'ignored', maxRetries: 0 });
    const tools = [{ type: 'function' as const, function: { name: 'get_capital', parameters: { type: 'object', properties: { country: { type: 'string' } } } } }];
    const stream = client.chat.completions.stream({ model: 'mini', tools, messages: [{ role: 'user', content: 'capital of the UK?' }] });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    stream.on('chunk', (c) => chunks.push(c));
    const done = await stream.finalChatCompletion();
    expect(done.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_capital', arguments: '{"country":"UK"}' } });
    expect(done.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(JSON.parse(raw.requests.at(-1)!.body).stream_options).toEqual({ include_usage: true });
    expect(rows.at(-1)).toMatchObject({ path: 'raw', finishReason: 'tool_calls', inputTokens: 53, outputTokens: 15 });
  });

  it('a recorded Anthropic answer reaches an OpenAI client on the translated path, usage normalised', async () => {
    raw.respond({ headers: SSE, body: read('streams/anthropic/messages-stream.sse'), chunkSize: 17 });
    const client = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: 'ignored', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'sonnet', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      usage = c.usage ?? usage;
    }
    // As transcribed in SOURCES.md.
    expect(text).toBe('- Captain\n- Scoop');
    expect(usage!.prompt_tokens).toBeGreaterThan(0);
    expect(rows.at(-1)).toMatchObject({ path: 'engine', status: 200, protocol: 'openai', model: 'anthropic:claude-sonnet-4-0' });
  });
});

describe.skipIf(!has)('raw path errors', () => {
  it("the provider refusing mmr's key is a 502 for the client, never a 401 about the client's own key", async () => {
    raw.respond({ status: 401, headers: { 'content-type': 'application/json' }, body: read('streams/anthropic/error-401-invalid-api-key.json') });
    const client = new Anthropic({ baseURL: srv.url, apiKey: 'ignored', maxRetries: 0 });
    const e = await client.messages.create({ model: 'sonnet', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((x) => x);
    expect(e).toBeInstanceOf(Anthropic.APIError);
    expect(e).not.toBeInstanceOf(Anthropic.AuthenticationError);
    expect(e.status).toBe(502);
    expect(e.message).toMatch(/upstream rejected mmr's credentials.*ANTHROPIC_API_KEY/);
    expect(e.headers.get('x-should-retry')).toBe('false');
  });

  it('any other provider error reaches a same-protocol client as the provider sent it', async () => {
    raw.respond({ status: 400, headers: { 'content-type': 'application/json' }, body: read('streams/anthropic/error-400-prompt-too-long.json') });
    const client = new Anthropic({ baseURL: srv.url, apiKey: 'ignored', maxRetries: 0 });
    const e = await client.messages.create({ model: 'sonnet', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((x) => x);
    expect(e).toBeInstanceOf(Anthropic.BadRequestError);
    expect(e.error).toEqual(JSON.parse(read('streams/anthropic/error-400-prompt-too-long.json').toString()));
  });
});

describe.skipIf(!has)('translated path failures', () => {
  it('an upstream that refuses connections is a 502 naming the address; a stream cut mid-answer is an in-stream error', async () => {
    const port = await closedPort();
    const dead = await startServer({
      host: '127.0.0.1', port: 0, policy: {}, maxBodyBytes: 1 << 20, logText: false,
      route: { loaded: loaded(), rules: [], defaults: { models: [], source: 'config' }, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` } },
    });
    try {
      const client = new OpenAI({ baseURL: `${dead.url}/v1`, apiKey: 'ignored', maxRetries: 0 });
      const e = await client.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'x' }] }).catch((x) => x);
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect(e.status).toBe(502);
      expect(e.message).toMatch(new RegExp(`connection refused at 127\\.0\\.0\\.1:${port}`));
    } finally {
      await dead.shutdown(100);
    }
    const recorded = read('streams/anthropic/messages-stream.sse');
    raw.respond({ headers: SSE, body: recorded, chunkSize: 40, delayMs: 5, destroyAfterBytes: recorded.indexOf('content_block_stop') });
    const client = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: 'ignored', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'sonnet', stream: true, messages: [{ role: 'user', content: 'x' }] });
    let text = '';
    const err = await (async () => {
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    })().catch((x) => x);
    expect(text).toBe('- Captain\n- Scoop');
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.message).toMatch(/connection closed mid-stream|stream ended/);
  });
});

describe.skipIf(!has)('raw path retries', () => {
  it('waits the Retry-After of a 429 and asks again before anything reaches the client', async () => {
    const retrying = await startServer({
      host: '127.0.0.1', port: 0, policy: {}, maxBodyBytes: 1 << 20, logText: false, onRequest: (r) => rows.push(r),
      route: { loaded: { ...loaded(), config: { ...loaded().config, retries: { maxRetries: 1 } } }, rules: [], defaults: { models: [], source: 'config' }, env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${raw.url}/v1` } },
    });
    try {
      raw.respond([
        { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '0.3' }, body: read('streams/openai/error-429-request-too-large-tpm.json').toString().replace(/Request too large/g, 'Rate limited') },
        { headers: SSE, body: read('streams/openai/chat-stream-usage.sse'), chunkSize: 64 },
      ]);
      const before = raw.requests.length;
      const client = new OpenAI({ baseURL: `${retrying.url}/v1`, apiKey: 'ignored', maxRetries: 0 });
      const started = performance.now();
      const stream = await client.chat.completions.create({ model: 'mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'count' }] });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      expect(text).toBe('1, 2, 3, 4, 5');
      expect(raw.requests.length - before).toBe(2);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      expect(rows.at(-1)).toMatchObject({ path: 'raw', status: 200, inputTokens: 14, outputTokens: 13 });
    } finally {
      await retrying.shutdown(100);
    }
  });
});

describe('slow clients', () => {
  it('does not cut a long answer: the request timeout covers receiving the request, not the stream', async () => {
    const body = ['event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}\n\n',
      ...Array.from({ length: 8 }, (_, i) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${i}"}}\n\n`),
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":8}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n'].join('');
    raw.respond({ headers: SSE, body, splitAt: [...body.matchAll(/event: /g)].map((m) => m.index!).filter(Boolean), delayMs: 120 });
    const client = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: 'ignored', maxRetries: 0 });
    const started = performance.now();
    const stream = await client.chat.completions.create({ model: 'sonnet', stream: true, messages: [{ role: 'user', content: 'slowly' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toBe('01234567');
    expect(performance.now() - started).toBeGreaterThan(900); // longer than the 600 ms request timeout
  });

  it('closes a connection whose headers never finish (slowloris) within the headers timeout', async () => {
    const port = Number(new URL(srv.url).port);
    const sock = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const started = performance.now();
    const reply = await new Promise<string>((resolve) => {
      let got = '';
      sock.on('data', (d) => (got += d.toString()));
      sock.on('close', () => resolve(got));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('closes a request whose body trickles in past the request timeout', async () => {
    const port = Number(new URL(srv.url).port);
    const sock = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":');
    const closed = await new Promise<string>((resolve) => {
      let got = '';
      sock.on('data', (d) => (got += d.toString()));
      sock.on('close', () => resolve(got));
    });
    expect(closed).toMatch(/^HTTP\/1\.1 408/);
  });
});
