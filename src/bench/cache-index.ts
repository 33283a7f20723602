/**
 * The in-memory index of the cache store: key prefix → where the newest record for it lives.
 * Built at open by scanning the segments' bytes (cache-record.ts); a slot takes ~40 bytes, so
 * 200,000 answers index in ~8 MB. Segments up to a byte budget stay in memory after the scan
 * (a cached re-run reads entries without a system call); beyond it entries are read with pread.
 */
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { MAX_RECORD_BYTES, scanRecords, type ScannedRecord } from './cache-record.js';
import type { SegmentInfo } from './cache-segments.js';

/** Segment bytes kept in memory after the scan, over all segments. */
export const KEEP_IN_MEMORY_BYTES = 48 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;

export interface OpenSegment {
  info: SegmentInfo;
  fd: number;
  /** The whole file as scanned, when it fit the budget. */
  buf: Buffer | null;
}

/**
 * Key prefix → slot, open addressing over typed arrays (a Map keyed by 52-bit numbers boxed
 * every key and cost ~1 µs a lookup): `table[h]` is slot + 1 (0: empty), probed linearly from
 * the prefix's low bits, which are uniform since keys are SHA-256 hex. Slots are numbered
 * 0..size-1 in the order keys were first put, and never removed.
 */
export class SlotIndex {
  private table = new Int32Array(2048);
  private mask = 2047;
  private count = 0;
  pre = new Float64Array(1024);
  seg = new Uint16Array(1024);
  off = new Float64Array(1024);
  len = new Uint32Array(1024);
  t = new Float64Array(1024);
  /** Records replaced by a newer one for the same key (dead bytes on disk). */
  superseded = 0;
  supersededBytes = 0;

  get size(): number {
    return this.count;
  }

  /** The table position holding `prefix`, or the empty one where it would go. */
  private position(prefix: number): number {
    let h = (prefix % 4294967296) & this.mask;
    for (;;) {
      const s = this.table[h];
      if (s === 0 || this.pre[s - 1] === prefix) return h;
      h = (h + 1) & this.mask;
    }
  }

  private grow(): void {
    const n = this.seg.length * 2;
    const copy = <T extends Uint16Array | Float64Array | Uint32Array>(a: T, b: T) => (b.set(a), b);
    this.pre = copy(this.pre, new Float64Array(n));
    this.seg = copy(this.seg, new Uint16Array(n));
    this.off = copy(this.off, new Float64Array(n));
    this.len = copy(this.len, new Uint32Array(n));
    this.t = copy(this.t, new Float64Array(n));
  }

  /** Twice the table, every slot put back: kept at most half full. */
  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2);
    this.mask = this.table.length - 1;
    for (let slot = 0; slot < this.count; slot++) this.table[this.position(this.pre[slot])] = slot + 1;
  }

  /** Records `r` of segment `seg`; the newer of two records for one key wins (a tie goes to the later one). */
  put(seg: number, r: ScannedRecord): void {
    const h = this.position(r.prefix);
    const found = this.table[h];
    if (found !== 0) {
      const at = found - 1;
      this.superseded++;
      if (this.t[at] > r.t) {
        this.supersededBytes += r.len + 1;
        return;
      }
      this.supersededBytes += this.len[at] + 1;
      this.set(at, seg, r);
      return;
    }
    const slot = this.count++;
    if (slot >= this.seg.length) this.grow();
    this.table[h] = slot + 1;
    this.pre[slot] = r.prefix;
    this.set(slot, seg, r);
    if (this.count * 2 > this.table.length) this.rehash();
  }

  private set(slot: number, seg: number, r: ScannedRecord): void {
    this.seg[slot] = seg;
    this.off[slot] = r.off;
    this.len[slot] = r.len;
    this.t[slot] = r.t;
  }

  find(prefix: number): number {
    return this.table[this.position(prefix)] - 1;
  }

  /** Whether this record is the one the index keeps for its key. */
  isWinner(seg: number, r: ScannedRecord): boolean {
    const at = this.find(r.prefix);
    return at >= 0 && this.seg[at] === seg && this.off[at] === r.off;
  }

  /** Every live slot. */
  *slots(): IterableIterator<number> {
    for (let slot = 0; slot < this.count; slot++) yield slot;
  }
}

export interface LoadResult {
  segments: OpenSegment[];
  /** Lines that are not records (counted, skipped). */
  corrupt: number;
  /** Segments ending in a partial line (a writer died mid-write; skipped silently). */
  torn: number;
}

/** Reads `fd` from `pos` in chunks, handing whole lines to `scanRecords`. */
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

/**
 * Opens and scans `infos` in order into `index` (segment number = position in the result).
 * Throws ENOENT when a segment vanished meanwhile (a compactor merged it): list again and retry.
 */
export function loadSegments(infos: SegmentInfo[], index: SlotIndex, keepBytes = KEEP_IN_MEMORY_BYTES, first = 0): LoadResult {
  const out: LoadResult = { segments: [], corrupt: 0, torn: 0 };
  let kept = 0;
  try {
    for (const info of infos) {
      const fd = openSync(info.file, 'r');
      const seg = first + out.segments.length;
      const size = fstatSync(fd).size;
      let buf: Buffer | null = null;
      const on = (r: ScannedRecord) => index.put(seg, r);
      if (kept + size <= keepBytes) {
        buf = Buffer.allocUnsafe(size);
        let got = 0;
        while (got < size) {
          const n = readSync(fd, buf, got, size - got, got);
          if (n <= 0) break;
          got += n;
        }
        buf = buf.subarray(0, got);
        const r = scanRecords(buf, 0, on);
        out.corrupt += r.corrupt;
        if (r.consumed < buf.length && info.sealed) out.torn++;
        kept += got;
      } else {
        const r = scanChunked(fd, size, on);
        out.corrupt += r.corrupt;
        if (r.tail > 0 && info.sealed) out.torn++;
      }
      out.segments.push({ info: { ...info, size }, fd, buf });
    }
  } catch (err) {
    for (const s of out.segments) closeSync(s.fd);
    throw err;
  }
  return out;
}

/** The bytes of the record at `slot`: from memory, or one pread (`off`: where it starts in `buf`). */
export function readRecord(segments: OpenSegment[], index: SlotIndex, slot: number): { buf: Buffer; off: number } | null {
  const s = segments[index.seg[slot]];
  if (!s) return null;
  const off = index.off[slot];
  const len = index.len[slot];
  if (s.buf) return off + len <= s.buf.length ? { buf: s.buf, off } : null;
  const buf = Buffer.allocUnsafe(len);
  try {
    return readSync(s.fd, buf, 0, len, off) === len ? { buf, off: 0 } : null;
  } catch {
    return null;
  }
}
