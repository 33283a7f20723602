/**
 * The bench cache store: a few append-only JSONL segments per cache directory with an index in
 * memory (cache-index.ts), behind the `BenchCache` interface. Opening reads a finished
 * segment's index file, or scans the segment (cache-load.ts; a 40,000-answer cache is one 11 MB
 * segment and a 1.6 MB index); a read is a lookup and a decode of the entry's bytes; a write is an
 * append to this process's own segment (cache-writer.ts), so concurrent runs never interleave
 * and a crash leaves at most a torn last line, which is skipped. Entries are validated when
 * read: a corrupt one is counted and fetched again. Entries of the old one-file-per-answer
 * store (`<2 hex>/<key>.json`) are still read, and moved into the store when they are.
 */
import { closeSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { decodeEntry, hasKey, isCacheKey, keyPrefix } from './cache-record.js';
import { SlotIndex } from './cache-index.js';
import { loadSegments, readRecord, type OpenSegment } from './cache-load.js';
import { listStore, type SegmentInfo } from './cache-segments.js';
import { SegmentWriter } from './cache-writer.js';
import { DirCache, type BenchCache, type CachedAnswer } from './cache.js';

export interface StoreOpenOptions {
  /** Segment bytes kept in memory after the scan (tests lower it to exercise pread). */
  keepBytes?: number;
  /** Sealed segments' index files read and written (default true; cache-index-file.ts). */
  indexFiles?: boolean;
  /** Only segments of at least this many bytes have index files (tests lower it). */
  indexMinBytes?: number;
}

export class LogCache implements BenchCache {
  private own: OpenSegment | null = null;
  private readonly writer: SegmentWriter;
  private legacyReader: DirCache | null;
  private corruptHere = 0;
  /** Lines with no readable record head when the store was opened. */
  readonly unreadable: number;
  /** Segments ending in a torn line when the store was opened. */
  readonly torn: number;
  hits = 0;

  private constructor(
    readonly dir: string,
    private readonly segments: OpenSegment[],
    private readonly index: SlotIndex,
    scanCorrupt: number,
    torn: number,
    legacy: boolean,
  ) {
    // Lines with no readable key are never looked up; `mmr cache stats` reports them.
    this.unreadable = scanCorrupt;
    this.torn = torn;
    this.legacyReader = legacy ? new DirCache(dir) : null;
    this.writer = new SegmentWriter(dir, (w) => {
      if (!this.own) {
        const info: SegmentInfo = { name: '', file: this.writer.file ?? '', started: Date.now(), size: 0, mtimeMs: 0, sealed: false };
        this.own = { info, fd: this.writer.fd!, buf: null, lazy: false, reads: 0 };
        this.segments.push(this.own);
      }
      this.index.put(this.segments.indexOf(this.own), { prefix: keyPrefix(w.key), off: w.off, len: w.len, t: w.t });
    });
  }

  static async open(dir: string, o: StoreOpenOptions = {}): Promise<LogCache> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode applies only to directories it creates; tighten one an older mmr left open.
    await chmod(dir, 0o700).catch(() => {});
    for (let attempt = 0; ; attempt++) {
      const listing = await listStore(dir);
      const index = new SlotIndex();
      try {
        const r = loadSegments(listing.segments, index, { keepBytes: o.keepBytes, indexFiles: o.indexFiles ?? true, indexMinBytes: o.indexMinBytes });
        return new LogCache(dir, r.segments, index, r.corrupt, r.torn, listing.legacyDirs.length > 0);
      } catch (err) {
        // A compactor merged a segment between the listing and the open: list again.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 4) throw err;
      }
    }
  }

  /** Distinct keys in the store when it was opened, plus those written since. */
  get size(): number {
    return this.index.size;
  }

  get corrupt(): number {
    return this.corruptHere + (this.legacyReader?.corrupt ?? 0);
  }

  /** The segment file this process wrote, if it wrote any. */
  get writtenFile(): string | null {
    return this.writer.file;
  }

  /**
   * The entry when the store can tell without I/O (null: a definite miss), or undefined when only
   * `get` can (the key may sit in the old one-file-per-answer store). A cached re-run asks this
   * first, so a hit costs no promise.
   */
  peek(key: string): CachedAnswer | null | undefined {
    const fresh = this.writer.unwritten(key);
    if (fresh) return this.hit(fresh as CachedAnswer);
    // The runner's keys are SHA-256 hex; anything else cannot be in the store.
    const slot = key.length === 64 ? this.index.find(keyPrefix(key)) : -1;
    if (slot >= 0) {
      const len = this.index.len[slot];
      // A segment kept in memory is read in place (no object per read); others with a pread.
      const inMemory = this.segments[this.index.seg[slot]]?.buf;
      let buf: Buffer | null = null;
      let off = this.index.off[slot];
      if (inMemory) buf = off + len <= inMemory.length ? inMemory : null;
      else {
        const rec = readRecord(this.segments, this.index, slot);
        if (rec) ({ buf, off } = rec);
      }
      if (!buf) return null;
      // Another key with the same 52-bit prefix is a miss, not an error.
      if (hasKey(buf, off, key)) {
        const entry = decodeEntry(buf, off, len);
        if (entry) return this.hit(entry);
        this.corruptHere++;
        return null;
      }
    }
    return this.legacyReader ? undefined : null;
  }

  async get(key: string): Promise<CachedAnswer | null> {
    const found = this.peek(key);
    if (found !== undefined) return found;
    const old = await this.legacyReader!.get(key);
    if (old) {
      await this.set(key, old);
      return this.hit(old);
    }
    return null;
  }

  private hit(e: CachedAnswer): CachedAnswer {
    this.hits++;
    return e;
  }

  set(key: string, value: CachedAnswer): Promise<void> {
    if (!isCacheKey(key)) return Promise.resolve();
    return this.writer.append(key, value);
  }

  /** Writes what is buffered and closes every file. */
  async close(): Promise<void> {
    await this.writer.close();
    for (const s of this.segments) if (s !== this.own) closeSync(s.fd);
    this.segments.length = 0;
  }
}
