/**
 * A cache entry read by the fast path (mmr's own layout, straight from the bytes) means exactly
 * what JSON.parse and validEntry make of it; every other entry goes the general way, and an
 * invalid one is still refused.
 */
import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeRecord } from '../../src/bench/cache-record.js';
import { fastEntry } from '../../src/bench/cache-entry-fast.js';
import { validEntry } from '../../src/bench/cache.js';

const KEY = 'a'.repeat(64);

/** The record line's bytes for an entry written as `json` (no newline). */
const record = (json: string) => Buffer.from(`{"k":"${KEY}","t":1,"v":${json}}`, 'utf8');
const general = (json: string) => {
  try {
    return validEntry(JSON.parse(json));
  } catch {
    return null;
  }
};

const entry = { text: 'The answer is 4.', finishReason: 'stop', usage: { inputTokens: 30, outputTokens: 8 }, costUsd: 0.000009299999999999999, latencyMs: 7.0687730000000215, ttftMs: 6.658480999999995, attempts: 1 };

describe('cache entries', () => {
  const written: [string, unknown][] = [
    ['a plain answer', entry],
    ['non-ASCII text', { ...entry, text: 'Größe: 4 — ☃ 𝄞' }],
    ['text with quotes, backslashes and newlines (escaped: the general path)', { ...entry, text: 'say "hi"\\n\n\t\u0001' }],
    ['no usage, unknown cost, no timing', { ...entry, finishReason: null, usage: null, costUsd: null, latencyMs: null, ttftMs: null, attempts: 3 }],
    ['usage with an unknown count', { ...entry, usage: { inputTokens: null, outputTokens: 12 } }],
    ['numbers of every form', { ...entry, costUsd: 1e-7, latencyMs: 123456789012345, ttftMs: 1.5e300, attempts: 2 }],
    ['a batch answer', { ...entry, batch: 'batch_123' }],
    ['an empty answer', { ...entry, text: '' }],
  ];
  for (const [name, value] of written) {
    it(`as mmr writes it: ${name}`, () => {
      const line = encodeRecord(KEY, 1, value);
      const buf = Buffer.from(line.slice(0, -1), 'utf8');
      expect(decodeEntry(buf, 0, buf.length)).toEqual(validEntry(value));
    });
  }

  it('takes the fast path for the entries a run writes', () => {
    const json = JSON.stringify(entry);
    const buf = record(json);
    const from = buf.indexOf('"v":') + 4;
    expect(fastEntry(buf, from, buf.length - 1)).toEqual(entry);
  });

  const odd = [
    '{"text":"a","finishReason":"stop","usage":{"inputTokens":1,"outputTokens":2},"costUsd":0,"latencyMs":1,"ttftMs":1,"attempts":1.0}',
    '{"text":"a","finishReason":"stop","usage":{"inputTokens":1,"outputTokens":2},"costUsd":-0,"latencyMs":1E2,"ttftMs":0.5e-3,"attempts":1}',
    '{"text":"a","finishReason":"stop","usage":{"inputTokens":1,"outputTokens":2},"costUsd":-1,"latencyMs":1,"ttftMs":1,"attempts":1}',
    '{"text":"a","finishReason":"stop","usage":{"inputTokens":1,"outputTokens":2},"costUsd":1e400,"latencyMs":1,"ttftMs":1,"attempts":1}',
    '{"text":"a","finishReason":"stop","usage":{"inputTokens":1,"outputTokens":2},"costUsd":01,"latencyMs":1,"ttftMs":1,"attempts":1}',
    '{"text":"a","finishReason":"stop","usage":{"inputTokens":1,"outputTokens":2},"costUsd":1.,"latencyMs":1,"ttftMs":1,"attempts":1}',
    '{"text":"a","finishReason":"stop","usage":{"inputTokens":1,"outputTokens":2},"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":0}',
    '{"text":"a","finishReason":"stop","usage":{"inputTokens":1,"outputTokens":2},"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":1,"extra":true}',
    '{"text":"a","finishReason":"stop","usage":{"inputTokens":1,"outputTokens":2},"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":1,"text":"b"}',
    '{"text":"a","finishReason":7,"usage":null,"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":1}',
    '{"text":"tab\there","finishReason":"stop","usage":null,"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":1}',
    '{"text":"a\\u0041","finishReason":"stop","usage":null,"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":1}',
    '{"text":"a","finishReason":"stop","usage":[],"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":1}',
    '{"text":"a","finishReason":"stop","usage":{"inputTokens":"1","outputTokens":2},"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":1}',
    '{ "text":"a","finishReason":"stop","usage":null,"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":1}',
    '{"text":"a","finishReason":"stop","usage":null,"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":1',
    '{"text":"a","finishReason":"stop","usage":null,"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":}',
    '{"text":"a","finishReason":"stop","usage":null,"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":-}',
    '{"text":"\xff\xfe broken","finishReason":"stop","usage":null,"costUsd":1,"latencyMs":1,"ttftMs":1,"attempts":1}',
  ];
  for (const json of odd) {
    it(`means what JSON.parse and validEntry make of ${json.slice(70, 130)}`, () => {
      const buf = record(json);
      expect(decodeEntry(buf, 0, buf.length)).toEqual(general(buf.toString('utf8', buf.indexOf('"v":') + 4, buf.length - 1)));
    });
  }

  it('refuses bytes that are not UTF-8 text the same way on both paths', () => {
    const json = Buffer.concat([Buffer.from('{"text":"x'), Buffer.from([0xe2, 0x82]), Buffer.from('","finishReason":null,"usage":null,"costUsd":null,"latencyMs":null,"ttftMs":null,"attempts":1}')]);
    const buf = Buffer.concat([Buffer.from(`{"k":"${KEY}","t":1,"v":`), json, Buffer.from('}')]);
    expect(decodeEntry(buf, 0, buf.length)).toEqual(general(json.toString('utf8')));
  });
});
