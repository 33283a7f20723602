import { describe, expect, it } from 'vitest';
import { NdjsonParseError, parseNdjson } from '../../src/providers/ndjson.js';
import { StreamLimitError } from '../../src/providers/limits.js';
import { readChunks, type StreamTap } from '../../src/providers/body.js';
import { LineSplitter, parseSse, SseLineParser, type SseEvent } from '../../src/providers/sse.js';

const enc = new TextEncoder();

/** A body that delivers exactly these byte pieces, in order. */
function bodyOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < pieces.length) controller.enqueue(pieces[i++]);
      else controller.close();
    },
  });
}

function splitAt(bytes: Uint8Array, ...cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(start, c));
    start = c;
  }
  return out;
}

const everyByte = (bytes: Uint8Array) => Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));

async function events(input: string | Uint8Array[]): Promise<SseEvent[]> {
  const body = typeof input === 'string' ? bodyOf([enc.encode(input)]) : bodyOf(input);
  const out: SseEvent[] = [];
  for await (const ev of parseSse(body)) out.push(ev);
  return out;
}

describe('parseSse', () => {
  it('separates events with LF, CRLF and CR line endings alike', async () => {
    for (const nl of ['\n', '\r\n', '\r']) {
      const text = `data: one${nl}${nl}event: named${nl}data: two${nl}${nl}`;
      expect(await events(text)).toEqual([{ data: 'one' }, { event: 'named', data: 'two' }]);
    }
  });

  it('joins multi-line data with LF and strips exactly one leading space', async () => {
    expect(await events('data: a\ndata:b\ndata:  c\n\n')).toEqual([{ data: 'a\nb\n c' }]);
  });

  it('ignores comments, unknown fields and retry; keeps the last id', async () => {
    const text = ': keep-alive\nretry: 100\nfoo: bar\nid: 7\ndata: x\n\n:comment only\n\n';
    expect(await events(text)).toEqual([{ data: 'x', id: '7' }]);
  });

  it('treats a line without a colon as a field with an empty value', async () => {
    expect(await events('data\n\n')).toEqual([{ data: '' }]);
  });

  it('does not dispatch an event type without data, and resets it after a blank line', async () => {
    expect(await events('event: ping\n\ndata: after\n\n')).toEqual([{ data: 'after' }]);
  });

  it('discards an event still pending at end of file (WHATWG)', async () => {
    expect(await events('data: done\n\ndata: {"trunc')).toEqual([{ data: 'done' }]);
    expect(await events('data: done\n\ndata: whole line\n')).toEqual([{ data: 'done' }]);
  });

  it('strips a leading byte order mark', async () => {
    expect(await events('\uFEFFdata: x\n\n')).toEqual([{ data: 'x' }]);
  });

  it('pairs a CR at the end of one chunk with the LF at the start of the next', async () => {
    const bytes = enc.encode('data: a\r\n\r\ndata: b\r\n\r\n');
    const expected = [{ data: 'a' }, { data: 'b' }];
    for (let cut = 1; cut < bytes.length; cut++) expect(await events(splitAt(bytes, cut))).toEqual(expected);
    expect(await events(everyByte(bytes))).toEqual(expected);
  });

  it('survives a split at every byte offset of a multi-byte UTF-8 stream', async () => {
    const payloads = ['héllo wörld', '日本語のテキスト', 'emoji 🦩🐍 and ZWJ 👩‍💻', 'Ω≈ç√∫'];
    const text = payloads.map((p, i) => `event: e${i}\r\ndata: ${p}\r\n\r\n`).join('');
    const bytes = enc.encode(text);
    const expected = payloads.map((p, i) => ({ event: `e${i}`, data: p }));
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await events(splitAt(bytes, cut)), `split at ${cut}`).toEqual(expected);
    }
    for (let cut = 1; cut + 3 < bytes.length; cut += 5) {
      expect(await events(splitAt(bytes, cut, cut + 1, cut + 3)), `split near ${cut}`).toEqual(expected);
    }
    expect(await events(everyByte(bytes))).toEqual(expected);
  });

  it('records the head of the body and counts events in the tap', async () => {
    const tap: StreamTap = { head: '', events: 0 };
    for await (const _ of parseSse(bodyOf([enc.encode('data: 1\n\ndata: 2\n\n')]), { tap })) void _;
    expect(tap).toEqual({ head: 'data: 1\n\ndata: 2\n\n', events: 2 });
  });
});

describe('LineSplitter', () => {
  it('returns the unterminated last line at the end', () => {
    const s = new LineSplitter();
    expect(s.push('a\nb')).toEqual(['a']);
    expect(s.push('c\r')).toEqual(['bc']);
    expect(s.push('\nd')).toEqual([]);
    expect(s.end()).toBe('d');
  });

  it('throws a StreamLimitError for a line longer than its limit, however it is split', () => {
    const s = new LineSplitter(10);
    expect(s.push('0123456789\n')).toEqual(['0123456789']);
    expect(s.push('01234')).toEqual([]);
    expect(() => s.push('567890')).toThrow(StreamLimitError);
    expect(() => new LineSplitter(10).push('0123456789A\n')).toThrow(/one line of the response exceeded 10 bytes/);
  });

  it('splits any body, cut anywhere, exactly as splitting the whole text on CRLF, CR or LF would', () => {
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const pieces = ['a', 'bc', '\r', '\n', '\r\n', '\n\n', 'data: {"x":1}', 'é', ''];
    for (let t = 0; t < 5000; t++) {
      const text = Array.from({ length: rnd(24) }, () => pieces[rnd(pieces.length)]).join('');
      const s = new LineSplitter();
      const got: string[] = [];
      for (let i = 0; i < text.length; ) {
        const n = 1 + rnd(7);
        got.push(...s.push(text.slice(i, i + n)));
        i += n;
      }
      const all = text.split(/\r\n|\r|\n/);
      const last = all.pop()!;
      expect(got).toEqual(all);
      expect(s.end()).toBe(last === '' ? undefined : last);
    }
  });
});

describe('SseLineParser limits', () => {
  it('bounds one event across its data lines, and starts counting again after each event', () => {
    const p = new SseLineParser(10);
    expect(p.line('data: 12345')).toBeUndefined();
    expect(p.line('data: 123')).toBeUndefined();
    expect(p.line('')).toEqual({ data: '12345\n123' });
    p.line('data: 12345');
    expect(() => p.line('data: 12345')).toThrow(/one event of the response exceeded/);
  });
});

describe('readChunks', () => {
  it('stops promptly when the signal aborts, even if the body never delivers', async () => {
    const body = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const started = Date.now();
    await expect(async () => {
      for await (const _ of readChunks(body, ac.signal)) void _;
    }).rejects.toThrow(/aborted/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

async function ndjson(pieces: Uint8Array[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of parseNdjson(bodyOf(pieces))) out.push(v);
  return out;
}

describe('parseNdjson', () => {
  it('parses LF and CRLF lines, skips blank lines, and keeps a last line without newline', async () => {
    const text = '{"a":1}\r\n\n{"b":"ü"}\n  \n{"c":[3]}';
    expect(await ndjson([enc.encode(text)])).toEqual([{ a: 1 }, { b: 'ü' }, { c: [3] }]);
  });

  it('gives the same values at every split offset', async () => {
    const bytes = enc.encode('{"t":"né"}\n{"t":"🦙"}\r\n{"done":true}\n');
    const expected = [{ t: 'né' }, { t: '🦙' }, { done: true }];
    for (let cut = 1; cut < bytes.length; cut++) expect(await ndjson(splitAt(bytes, cut))).toEqual(expected);
    expect(await ndjson(everyByte(bytes))).toEqual(expected);
  });

  it('throws NdjsonParseError quoting a line that is not JSON', async () => {
    await expect(ndjson([enc.encode('{"ok":1}\n<html>oops</html>\n')])).rejects.toThrow(NdjsonParseError);
    await expect(ndjson([enc.encode('<html>oops</html>')])).rejects.toThrow(/<html>oops/);
  });
});
