/**
 * Keeping the cache store small: `compactStore` merges the segments whose writer is gone (and
 * the old one-file-per-answer entries) into one, keeping only the newest valid record per key
 * (and, with `olderThanMs`, only those written since). (`storeStats` and `clearStore`, which
 * describe and empty the store, are in cache-stats.ts.) Compaction holds a lock (one compactor at a time), writes its output
 * to a temp file renamed into place, and deletes the merged files only after that, so a crash at
 * any point loses nothing (at worst a record exists twice until the next compaction). Segments
 * still being written by a running mmr are left alone.
 */
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile, rm, rename, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { decodeEntry, encodeRecord, isCacheKey, keyPrefix, recordKey, scanRecords, type ScannedRecord } from './cache-record.js';
import { SlotIndex } from './cache-index.js';
import { loadSegments, writeIndexOf } from './cache-load.js';
import { indexFileOf } from './cache-index-file.js';
import { listStore, newSegmentName, type SegmentInfo } from './cache-segments.js';
import { validEntry } from './cache.js';
import { legacyFiles } from './cache-stats.js';
import { lockStore, storeExists } from './cache-lock.js';


/** Compaction runs after a bench run once the store has this many segments. */
export const AUTO_COMPACT_SEGMENTS = 8;

export interface CompactReport {
  /** Segments merged (and then deleted) and legacy files moved in. */
  merged: number;
  legacyMerged: number;
  /** Entries in the new segment. */
  kept: number;
  /** Dropped: written before the cut-off, superseded by a newer record, not valid. */
  expired: number;
  superseded: number;
  corrupt: number;
  bytesBefore: number;
  bytesAfter: number;
  /** The new segment, or null when nothing was kept. */
  file: string | null;
  /** Another mmr holds the compaction lock: nothing was done. */
  busy: boolean;
  /** Who holds it, when known ("pid 123", "an mmr on another machine"). */
  holder?: string | null;
  /** There is no store directory (nothing cached yet, or just cleared): nothing to do. */
  missing: boolean;
}

/** Writes whole lines to a new file, 1 MB at a time (blocking: compaction is a maintenance step). */
class LineSink {
  private parts: string[] = [];
  private size = 0;
  bytes = 0;
  constructor(private readonly fd: number) {}
  add(line: string): void {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= 1 << 20) this.flush();
  }
  flush(): void {
    if (!this.parts.length) return;
    const chunk = Buffer.from(this.parts.join(''));
    this.parts = [];
    this.size = 0;
    for (let off = 0; off < chunk.length; ) off += writeSync(this.fd, chunk, off);
    this.bytes += chunk.length;
  }
}

/** Streams one segment's records, in file order: `at` is the record's offset in `buf`, `r.off` in the file. */
function eachRecord(file: string, on: (buf: Buffer, at: number, r: ScannedRecord) => void): void {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
    let carry = Buffer.alloc(0);
    let base = 0;
    for (let pos = 0; ; ) {
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n <= 0) break;
      pos += n;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const start = base;
      const r = scanRecords(buf, base, (rec) => on(buf, rec.off - start, rec));
      base += r.consumed;
      carry = Buffer.from(buf.subarray(r.consumed));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Merges sealed segments (and legacy entries) into one. `alsoSealed`: segments of this process
 * that it has closed (its own pid still runs, so they look open).
 */
export async function compactStore(dir: string, o: { olderThanMs?: number; now?: number; alsoSealed?: string[] } = {}): Promise<CompactReport> {
  const now = o.now ?? Date.now();
  const cutoff = o.olderThanMs !== undefined ? now - o.olderThanMs : -Infinity;
  const report: CompactReport = { merged: 0, legacyMerged: 0, kept: 0, expired: 0, superseded: 0, corrupt: 0, bytesBefore: 0, bytesAfter: 0, file: null, busy: false, missing: false };
  if (!(await storeExists(dir))) return { ...report, missing: true };
  const lock = await lockStore(dir);
  if (lock.state === 'missing') return { ...report, missing: true };
  if (lock.state === 'busy') return { ...report, busy: true, holder: lock.holder };
  try {
    const listing = await listStore(dir, now);
    const also = new Set(o.alsoSealed ?? []);
    const sealed: SegmentInfo[] = listing.segments.filter((s) => s.sealed || also.has(s.file));
    const legacy = await legacyFiles(listing.legacyDirs);
    // Pass 1: which record wins per key, over the segments and the legacy files (segment number = sealed.length).
    const index = new SlotIndex();
    const loaded = loadSegments(sealed, index, { keepBytes: 0 });
    loaded.segments.forEach((s) => closeSync(s.fd));
    report.corrupt += loaded.corrupt;
    const legacySeg = sealed.length;
    legacy.forEach((f, i) => {
      const key = path.basename(f.file, '.json');
      if (isCacheKey(key)) index.put(legacySeg, { prefix: keyPrefix(key), off: i, len: 0, t: Math.round(f.mtimeMs) });
    });
    report.superseded = index.superseded;
    report.bytesBefore = sealed.reduce((a, s) => a + s.size, 0) + legacy.reduce((a, f) => a + f.size, 0);
    if (sealed.length + legacy.length === 0) return report;

    // Pass 2: the winners, validated, into a temp file renamed into place.
    const name = newSegmentName('cmp', now);
    const tmp = path.join(dir, `${name}.tmp`);
    const fd = openSync(tmp, 'wx', 0o600);
    const sink = new LineSink(fd);
    try {
      for (let seg = 0; seg < sealed.length; seg++) {
        eachRecord(sealed[seg].file, (buf, at, rec) => {
          if (!index.isWinner(seg, rec)) return;
          const entry = decodeEntry(buf, at, rec.len);
          if (!entry) report.corrupt++;
          else if (rec.t < cutoff) report.expired++;
          else {
            sink.add(encodeRecord(recordKey(buf, at), rec.t, entry));
            report.kept++;
          }
        });
      }
      for (let i = 0; i < legacy.length; i++) {
        const key = path.basename(legacy[i].file, '.json');
        if (!isCacheKey(key) || !index.isWinner(legacySeg, { prefix: keyPrefix(key), off: i, len: 0, t: 0 })) continue;
        let entry: unknown = null;
        try {
          entry = legacy[i].size <= 64 * 1024 * 1024 ? validEntry(JSON.parse(await readFile(legacy[i].file, 'utf8'))) : null;
        } catch {
          entry = null;
        }
        const t = Math.round(legacy[i].mtimeMs);
        if (!entry) report.corrupt++;
        else if (t < cutoff) report.expired++;
        else {
          sink.add(encodeRecord(key, t, entry));
          report.kept++;
        }
      }
      sink.flush();
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (report.kept > 0) {
      report.file = path.join(dir, name);
      await rename(tmp, report.file);
      // The next open reads the index instead of scanning the merged segment (best effort).
      writeIndexOf(report.file);
    } else await rm(tmp, { force: true });
    report.bytesAfter = sink.bytes;
    // Only now are the merged files dropped: until here they hold everything.
    for (const s of sealed) {
      await rm(s.file, { force: true });
      await rm(indexFileOf(s.file), { force: true });
    }
    // Index files whose segment is gone (a reader indexed one a compactor was merging).
    const segmentFiles = new Set(listing.segments.map((s) => s.file));
    for (const f of listing.indexes) if (!segmentFiles.has(f.slice(0, -'.idx'.length))) await rm(f, { force: true });
    for (const f of legacy) await rm(f.file, { force: true });
    for (const d of listing.legacyDirs) await rmdir(d).catch(() => {});
    for (const t of listing.temps) if (t !== tmp) await rm(t, { force: true });
    report.merged = sealed.length;
    report.legacyMerged = legacy.length;
    return report;
  } finally {
    await lock.release().catch(() => {});
  }
}

/** After a run: compacts when the store has grown to AUTO_COMPACT_SEGMENTS segments. */
export async function maybeCompact(dir: string, own: string | null): Promise<CompactReport | null> {
  const listing = await listStore(dir);
  if (listing.segments.length < AUTO_COMPACT_SEGMENTS) return null;
  return compactStore(dir, { alsoSealed: own ? [own] : [] });
}
