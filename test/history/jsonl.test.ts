/**
 * The bounded line reader every JSONL log goes through (votes, conversations, the serve log,
 * learn's evidence files): a line over the bound comes back as null without being held, a final
 * line without its newline still counts, CRLF files parse, and a missing file is no lines for
 * eachJsonLine (while boundedLines throws it for callers that name the file).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundedLines, eachJsonLine } from '../../src/history/jsonl.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mmr-jsonl-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const all = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('boundedLines', () => {
  it('gives lines up to the bound, null for longer ones, and a last line without its newline', async () => {
    const f = write('a.jsonl', `short\n${'x'.repeat(50)}\nok\n${'y'.repeat(11)}`);
    expect(await all(boundedLines(f, 10))).toEqual(['short', null, 'ok', null]);
    expect(await all(boundedLines(f, 100))).toEqual(['short', 'x'.repeat(50), 'ok', 'y'.repeat(11)]);
  });

  it('throws a read error for the caller to name the file', async () => {
    await expect(all(boundedLines(path.join(dir, 'missing.jsonl')))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('eachJsonLine', () => {
  it('parses each non-empty line with its number; lines that are not JSON are undefined; CRLF and a torn tail are fine', async () => {
    const f = write('b.jsonl', '{"a":1}\r\n\r\nnot json\r\n{"b":2}\n{"c":');
    const seen: [unknown, number][] = [];
    await eachJsonLine(f, (v, n) => seen.push([v, n]));
    expect(seen).toEqual([
      [{ a: 1 }, 1],
      [undefined, 3],
      [{ b: 2 }, 4],
      [undefined, 5],
    ]);
  });

  it('a missing file is no lines', async () => {
    let n = 0;
    await eachJsonLine(path.join(dir, 'none.jsonl'), () => n++);
    expect(n).toBe(0);
  });
});
