/**
 * mmr serve's edges, against the built binary: a client that goes away, SIGTERM with answers in
 * flight, tokens on a non-loopback bind, requests from web pages, oversized bodies, and the
 * request log with its stats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startMockServer, type MockReply, type MockRequestInfo, type MockServer } from '../../src/mock-server/index.js';
import { mmr } from '../helpers/cli.js';
import { CONFIG, KEY, serve, type Served } from './harness.js';

let mock: MockServer;
let script: (req: MockRequestInfo) => MockReply = () => ({ text: 'ok' });
const running: Served[] = [];
const start = async (args: string[] = [], env: Record<string, string> = {}) => {
  const s = await serve(mock, CONFIG, args, env);
  running.push(s);
  return s;
};
const long = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `).join('');

beforeAll(async () => {
  mock = await startMockServer({ apiKey: KEY, reply: (r) => script(r) });
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await mock.close();
});

describe('client disconnect and shutdown', () => {
  it.each([
    ['translated', 'claude', 'anthropic'],
    ['raw', 'fast', 'openai'],
  ])('aborts the upstream request when the client goes away mid-stream (%s path)', async (_path, model, protocol) => {
    script = () => ({ text: long(200), deltaChars: 4, chunkDelayMs: 20 });
    const s = await start();
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'go' }] });
    let got = '';
    for await (const c of stream) {
      got += c.choices[0]?.delta?.content ?? '';
      if (got.length > 8) break; // leaving the loop aborts the response
    }
    const up = mock.requests.at(-1)!;
    expect(up.protocol).toBe(protocol);
    await expect.poll(() => up.closedEarly, { timeout: 5000 }).toBe(true);
  });

  it('on SIGTERM finishes the streams in flight, refuses new connections, then exits 0', async () => {
    script = () => ({ text: long(60), deltaChars: 6, chunkDelayMs: 15 });
    const s = await start(['--drain-timeout', '10000']);
    const client = new Anthropic({ baseURL: s.url, apiKey: 'x', maxRetries: 0 });
    const stream = client.messages.stream({ model: 'fast', max_tokens: 100, messages: [{ role: 'user', content: 'go' }] });
    await new Promise<void>((resolve) => stream.once('text', () => resolve()));
    s.proc.kill('SIGTERM');
    const msg = await stream.finalMessage();
    expect(msg.content[0]).toMatchObject({ type: 'text', text: long(60) });
    expect(msg.stop_reason).toBe('end_turn');
    expect((await s.proc).exitCode).toBe(0);
    const after = await fetch(`${s.url}/mmr/health`).catch((e) => e);
    expect(after).toBeInstanceOf(Error);
    expect(s.stderr()).toMatch(/SIGTERM: finishing 1 in-flight request/);
  });

  it('cuts streams still running when the drain timeout passes, with an in-stream error, and exits 143', async () => {
    script = () => ({ text: long(400), deltaChars: 2, chunkDelayMs: 50 });
    const s = await start(['--drain-timeout', '300']);
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'claude', stream: true, messages: [{ role: 'user', content: 'go' }] });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    s.proc.kill('SIGTERM');
    const err = await (async () => {
      for (;;) if ((await it.next()).done) return null;
    })().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.message).toMatch(/shutting down/);
    expect((await s.proc).exitCode).toBe(143);
  });
});

describe('start-up errors', () => {
  it('a port in use and a broken config are usage errors (exit 2) that say what to do', async () => {
    const s = await start();
    const port = new URL(s.url).port;
    const r = await mmr(['serve', '--port', port], { env: s.env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    expect(r.stderr).toMatch(/--port \(0 = any free port\)/);
    const bad = await mmr(['serve', '--port', '0', '--config', '/nonexistent/mmr.yaml'], { env: s.env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toBe('');
  });
});

describe('access', () => {
  it('refuses to bind a non-loopback address without a token', async () => {
    const { env } = await (await import('./harness.js')).upstreamEnv(mock);
    const r = await mmr(['serve', '--host', '0.0.0.0', '--port', '0'], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
    expect(r.stderr).toMatch(/MMR_SERVE_TOKEN/);
  });

  it('bound to all interfaces with a token, every request must present it (bearer or x-api-key)', async () => {
    const token = 'tok-0123456789abcdef-serve';
    script = () => ({ text: 'secret answer', usage: { input: 3, output: 2 } });
    const s = await start(['--host', '0.0.0.0'], { MMR_SERVE_TOKEN: token });
    // All interfaces include loopback: the test's traffic stays on 127.0.0.1.
    const base = s.url.replace('0.0.0.0', '127.0.0.1');
    const bad = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'wrong-token', maxRetries: 0 });
    const e = await bad.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] }).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    const badA = new Anthropic({ baseURL: base, apiKey: 'wrong-token', maxRetries: 0 });
    expect(await badA.messages.create({ model: 'fast', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((x) => x)).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((await fetch(`${base}/mmr/stats`)).status).toBe(401);
    const good = new OpenAI({ baseURL: `${base}/v1`, apiKey: token, maxRetries: 0 });
    expect((await good.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] })).choices[0].message.content).toBe('secret answer');
    const goodA = new Anthropic({ baseURL: base, apiKey: token, maxRetries: 0 });
    expect((await goodA.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).content[0]).toMatchObject({ text: 'secret answer' });
    // The token is mmr's; the provider only ever sees mmr's own key.
    expect(mock.requests.at(-1)!.headers['x-api-key']).toBe(KEY);
  });

  it('on loopback without a token, refuses requests from web pages and rebound host names', async () => {
    const s = await start();
    const body = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'x' }] });
    const origin = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, body });
    expect(origin.status).toBe(403);
    expect(((await origin.json()) as any).error.message).toMatch(/web pages/);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${s.url}/v1/models`, { headers: { host: 'rebind.evil.example:8787' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject).end();
    });
    expect(status).toBe(403);
  });

  it('refuses a body over --max-body-mb with 413 before reading it all', async () => {
    const s = await start(['--max-body-mb', '0.01']);
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const e = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x'.repeat(20_000) }] }).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.APIError);
    expect(e.status).toBe(413);
    expect(e.message).toMatch(/exceeds 10 KiB/);
  });
});

describe('request log and stats', () => {
  it('logs one row per request (0600 in a 0700 dir), no text without --log-text, and --stats sums it per model and rule', async () => {
    script = (r) => ({ text: `from ${r.model}`, usage: { input: 10, output: 4 } });
    const s = await start();
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await client.chat.completions.create({ model: 'mmr/auto', messages: [{ role: 'user', content: 'a poem, privately' }] });
    await client.chat.completions.create({ model: 'mmr/auto', messages: [{ role: 'user', content: 'sql, privately' }] });
    await client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
    const live = (await (await fetch(`${s.url}/mmr/stats`)).json()) as any;
    expect(live.total.requests).toBe(3);
    expect(live.byRoute['rule:to-anthropic']).toMatchObject({ requests: 1, errors: 0, inputTokens: 10, outputTokens: 4 });
    expect(await s.stop()).toBe(0);

    const file = path.join(s.env.XDG_DATA_HOME, 'mmr', 'serve.jsonl');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/privately/);
    const rows = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.status, r.route, r.model])).toEqual([
      [200, 'rule:to-anthropic', 'anthropic:claude-haiku-4-5'],
      [200, 'rule:to-openai', 'openai:gpt-4o-mini'],
      [400, null, null],
    ]);
    expect(rows[0]).toMatchObject({ kind: 'serve', protocol: 'openai', requested: 'mmr/auto', inputTokens: 10, outputTokens: 4, path: 'engine' });
    expect(rows[0].costUsd).toBeGreaterThan(0);

    const stats = await mmr(['serve', '--stats', '--json'], { env: s.env });
    expect(stats.exitCode).toBe(0);
    const doc = JSON.parse(stats.stdout);
    expect(doc.total).toMatchObject({ requests: 3, errors: 1 });
    expect(Object.keys(doc.byModel)).toEqual(expect.arrayContaining(['anthropic:claude-haiku-4-5', 'openai:gpt-4o-mini']));
    const table = await mmr(['serve', '--stats'], { env: s.env });
    expect(table.stdout).toMatch(/^rule:to-openai\s+1\s+0\s/m);
  });

  it('with --log-text keeps prompt, system, earlier turns and answer, as routing evidence', async () => {
    script = () => ({ text: 'the answer', usage: { input: 10, output: 4 } });
    const s = await start(['--log-text']);
    const client = new Anthropic({ baseURL: s.url, apiKey: 'x', maxRetries: 0 });
    await client.messages.create({ model: 'fast', max_tokens: 20, system: 'sys', messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'second' }] });
    await s.stop();
    const row = JSON.parse(readFileSync(path.join(s.env.XDG_DATA_HOME, 'mmr', 'serve.jsonl'), 'utf8').trim().split('\n').at(-1)!);
    expect(row).toMatchObject({ prompt: 'second', system: 'sys', context: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }], answer: 'the answer', model: 'openai:gpt-4o-mini' });
    expect(typeof row.latencyMs).toBe('number');
  });
});
