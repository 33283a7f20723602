/**
 * Compares the mock server's output with real recorded provider traffic (../shared/realdata),
 * shape for shape. Skipped when the recordings are absent (a fresh clone).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { chat, parseSse, post } from './helpers.js';

const REAL = fileURLToPath(new URL('../../../shared/realdata/streams/', import.meta.url));
const real = (file: string) => readFileSync(REAL + file, 'utf8');
const NEXT = fileURLToPath(new URL('../../../shared/realdata/streams-next/', import.meta.url));
const realNext = (file: string) => readFileSync(NEXT + file, 'utf8');

/** Every key path in a JSON value (arrays collapse to `[]`), for shape comparison. */
function shape(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => shape(x, `${prefix}[]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [`${prefix}.${k}`, ...shape(x, `${prefix}.${k}`)]);
  return [];
}
const keys = (v: unknown) => [...new Set(shape(v))].sort();

let server: MockServer;

describe.skipIf(!existsSync(REAL))('fidelity with recorded provider traffic', () => {
  beforeAll(async () => {
    server = await startMockServer({
      reply: ({ model }) =>
        model === 'auth' ? { status: 400 } : { text: 'Hello there, friend.', usage: { input: 14, output: 13 }, reasoning: model.includes('think') ? 'hmm' : undefined },
      apiKey: 'good',
    });
  });
  afterAll(() => server.close());

  it('openai: chunks have the recorded keys (role chunk, content chunk, finish chunk, usage chunk)', async () => {
    const recorded = parseSse(real('openai/chat-stream-usage.sse')).filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data));
    const body = chat('Count', { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } });
    const mine = parseSse(await (await post(`${server.baseUrls.openai}/chat/completions`, body, { authorization: 'Bearer good' })).text())
      .filter((e) => e.data !== '[DONE]')
      .map((e) => JSON.parse(e.data));
    for (const i of [0, 1, -2, -1]) expect(keys(mine.at(i))).toEqual(keys(recorded.at(i)));
  });

  it('openai: the 401 error body has the recorded shape', async () => {
    const res = await post(`${server.baseUrls.openai}/chat/completions`, chat('x', { model: 'm' }), { authorization: 'Bearer bad-key-123456789' });
    expect(keys(await res.json())).toEqual(keys(JSON.parse(real('openai/error-401-invalid-api-key.json'))));
  });

  it('anthropic: same event names in the same order, same keys per event', async () => {
    const recorded = parseSse(real('anthropic/messages-stream.sse'));
    const body = chat('pelican', { model: 'claude-haiku-4-5', stream: true, max_tokens: 100 });
    const mine = parseSse(await (await post(`${server.baseUrls.anthropic}/v1/messages`, body, { 'x-api-key': 'good' })).text());
    const collapse = (names: (string | undefined)[]) => names.filter((n, i) => n !== 'content_block_delta' || names[i - 1] !== n);
    expect(collapse(mine.map((e) => e.event))).toEqual(collapse(recorded.map((e) => e.event)));
    const ignore = (k: string) => !k.includes('inference_geo');
    for (const name of ['message_start', 'content_block_start', 'content_block_delta', 'message_delta', 'message_stop']) {
      const a = JSON.parse(mine.find((e) => e.event === name)!.data);
      const b = JSON.parse(recorded.find((e) => e.event === name)!.data);
      expect(keys(a)).toEqual(keys(b).filter(ignore));
    }
    expect(mine.find((e) => e.event === 'ping')!.data).toBe(recorded.find((e) => e.event === 'ping')!.data);
  });

  it('anthropic: the error bodies have the recorded shapes', async () => {
    const res = await post(`${server.baseUrls.anthropic}/v1/messages`, chat('x', { model: 'c' }), { 'x-api-key': 'bad' });
    expect(keys(await res.json())).toEqual(keys(JSON.parse(real('anthropic/error-401-invalid-api-key.json'))));
  });

  it('gemini: CRLF framing, the recorded chunk keys, and the exact API_KEY_INVALID body', async () => {
    const recorded = real('gemini/stream-alt-sse-thoughts.sse');
    const url = `${server.baseUrls.gemini}/models/gemini-2.5-flash-think:streamGenerateContent?alt=sse`;
    const request = { contents: [{ role: 'user', parts: [{ text: 'Count' }] }] };
    const mine = await (await post(url, request, { 'x-goog-api-key': 'good' })).text();
    const chunks = (s: string) => s.split('\r\n\r\n').filter(Boolean).map((b) => JSON.parse(b.slice(6)));
    const serviceTier = (k: string) => !k.includes('serviceTier');
    expect(keys(chunks(mine).at(-1))).toEqual(keys(chunks(recorded).at(-1)).filter(serviceTier));
    expect(mine.slice(0, 30)).toBe(recorded.slice(0, 30));
    const bad = await post(url, request, { 'x-goog-api-key': 'wrong' });
    expect(bad.headers.get('content-type')).toBe('text/event-stream');
    expect(await bad.text()).toBe(real('gemini/error-400-api-key-invalid-alt-sse.json'));
  });

  it('ollama: NDJSON lines have the recorded keys', async () => {
    const recorded = real('ollama/api-chat-stream.ndjson').trim().split('\n').map((l) => JSON.parse(l));
    const mine = (await (await post(`${server.baseUrls.ollama}/api/chat`, chat('Count', { model: 'llama3.2' }))).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(keys(mine[0])).toEqual(keys(recorded[0]));
    expect(keys(mine.at(-1))).toEqual(keys(recorded.at(-1)));
  });

  it("ollama /v1: reasoning chunks have the recorded keys of Ollama's OpenAI-compatible stream", async () => {
    const recorded = parseSse(real('ollama/v1-chat-stream-usage.sse')).filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data));
    const body = chat('Count', { model: 'qwen3-think', stream: true, stream_options: { include_usage: true } });
    const mine = parseSse(await (await post(`${server.baseUrls.ollama}/v1/chat/completions`, body)).text())
      .filter((e) => e.data !== '[DONE]')
      .map((e) => JSON.parse(e.data));
    for (const i of [0, -3, -2, -1]) expect(keys(mine.at(i))).toEqual(keys(recorded.at(i)));
  });

  it.skipIf(!existsSync(NEXT))('responses: the recorded event sequence, and the recorded keys of a delta and of response.completed', async () => {
    const recorded = parseSse(realNext('openai/responses-stream-text.sse'));
    const body = { model: 'gpt-4o', input: [{ role: 'user', content: 'What is 4200 + 42?' }], stream: true };
    const mine = parseSse(await (await post(`${server.baseUrls['openai-responses']}/responses`, body, { authorization: 'Bearer good' })).text());
    const collapse = (names: (string | undefined)[]) => names.filter((n, i) => n !== names[i - 1] || !n?.endsWith('.delta'));
    expect(collapse(mine.map((e) => e.event))).toEqual(collapse(recorded.map((e) => e.event)));
    for (const name of ['response.created', 'response.output_item.added', 'response.output_text.delta', 'response.output_item.done', 'response.completed']) {
      const a = JSON.parse(mine.find((e) => e.event === name)!.data);
      const b = JSON.parse(recorded.find((e) => e.event === name)!.data);
      expect(keys(a), name).toEqual(keys(b));
    }
    // No [DONE]: the stream ends with response.completed.
    expect(mine.at(-1)!.event).toBe('response.completed');
  });

  it.skipIf(!existsSync(NEXT))("azure: the prompt-filter first chunk, content_filter_results on choices, and the usage chunk have the recorded keys", async () => {
    const recorded = parseSse(realNext('openai-compatible/azure-foundry-gpt-5-nano-stream.sse')).filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data));
    const body = chat('mirror', { stream: true, stream_options: { include_usage: true } });
    const url = `${server.baseUrls.azure}/openai/deployments/gpt-5-nano/chat/completions?api-version=2024-10-21`;
    const mine = parseSse(await (await post(url, body, { 'api-key': 'good' })).text())
      .filter((e) => e.data !== '[DONE]')
      .map((e) => JSON.parse(e.data));
    const noLatency = (k: string) => !k.startsWith('.latency_checkpoint');
    for (const i of [0, 1, 2, -2]) expect(keys(mine.at(i)), `chunk ${i}`).toEqual(keys(recorded.at(i)));
    expect(keys(mine.at(-1))).toEqual(keys(recorded.at(-1)).filter(noLatency));
    expect(mine[0]).toMatchObject({ choices: [], id: '', model: '', created: 0 });
  });
});

