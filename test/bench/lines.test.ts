import { describe, expect, it } from 'vitest';
import { MAX_BATCH_LINES, splitLineBatches, splitLines } from '../../src/bench/lines.js';

async function* chunks(...parts: string[]) {
  for (const p of parts) yield Buffer.from(p);
}

describe('prompt-file lines, a batch at a time', () => {
  it('hands a big chunk of short lines out in bounded batches, every line once, in order, numbered', async () => {
    const n = MAX_BATCH_LINES * 3 + 7;
    const text = Array.from({ length: n }, (_, i) => `{"prompt":"p${i}"}\n`).join('');
    const sizes: number[] = [];
    const lines: { text: string; line: number }[] = [];
    for await (const batch of splitLineBatches(chunks(text))) {
      sizes.push(batch.length);
      lines.push(...batch);
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_BATCH_LINES);
    expect(sizes).toEqual([MAX_BATCH_LINES, MAX_BATCH_LINES, MAX_BATCH_LINES, 7]);
    expect(lines.map((l) => l.line)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(lines[n - 1].text).toBe(`{"prompt":"p${n - 1}"}`);
  });

  it('joins a line split across chunks, drops CR before LF and a leading BOM, and keeps an unterminated last line', async () => {
    const got: string[] = [];
    for await (const l of splitLines(chunks('\ufeffa\r\nb', 'c\nd'))) got.push(`${l.line}:${l.text}`);
    expect(got).toEqual(['1:a', '2:bc', '3:d']);
  });

  it('decodes each line as its bytes say, whichever chunks they came in: a BOM and a character split between chunks, a lone CR, a CR only line', async () => {
    const bytes = Buffer.from('\ufeff\u00e9t\u00e9 \u{1f600}\r\n\r\nx\ry\n\u00fcber\r');
    const whole: string[] = [];
    for await (const l of splitLines((async function* () {
      yield bytes;
    })())) whole.push(l.text);
    expect(whole).toEqual(['\u00e9t\u00e9 \u{1f600}', '', 'x\ry', '\u00fcber']);
    // Every split point: the same lines.
    for (let cut = 1; cut < bytes.length; cut++) {
      const got: string[] = [];
      for await (const l of splitLines((async function* () {
        yield bytes.subarray(0, cut);
        yield bytes.subarray(cut);
      })())) got.push(l.text);
      expect(got, `cut at ${cut}`).toEqual(whole);
    }
  });

  it('a line longer than the bound is an error naming its number', async () => {
    const read = async () => {
      for await (const _ of splitLines(chunks('ok\n', 'x'.repeat(40), 'y'.repeat(40)), 64, (n) => new Error(`line ${n} too long`)));
    };
    await expect(read()).rejects.toThrow('line 2 too long');
  });
});
