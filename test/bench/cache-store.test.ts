import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { LogCache } from '../../src/bench/cache-store.js';
import { DirCache, type CachedAnswer } from '../../src/bench/cache.js';
import { compactStore, maybeCompact, AUTO_COMPACT_SEGMENTS } from '../../src/bench/cache-maintain.js';
import { clearStore, storeStats } from '../../src/bench/cache-stats.js';
import { SegmentWriter } from '../../src/bench/cache-writer.js';

const key = (s: string) => createHash('sha256').update(s).digest('hex');
const answer = (text: string, extra: Partial<CachedAnswer> = {}): CachedAnswer => ({ text, finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2 }, costUsd: 0.001, latencyMs: 40, ttftMs: 12, attempts: 1, ...extra });
const fresh = () => path.join(mkdtempSync(path.join(tmpdir(), 'mmr-store-')), 'bench');
const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
/** A segment as a writer that has died leaves it: a pid that cannot exist on this host. */
function orphan(dir: string, file: string): string {
  const dead = file.replace(/-(\d+)-([0-9a-f]+)\.jsonl$/, '-4194999-$2.jsonl');
  renameSync(file, dead);
  return dead;
}

async function filled(dir: string, n: number, prefix = 'q', keepBytes?: number): Promise<string> {
  const c = await LogCache.open(dir, { keepBytes });
  for (let i = 0; i < n; i++) await c.set(key(`${prefix}${i}`), answer(`${prefix} answer ${i}`));
  await c.close();
  return c.writtenFile!;
}

describe('the bench cache store (append-only segments with an index)', () => {
  it('stores answers in one 0600 segment in a 0700 directory and finds them again after a restart', async () => {
    const dir = fresh();
    const file = await filled(dir, 500);
    expect(segments(dir)).toEqual([path.basename(file)]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Plain JSON lines: jq and friends read it.
    const first = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]);
    expect(first).toMatchObject({ k: key('q0'), v: { text: 'q answer 0' } });
    for (const keep of [undefined, 0]) {
      const c = await LogCache.open(dir, { keepBytes: keep });
      expect(c.size).toBe(500);
      expect(await c.get(key('q7'))).toEqual(answer('q answer 7'));
      expect(await c.get(key('q499'))).toEqual(answer('q answer 499'));
      expect(await c.get(key('missing'))).toBeNull();
      expect(c.corrupt).toBe(0);
      await c.close();
    }
  });

  it('reads its own writes before and after they reach the disk, and a newer record wins', async () => {
    const dir = fresh();
    const c = await LogCache.open(dir);
    await c.set(key('a'), answer('first'));
    expect(await c.get(key('a'))).toEqual(answer('first'));
    await c.set(key('a'), answer('second'));
    await (c as unknown as { writer: SegmentWriter }).writer.flush();
    expect(await c.get(key('a'))).toEqual(answer('second'));
    await c.close();
    const again = await LogCache.open(dir);
    expect(await again.get(key('a'))).toEqual(answer('second'));
    await again.close();
  });

  it('a torn last line (a writer killed mid-write) is skipped silently; everything before it reads', async () => {
    const dir = fresh();
    const file = await filled(dir, 20);
    appendFileSync(file, `{"k":"${key('torn')}","t":1700000000000,"v":{"text":"half an ans`);
    const c = await LogCache.open(dir);
    expect(c.torn).toBe(0); // its writer is this process, still alive: not torn yet, just unfinished
    expect(await c.get(key('q19'))).toEqual(answer('q answer 19'));
    expect(await c.get(key('torn'))).toBeNull();
    expect(c.corrupt).toBe(0);
    await c.close();
    orphan(dir, file);
    const s = await storeStats(dir);
    expect(s).toMatchObject({ entries: 20, torn: 1, corrupt: 0 });
  });

  it('a damaged entry is a counted miss, never trusted; garbage lines are skipped', async () => {
    const dir = fresh();
    const file = await filled(dir, 3);
    appendFileSync(file, `{"k":"${key('bad')}","t":1700000000000,"v":{"text":"x","finishReason":null,"usage":null,"costUsd":-5,"latencyMs":1,"ttftMs":1,"attempts":1}}\n`);
    appendFileSync(file, `{"k":"${key('broken')}","t":1700000000000,"v":{"text":"x"\n`);
    appendFileSync(file, 'not a record at all\n\u0000\u0001\n');
    const c = await LogCache.open(dir);
    expect(await c.get(key('bad'))).toBeNull();
    expect(await c.get(key('broken'))).toBeNull();
    expect(c.corrupt).toBe(2);
    expect(await c.get(key('q2'))).toEqual(answer('q answer 2'));
    await c.close();
    const s = await storeStats(dir);
    expect(s.entries).toBe(3);
    expect(s.corrupt).toBe(4);
  });

  it('two keys sharing the index prefix never return each other\'s answer', async () => {
    const dir = fresh();
    const a = `${'ab'.repeat(7)}${'0'.repeat(50)}`;
    const b = `${'ab'.repeat(7)}${'1'.repeat(50)}`;
    const c = await LogCache.open(dir);
    await c.set(a, answer('for a'));
    await c.set(b, answer('for b'));
    await c.close();
    const r = await LogCache.open(dir);
    expect(await r.get(b)).toEqual(answer('for b'));
    expect(await r.get(a)).toBeNull(); // a miss: asked again, never the wrong text
    expect(r.corrupt).toBe(0);
    await r.close();
  });

  it('peek answers without I/O what get answers, and leaves to get only what may sit in the old store', async () => {
    const dir = fresh();
    const file = await filled(dir, 3);
    appendFileSync(file, `{"k":"${key('bad')}","t":1700000000000,"v":{"text":"x","finishReason":null,"usage":null,"costUsd":-5,"latencyMs":1,"ttftMs":1,"attempts":1}}\n`);
    const c = await LogCache.open(dir);
    expect(c.peek(key('q1'))).toEqual(answer('q answer 1'));
    expect(c.peek(key('missing'))).toBeNull();
    expect(c.peek('not-a-key')).toBeNull();
    expect(c.peek(key('bad'))).toBeNull();
    expect(c.corrupt).toBe(1);
    // An answer set in this process is found before it reaches the disk.
    await c.set(key('new'), answer('just now'));
    expect(c.peek(key('new'))).toEqual(answer('just now'));
    expect(c.hits).toBe(2);
    await c.close();
    // With entries of the one-file-per-answer store beside it, a key the segments lack may be there.
    await new DirCache(dir).set(key('legacy'), answer('from before'));
    const l = await LogCache.open(dir);
    expect(l.peek(key('legacy'))).toBeUndefined();
    expect(l.peek(key('q2'))).toEqual(answer('q answer 2'));
    expect(await l.get(key('legacy'))).toEqual(answer('from before'));
    await l.close();
  });

  it('reads entries of the one-file-per-answer store and moves them in when read', async () => {
    const dir = fresh();
    const old = new DirCache(dir);
    await old.set(key('legacy'), answer('from before'));
    const c = await LogCache.open(dir);
    expect(await c.get(key('legacy'))).toEqual(answer('from before'));
    await c.close();
    expect(segments(dir)).toHaveLength(1);
    const r = await compactStore(dir, { alsoSealed: [c.writtenFile!] });
    expect(r).toMatchObject({ legacyMerged: 1, kept: 1, superseded: 1 });
    expect(readdirSync(dir).filter((f) => !f.endsWith('.jsonl') && f !== 'compact.lock')).toEqual([]);
    const again = await LogCache.open(dir);
    expect(await again.get(key('legacy'))).toEqual(answer('from before'));
    await again.close();
  });

  it('compaction merges finished segments into one, keeps the newest record per key, and --older-than drops old ones', async () => {
    const dir = fresh();
    const files: string[] = [];
    for (let run = 0; run < 3; run++) {
      const c = await LogCache.open(dir);
      for (let i = 0; i < 50; i++) await c.set(key(`k${i}`), answer(`run ${run} answer ${i}`));
      await c.set(key(`only${run}`), answer(`only in run ${run}`));
      await c.close();
      files.push(orphan(dir, c.writtenFile!));
    }
    const live = await LogCache.open(dir);
    await live.set(key('live'), answer('still being written'));
    await (live as unknown as { writer: SegmentWriter }).writer.flush();
    const r = await compactStore(dir);
    expect(r).toMatchObject({ merged: 3, kept: 53, superseded: 100, corrupt: 0, busy: false });
    expect(r.bytesAfter).toBeLessThan(r.bytesBefore / 2);
    for (const f of files) expect(existsSync(f)).toBe(false);
    // The running writer's segment is left alone and keeps working.
    expect(existsSync(live.writtenFile!)).toBe(true);
    await live.set(key('live2'), answer('after compaction'));
    await live.close();
    const c = await LogCache.open(dir);
    expect(await c.get(key('k10'))).toEqual(answer('run 2 answer 10'));
    expect(await c.get(key('only0'))).toEqual(answer('only in run 0'));
    expect(await c.get(key('live2'))).toEqual(answer('after compaction'));
    await c.close();
    // Everything is older than 30 days 40 days from now.
    const pruned = await compactStore(dir, { olderThanMs: 30 * 86_400_000, now: Date.now() + 40 * 86_400_000, alsoSealed: [live.writtenFile!] });
    expect(pruned).toMatchObject({ kept: 0, expired: 55, file: null });
    expect(segments(dir)).toEqual([]);
  });

  it('a reader that opened before a compaction keeps reading after the merged files are gone', async () => {
    const dir = fresh();
    orphan(dir, await filled(dir, 10, 'a'));
    orphan(dir, await filled(dir, 10, 'b'));
    const reader = await LogCache.open(dir, { keepBytes: 0 });
    expect((await compactStore(dir)).merged).toBe(2);
    expect(await reader.get(key('b3'))).toEqual(answer('b answer 3'));
    await reader.close();
  });

  it(`runs compact on their own from ${AUTO_COMPACT_SEGMENTS} segments on, so the cache stays a handful of files`, async () => {
    const dir = fresh();
    let last = '';
    for (let run = 0; run < AUTO_COMPACT_SEGMENTS + 3; run++) {
      const own = await filled(dir, 5, `r${run}-`);
      last = own;
      await maybeCompact(dir, own);
      expect(segments(dir).length).toBeLessThanOrEqual(AUTO_COMPACT_SEGMENTS);
    }
    expect(last).not.toBe('');
    const s = await storeStats(dir);
    expect(s.entries).toBe(5 * (AUTO_COMPACT_SEGMENTS + 3));
    expect(readdirSync(dir).length).toBeLessThanOrEqual(10);
  });

  it('clear removes the store and the old entries', async () => {
    const dir = fresh();
    await filled(dir, 4);
    await new DirCache(dir).set(key('x'), answer('old'));
    expect(await clearStore(dir)).toMatchObject({ files: 2 });
    expect(existsSync(dir)).toBe(false);
  });

  it('a writer whose segment cannot be created only misses; the run goes on', async () => {
    const dir = fresh();
    const c = await LogCache.open(dir);
    // The directory is replaced by a file: every open fails.
    const { rmSync } = await import('node:fs');
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a directory');
    await c.set(key('x'), answer('lost'));
    await expect(c.close()).resolves.toBeUndefined();
  });
});
