/**
 * Opening the store's segments into its index (cache-index.ts): from a sealed segment's index
 * file when it has a valid one (cache-index-file.ts), else by scanning its record heads
 * (cache-record.ts). Segments up to a byte budget stay in memory (a cached re-run reads entries
 * without a system call; one found through its index file is read whole once reads show a run
 * needs it); beyond the budget entries are read with pread.
 */
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { MAX_RECORD_BYTES, scanRecords, type ScannedRecord } from './cache-record.js';
import { readFully, readIndexFile, withReadFd, writeIndexFile, type SegmentCounts } from './cache-index-file.js';
import { SlotIndex } from './cache-index.js';
import type { SegmentInfo } from './cache-segments.js';

/** Segment bytes kept in memory after the scan, over all segments. */
export const KEEP_IN_MEMORY_BYTES = 48 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;
/** Segments smaller than this get no index file: they scan in a few ms, and the store stays few files. */
export const INDEX_MIN_BYTES = 1024 * 1024;

export interface OpenSegment {
  info: SegmentInfo;
  fd: number;
  /** The whole file, when it fits the budget and was scanned or has been read. */
  buf: Buffer | null;
  /** Fits the budget but found through its index file: read whole once reads show a run needs it. */
  lazy: boolean;
  /** Records read with a pread so far (while lazy). */
  reads: number;
}

export interface LoadResult {
  segments: OpenSegment[];
  /** Lines that are not records (counted, skipped). */
  corrupt: number;
  /** Segments ending in a partial line (a writer died mid-write; skipped silently). */
  torn: number;
}

/** Reads `fd` from its start in chunks, handing whole lines to `scanRecords`. */
function scanChunked(fd: number, size: number, on: (r: ScannedRecord) => void): { corrupt: number; tail: number } {
  let corrupt = 0;
  let carry = Buffer.alloc(0);
  let base = 0;
  const chunk = Buffer.allocUnsafe(CHUNK);
  for (let pos = 0; pos < size; ) {
    const n = readSync(fd, chunk, 0, Math.min(CHUNK, size - pos), pos);
    if (n <= 0) break;
    pos += n;
    const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    const r = scanRecords(buf, base, on);
    corrupt += r.corrupt;
    base += r.consumed;
    carry = Buffer.from(buf.subarray(r.consumed));
    if (carry.length > MAX_RECORD_BYTES) {
      // No newline in 64 MB: not a record; skip what was read.
      corrupt++;
      base += carry.length;
      carry = Buffer.alloc(0);
    }
  }
  return { corrupt, tail: carry.length };
}

export interface LoadOptions {
  /** Segment bytes kept in memory, over all segments. */
  keepBytes?: number;
  /** Read a sealed segment's index file when it has a valid one, and write one when it has not (LogCache.open). */
  indexFiles?: boolean;
  /** Only segments of at least this many bytes have index files (tests lower it). */
  indexMinBytes?: number;
}

/** The whole file of `s` read into memory (its size as opened), or null when it is not that size now. */
function readSegment(s: OpenSegment): Buffer | null {
  const buf = Buffer.allocUnsafe(s.info.size);
  return readFully(s.fd, buf) ? buf : null;
}

/** One segment scanned into an index of its own (segment number 0). */
function scanSegment(s: OpenSegment, keep: boolean): { part: SlotIndex; counts: SegmentCounts } {
  const part = new SlotIndex();
  const on = (r: ScannedRecord) => part.put(0, r);
  if (keep) {
    // A segment that shrank meanwhile is not one mmr wrote: scan what is there.
    let buf = readSegment(s);
    if (!buf) {
      const chunked = scanChunked(s.fd, s.info.size, on);
      return { part, counts: { corrupt: chunked.corrupt, torn: chunked.tail > 0 ? 1 : 0 } };
    }
    const r = scanRecords(buf, 0, on);
    s.buf = buf;
    buf = null;
    return { part, counts: { corrupt: r.corrupt, torn: r.consumed < s.info.size ? 1 : 0 } };
  }
  const r = scanChunked(s.fd, s.info.size, on);
  return { part, counts: { corrupt: r.corrupt, torn: r.tail > 0 ? 1 : 0 } };
}

/**
 * Opens `infos` in order into `index` (segment number = position in the result): each from its
 * index file when `indexFiles` and it has a valid one (its bytes then read on the first reads
 * that need them), else scanned. Throws ENOENT when a segment vanished meanwhile (a compactor
 * merged it): list again and retry.
 */
export function loadSegments(infos: SegmentInfo[], index: SlotIndex, o: LoadOptions = {}, first = 0): LoadResult {
  const keepBytes = o.keepBytes ?? KEEP_IN_MEMORY_BYTES;
  const out: LoadResult = { segments: [], corrupt: 0, torn: 0 };
  let kept = 0;
  try {
    for (const info of infos) {
      const fd = openSync(info.file, 'r');
      const st = fstatSync(fd);
      const s: OpenSegment = { info: { ...info, size: st.size }, fd, buf: null, lazy: false, reads: 0 };
      out.segments.push(s);
      const keep = kept + st.size <= keepBytes;
      if (keep) kept += st.size;
      const indexed = o.indexFiles === true && info.sealed && st.size >= (o.indexMinBytes ?? INDEX_MIN_BYTES);
      const stored = indexed ? readIndexFile(info.file, st) : null;
      if (stored) s.lazy = keep;
      const { part, counts } = stored ?? scanSegment(s, keep);
      // Best effort: a reader that cannot write it scans again next time.
      if (!stored && indexed) writeIndexFile(info.file, st, part, counts);
      index.merge(first + out.segments.length - 1, part);
      out.corrupt += counts.corrupt;
      if (counts.torn && info.sealed) out.torn++;
    }
  } catch (err) {
    for (const s of out.segments) closeSync(s.fd);
    throw err;
  }
  return out;
}

/** Scans the segment `file` and writes its index file (compaction, for its output); false when it could not. */
export function writeIndexOf(file: string, minBytes = INDEX_MIN_BYTES): boolean {
  return withReadFd(file, false, (fd) => {
    const st = fstatSync(fd);
    if (st.size < minBytes) return false;
    const s: OpenSegment = { info: { name: '', file, started: 0, size: st.size, mtimeMs: st.mtimeMs, sealed: true }, fd, buf: null, lazy: false, reads: 0 };
    const { part, counts } = scanSegment(s, false);
    return writeIndexFile(file, st, part, counts);
  });
}

/** Reads through a pread each before a lazily kept segment is read whole: a run asking a few answers never reads it all. */
const PREADS_BEFORE_WHOLE = 64;

/** The bytes of the record at `slot`: from memory, or one pread (`off`: where it starts in `buf`). */
export function readRecord(segments: OpenSegment[], index: SlotIndex, slot: number): { buf: Buffer; off: number } | null {
  const s = segments[index.seg[slot]];
  if (!s) return null;
  const off = index.off[slot];
  const len = index.len[slot];
  if (s.buf) return off + len <= s.buf.length ? { buf: s.buf, off } : null;
  if (s.lazy && ++s.reads > PREADS_BEFORE_WHOLE) {
    s.lazy = false;
    s.buf = readSegment(s);
    if (s.buf) return off + len <= s.buf.length ? { buf: s.buf, off } : null;
  }
  const buf = Buffer.allocUnsafe(len);
  try {
    return readSync(s.fd, buf, 0, len, off) === len ? { buf, off: 0 } : null;
  } catch {
    return null;
  }
}
