/**
 * Whatever a server sends, one answer holds bounded memory and ends: endless valid deltas, a line
 * that never ends, `data:` lines that never make an event, and compressed bodies that inflate
 * without end all stop with a clear error event at their limit. Real HTTP on 127.0.0.1.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockReply, type MockServer } from '../../src/mock-server/index.js';
import { DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_BODY_BYTES, formatSize, limitsFor, MAX_EVENT_CHARS } from '../../src/providers/limits.js';
import type { ProviderSpec } from '../../src/providers/provider.js';
import { collect, errorOf, outcome, specFor, type HttpProtocol } from './support.js';

let server: MockServer;
let reply: MockReply = {};
beforeAll(async () => {
  server = await startMockServer({ reply: () => reply });
});
afterAll(() => server.close());

const PROTOCOLS: HttpProtocol[] = ['openai', 'anthropic', 'gemini', 'ollama'];
const KiB = 1024;
const MiB = 1024 * KiB;
const mockSpec = (protocol: HttpProtocol, limits: ProviderSpec['limits']): ProviderSpec => {
  const base = server.baseUrls[protocol];
  return { ...specFor(protocol, ''), baseUrl: base, limits };
};
const shownBytes = (events: Awaited<ReturnType<typeof collect>>) =>
  events.reduce((n, e) => n + (e.type === 'text-delta' ? Buffer.byteLength(e.text) : 0), 0);

describe('limits', () => {
  it('defaults: 32 MiB per answer, 512 MiB per body, 8 Mi characters per line or event', () => {
    expect(limitsFor({})).toEqual({ maxAnswerBytes: 32 * MiB, maxBodyBytes: 512 * MiB, maxEventChars: 8 * MiB });
    expect([DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_BODY_BYTES, MAX_EVENT_CHARS]).toEqual([32 * MiB, 512 * MiB, 8 * MiB]);
    expect(limitsFor({ limits: { maxBodyBytes: 64 * KiB } }).maxEventChars).toBe(64 * KiB);
    expect([formatSize(32 * MiB), formatSize(1500), formatSize(3 * 2 ** 30)]).toEqual(['32 MiB', '1,500 bytes', '3 GiB']);
  });

  it.each(PROTOCOLS)('%s: an endless stream of valid deltas ends at limits.maxAnswerBytes', async (protocol) => {
    reply = { flood: 'deltas', text: 'spam spam ' };
    const events = await collect(protocol, mockSpec(protocol, { maxAnswerBytes: 256 * KiB }));
    const error = errorOf(events);
    expect(error).toMatchObject({ kind: 'bad-response', code: 'answer-too-large', retryable: false, status: null });
    expect(error.message).toBe(`${mockSpec(protocol, {}).id}: the answer exceeded 256 KiB (limits.maxAnswerBytes); stopped reading`);
    expect(error.hint).toMatch(/limits\.maxAnswerBytes/);
    const shown = shownBytes(events);
    expect(shown).toBeLessThanOrEqual(256 * KiB);
    expect(shown).toBeGreaterThan(255 * KiB);
  });

  it.each(['openai', 'ollama'] as const)('%s: one line that never ends stops at the line limit', async (protocol) => {
    reply = { flood: 'line' };
    const error = errorOf(await collect(protocol, mockSpec(protocol, undefined)));
    expect(error).toMatchObject({ kind: 'bad-response', code: 'event-too-large' });
    expect(error.message).toMatch(/one line of the response exceeded 8 MiB \(8,388,608 characters\); stopped reading$/);
  });

  it('SSE data: lines with no blank line between them stop at the event limit', async () => {
    reply = { flood: 'data-lines' };
    const error = errorOf(await collect('anthropic', mockSpec('anthropic', undefined)));
    expect(error).toMatchObject({ code: 'event-too-large' });
    expect(error.message).toMatch(/one event of the response exceeded 8 MiB/);
  });

  it.each([
    ['gzip', 'openai'],
    ['br', 'anthropic'],
    ['deflate', 'ollama'],
  ] as const)('a %s bomb (keep-alives that inflate without end) stops at limits.maxBodyBytes (%s)', async (encoding, protocol) => {
    reply = { flood: 'keepalive', encoding };
    const error = errorOf(await collect(protocol, mockSpec(protocol, { maxBodyBytes: 4 * MiB })));
    expect(error).toMatchObject({ kind: 'bad-response', code: 'body-too-large', retryable: false });
    expect(error.message).toMatch(new RegExp(`the response body exceeded 4 MiB after ${encoding} decompression; stopped reading$`));
    expect(error.hint).toMatch(/limits\.maxBodyBytes/);
  });

  it('a compressed answer of ordinary size still reads as usual', async () => {
    reply = { text: 'compressed but fine', encoding: 'gzip' };
    for (const protocol of PROTOCOLS) expect(outcome(await collect(protocol, mockSpec(protocol, undefined))).text).toBe('compressed but fine');
  });

  it('a complete JSON answer is read whole up to the event limit, and refused past it', async () => {
    const text = 'long '.repeat(80_000); // 400 KB: more than an error page, far less than the limit
    const completion = (content: string) => JSON.stringify({ choices: [{ message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2 } });
    reply = { raw: completion(text), headers: { 'content-type': 'application/json' } };
    expect(outcome(await collect('openai', mockSpec('openai', undefined))).text).toBe(text);
    reply = { raw: gzipSync(completion('x'.repeat(MAX_EVENT_CHARS))), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } };
    const error = errorOf(await collect('openai', mockSpec('openai', undefined)));
    expect(error).toMatchObject({ code: 'event-too-large' });
    expect(error.message).toMatch(/one JSON body of the response exceeded 8 MiB/);
  });

  it('keeps the server answering other requests while a flood is cut off', async () => {
    reply = { flood: 'deltas' };
    const flooded = collect('openai', mockSpec('openai', { maxAnswerBytes: 64 * KiB }));
    expect(errorOf(await flooded).code).toBe('answer-too-large');
    reply = { text: 'next' };
    expect(outcome(await collect('openai', mockSpec('openai', undefined))).text).toBe('next');
  });
});
