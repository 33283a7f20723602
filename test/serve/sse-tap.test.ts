/**
 * The raw path's tap over real recorded streams (../shared/realdata, read in place), cut into
 * reads of every size from 1 byte up: the bytes sent on are exactly the bytes that came in (or,
 * when mmr asked for the usage chunk and the client did not, exactly those minus that event), and
 * usage, finish reason and ttft are read the same however the reads fall.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SseTap } from '../../src/serve/sse-tap.js';
import type { ClientProtocol } from '../../src/serve/types.js';

const shared = path.resolve(import.meta.dirname, '../../../shared/realdata/streams');
const has = fs.existsSync(path.join(shared, 'SOURCES.md'));
const read = (f: string) => fs.readFileSync(path.join(shared, f));

function run(body: Buffer, protocol: ClientProtocol, size: number, drop = false) {
  const tap = new SseTap(protocol, performance.now(), drop);
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const chunk = body.subarray(i, i + size);
    const sent = tap.push(chunk);
    // Passing through, every read goes on as the very buffer that came in.
    if (!drop) expect(sent).toBe(chunk);
    out.push(sent);
  }
  const rest = tap.end();
  if (rest) out.push(rest);
  return { tap, sent: Buffer.concat(out) };
}

const SIZES = [1, 2, 3, 7, 40, 64, 257, 4096, 1 << 20];
const crlf = (b: Buffer) => Buffer.from(b.toString('utf8').replace(/\n/g, '\r\n'));

describe.skipIf(!has)('SseTap on recorded streams', () => {
  it.each(SIZES)('OpenAI chat stream with usage, reads of %i bytes: bytes unchanged, usage and finish read', (size) => {
    const body = read('openai/chat-stream-usage.sse');
    for (const b of [body, crlf(body)]) {
      const { tap, sent } = run(b, 'openai', size);
      expect(sent.equals(b)).toBe(true);
      expect(tap.usage).toMatchObject({ inputTokens: 14, outputTokens: 13 });
      expect(tap.finish).toBe('stop');
      expect(tap.ttftMs).not.toBeNull();
    }
  });

  it.each(SIZES)('drops exactly the usage chunk mmr asked for, reads of %i bytes', (size) => {
    const body = read('openai/chat-stream-usage.sse');
    const text = body.toString('utf8');
    const events = text.split('\n\n');
    const usageEvent = events.findIndex((e) => e.includes('"choices":[]'));
    expect(usageEvent).toBeGreaterThan(0);
    const expected = Buffer.from(events.filter((_, i) => i !== usageEvent).join('\n\n'));
    for (const [b, want] of [[body, expected], [crlf(body), crlf(expected)]]) {
      const { tap, sent } = run(b, 'openai', size, true);
      expect(sent.toString('utf8')).toBe(want.toString('utf8'));
      expect(tap.usage).toMatchObject({ inputTokens: 14, outputTokens: 13 });
      expect(tap.finish).toBe('stop');
    }
  });

  it.each([1, 5, 64, 1 << 20])('reasoning before content (Ollama), reads of %i bytes: ttft at the first reasoning text', (size) => {
    const body = read('ollama/v1-chat-stream-usage.sse');
    const { tap, sent } = run(body, 'openai', size);
    expect(sent.equals(body)).toBe(true);
    expect(tap.usage).toMatchObject({ inputTokens: 17, outputTokens: 289 });
    expect(tap.finish).toBe('stop');
    expect(tap.ttftMs).not.toBeNull();
  });

  it('tool calls count as the first content', () => {
    const { tap } = run(read('openai/chat-stream-tool-calls.sse'), 'openai', 50);
    expect(tap.ttftMs).not.toBeNull();
    expect(tap.finish).toBe('tool_calls');
  });

  it.each(SIZES)('Anthropic stream, reads of %i bytes: output tokens from message_delta (cumulative), stop reason', (size) => {
    const body = read('anthropic/messages-stream.sse');
    for (const b of [body, crlf(body)]) {
      const { tap, sent } = run(b, 'anthropic', size);
      expect(sent.equals(b)).toBe(true);
      expect(tap.usage).toMatchObject({ inputTokens: 17, outputTokens: 10 });
      expect(tap.finish).toBe('end_turn');
      expect(tap.ttftMs).not.toBeNull();
    }
  });
});

describe('SseTap edge cases', () => {
  it('no content yet means no ttft; text that only quotes the markers is not mistaken for them', () => {
    const role = 'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n';
    const quoted = 'data: {"choices":[{"index":0,"delta":{"content":"say \\"usage\\":{ and \\"finish_reason\\":\\"x"},"finish_reason":null}]}\n\n';
    const tap = new SseTap('openai', performance.now());
    tap.push(Buffer.from(role));
    expect(tap.ttftMs).toBeNull();
    tap.push(Buffer.from(quoted));
    expect(tap.ttftMs).not.toBeNull();
    expect(tap.usage).toBeNull();
    expect(tap.finish).toBeNull();
  });

  it('an event that never ends is not held past 1 MiB when dropping, and nothing is lost', () => {
    const tap = new SseTap('openai', performance.now(), true);
    const big = Buffer.alloc(3 << 19, 'a'); // 1.5 MiB with no blank line
    const head = Buffer.from('data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}\n\ndata: ');
    const out = [tap.push(head), tap.push(big.subarray(0, 1 << 19)), tap.push(big.subarray(1 << 19)), tap.push(Buffer.from('\n\n'))];
    const rest = tap.end();
    const sent = Buffer.concat([...out, ...(rest ? [rest] : [])]);
    expect(tap.usage).toMatchObject({ inputTokens: 1, outputTokens: 2 });
    // The usage chunk is dropped; everything after it reaches the client.
    expect(sent.length).toBe('data: '.length + big.length + 2);
    expect(out[2].length).toBeGreaterThan(1 << 20);
  });

  it('finds usage and finish at the end of a long stream (after megabytes of content)', () => {
    const delta = (t: string) => `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(t)}},"finish_reason":null}]}\n\n`;
    // Text that quotes the markers early must not count: only the real events at the end do.
    const body = Buffer.from(
      delta('"finish_reason":"fake" "usage":{"prompt_tokens":99}') +
        delta('x'.repeat(200)).repeat(10_000) +
        'data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}\n\n' +
        'data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":10001}}\n\ndata: [DONE]\n\n',
    );
    for (const size of [1000, 65_536]) {
      const { tap } = run(body, 'openai', size);
      expect(tap.finish).toBe('length');
      expect(tap.usage).toMatchObject({ inputTokens: 4, outputTokens: 10001 });
    }
  });

  it('reads a whole (non-streamed) answer', () => {
    const tap = new SseTap('anthropic', performance.now());
    tap.readWhole(JSON.stringify({ stop_reason: 'max_tokens', usage: { input_tokens: 5, output_tokens: 7 } }));
    expect(tap.usage).toMatchObject({ inputTokens: 5, outputTokens: 7 });
    expect(tap.finish).toBe('max_tokens');
  });
});
