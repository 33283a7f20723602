import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { LogCache } from '../../src/bench/cache-store.js';
import type { CachedAnswer } from '../../src/bench/cache.js';
import { compactStore } from '../../src/bench/cache-maintain.js';
import { storeStats } from '../../src/bench/cache-stats.js';
import { indexFileOf } from '../../src/bench/cache-index-file.js';

// A segment's index file beside it (cache-index-file.ts): used when it fits the segment exactly,
// ignored (the segment scanned, the answers the same) when it is stale, torn, damaged or foreign.
const key = (s: string) => createHash('sha256').update(s).digest('hex');
const answer = (text: string): CachedAnswer => ({ text, finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2 }, costUsd: 0.001, latencyMs: 40, ttftMs: 12, attempts: 1 });
const fresh = () => path.join(mkdtempSync(path.join(tmpdir(), 'mmr-idx-')), 'bench');
/** Every segment indexed in these tests, however small. */
const ALL = { indexMinBytes: 0 };

/** A store of `n` answers in one segment whose writer is gone (a pid that cannot exist here). */
async function sealedStore(n: number, prefix = 'q'): Promise<{ dir: string; seg: string }> {
  const dir = fresh();
  const c = await LogCache.open(dir, ALL);
  for (let i = 0; i < n; i++) await c.set(key(`${prefix}${i}`), answer(`${prefix} answer ${i}`));
  await c.close();
  const seg = c.writtenFile!.replace(/-(\d+)-([0-9a-f]+)\.jsonl$/, '-4194999-$2.jsonl');
  renameSync(c.writtenFile!, seg);
  return { dir, seg };
}

/** Opens the store and reads keys `from..to` of `prefix`; what it found and how. */
async function readBack(dir: string, n: number, o: { keepBytes?: number; prefix?: string } = {}) {
  const c = await LogCache.open(dir, { ...ALL, keepBytes: o.keepBytes });
  const got: (string | null)[] = [];
  for (let i = 0; i < n; i++) got.push((await c.get(key(`${o.prefix ?? 'q'}${i}`)))?.text ?? null);
  const r = { size: c.size, corrupt: c.corrupt, unreadable: c.unreadable, torn: c.torn, miss: (await c.get(key('absent'))) === null, got };
  await c.close();
  return r;
}

const expected = (n: number, prefix = 'q') => Array.from({ length: n }, (_, i) => `${prefix} answer ${i}`);

describe('the cache store\'s index files', () => {
  it('the reader that scans a sealed segment writes its index (0600), and the next open reads it instead of scanning', async () => {
    const { dir, seg } = await sealedStore(300);
    expect(existsSync(indexFileOf(seg))).toBe(false);
    const first = await readBack(dir, 300);
    expect(first).toMatchObject({ size: 300, corrupt: 0, miss: true, got: expected(300) });
    expect(statSync(indexFileOf(seg)).mode & 0o777).toBe(0o600);
    const written = readFileSync(indexFileOf(seg));
    for (const keepBytes of [undefined, 0]) expect(await readBack(dir, 300, { keepBytes })).toEqual(first);
    // Read, not rewritten: same bytes, and no temp file left beside it.
    expect(readFileSync(indexFileOf(seg)).equals(written)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([path.basename(seg), path.basename(indexFileOf(seg))].sort());
  });

  it('a segment that changed after its index was written (appended, rewritten, touched) is scanned again and re-indexed', async () => {
    const { dir, seg } = await sealedStore(50);
    await readBack(dir, 50);
    const old = readFileSync(indexFileOf(seg));
    appendFileSync(seg, `{"k":"${key('q50')}","t":${Date.now()},"v":${JSON.stringify(answer('q answer 50'))}}\n`);
    expect(await readBack(dir, 51)).toMatchObject({ size: 51, corrupt: 0, got: expected(51) });
    expect(readFileSync(indexFileOf(seg)).equals(old)).toBe(false);
    // Same size, other bytes (a foreign rewrite): its mtime changed, so the index no longer fits.
    const text = readFileSync(seg, 'utf8').replace('q answer 7"', 'x answer 7"');
    writeFileSync(seg, text);
    utimesSync(seg, new Date(), new Date(Date.now() + 5000));
    const after = await readBack(dir, 51);
    expect(after.got[7]).toBe('x answer 7');
    expect(after.got.filter((g, i) => g !== `q answer ${i}`)).toEqual(['x answer 7']);
  });

  it('a torn, truncated, damaged or foreign index file is ignored: the answers are the scan\'s, and a good index replaces it', async () => {
    const { dir, seg } = await sealedStore(120);
    const truth = await readBack(dir, 120);
    const good = readFileSync(indexFileOf(seg));
    const other = await sealedStore(120, 'z');
    await readBack(other.dir, 1, { prefix: 'z' });
    const damaged: [string, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['torn', good.subarray(0, good.length - 100)],
      ['one byte flipped in the body', Buffer.from(good.map((b, i) => (i === 200 ? b ^ 1 : b)))],
      ['another magic', Buffer.concat([Buffer.from('NOTMMRIX'), good.subarray(8)])],
      ['JSON', Buffer.from('{"k":"x"}\n')],
      ['a whole file from another segment', readFileSync(indexFileOf(other.seg))],
    ];
    for (const [what, bytes] of damaged) {
      writeFileSync(indexFileOf(seg), bytes);
      expect(await readBack(dir, 120), what).toEqual(truth);
      expect(readFileSync(indexFileOf(seg)).equals(good), what).toBe(true);
    }
  });

  it('an index whose checksum fits but whose records point outside the segment is not trusted', async () => {
    const { dir, seg } = await sealedStore(20);
    const truth = await readBack(dir, 20);
    const good = readFileSync(indexFileOf(seg));
    const count = good.readUInt32LE(12);
    // The first record's offset (after the 64-byte head and the prefixes) past the end of the segment, checksum made good.
    const bad = Buffer.from(good);
    bad.writeDoubleLE(statSync(seg).size + 10, 64 + 8 * count);
    createHash('sha256').update(bad.subarray(0, bad.length - 32)).digest().copy(bad, bad.length - 32);
    writeFileSync(indexFileOf(seg), bad);
    expect(await readBack(dir, 20)).toEqual(truth);
  });

  it('keeps the counts of the scan: superseded records, garbage lines and a torn tail', async () => {
    const { dir, seg } = await sealedStore(30);
    appendFileSync(seg, `not a record\n{"k":"${key('q3')}","t":${Date.now() + 1000},"v":${JSON.stringify(answer('newer 3'))}}\n{"k":"${key('q4')}","t":1`);
    const scanned = await readBack(dir, 30);
    expect(scanned).toMatchObject({ size: 30, unreadable: 1, torn: 1 });
    expect(scanned.got[3]).toBe('newer 3');
    expect(existsSync(indexFileOf(seg))).toBe(true);
    expect(await readBack(dir, 30)).toEqual(scanned);
    const stats = await storeStats(dir);
    expect(stats).toMatchObject({ entries: 30, superseded: 1, corrupt: 1, torn: 1 });
  });

  it('with several segments the newest record of a key wins, with or without their index files', async () => {
    const a = await sealedStore(40, 'q');
    // A later run rewrote q0..q9 and added r0..r9.
    const c = await LogCache.open(a.dir, ALL);
    for (let i = 0; i < 10; i++) await c.set(key(`q${i}`), answer(`second ${i}`));
    for (let i = 0; i < 10; i++) await c.set(key(`r${i}`), answer(`r answer ${i}`));
    await c.close();
    renameSync(c.writtenFile!, c.writtenFile!.replace(/-(\d+)-([0-9a-f]+)\.jsonl$/, '-4194998-$2.jsonl'));
    const want = [...Array.from({ length: 10 }, (_, i) => `second ${i}`), ...expected(40).slice(10)];
    const first = await readBack(a.dir, 40);
    expect(first.got).toEqual(want);
    expect(first.size).toBe(50);
    expect(readdirSync(a.dir).filter((f) => f.endsWith('.idx'))).toHaveLength(2);
    const second = await readBack(a.dir, 40);
    expect(second).toEqual(first);
    expect((await readBack(a.dir, 10, { prefix: 'r' })).got).toEqual(expected(10, 'r'));
  });

  it('compaction indexes its output and removes the index files of what it merged, and any left without a segment', async () => {
    const { dir, seg } = await sealedStore(200);
    await readBack(dir, 200);
    writeFileSync(path.join(dir, 'seg-abc-00000000-1-ffffff.jsonl.idx'), 'left behind');
    // Compaction writes an index for an output of at least INDEX_MIN_BYTES (1 MB); this one is smaller.
    const r = await compactStore(dir);
    expect(r.merged).toBe(1);
    expect(existsSync(indexFileOf(seg))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.idx'))).toEqual([]);
    expect(await readBack(dir, 200)).toMatchObject({ size: 200, got: expected(200) });
    // The next reader indexes the compacted segment.
    expect(readdirSync(dir).filter((f) => f.endsWith('.idx'))).toEqual([`${path.basename(r.file!)}.idx`]);
  });

  it('a segment still being written (its writer alive) and a small segment by default get no index', async () => {
    const dir = fresh();
    const c = await LogCache.open(dir, ALL);
    await c.set(key('a'), answer('a'));
    await c.close();
    // Written by this process, which still runs: open for writing, so never indexed.
    const r = await LogCache.open(dir, ALL);
    expect(await r.get(key('a'))).toEqual(answer('a'));
    await r.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.idx'))).toEqual([]);
    const { dir: small } = await sealedStore(10);
    const d = await LogCache.open(small);
    await d.close();
    expect(readdirSync(small).filter((f) => f.endsWith('.idx'))).toEqual([]);
  });
});
