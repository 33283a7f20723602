/**
 * A sealed segment's index on disk, beside it (`<segment>.idx`), so opening the store reads
 * ~1.6 MB of arrays instead of scanning every record head of the segment (40,000 answers: ~30 ms
 * of scan against ~2 ms). Written when a reader scanned a sealed segment that had none, and by
 * compaction for its output; written to a temp file and renamed, so a reader sees a whole file
 * or none. It is trusted only as far as it is checked: magic and version, the segment's size
 * and mtime as they are now, a SHA-256 over the whole file, every record inside the segment,
 * the hash table with room left. Anything else (stale, torn, foreign, an older mmr's segment)
 * is ignored and the segment scanned as before; an entry found through it is still checked
 * against its key and validated when it is decoded. Nothing here throws.
 *
 * Layout, little-endian: a 64-byte header (magic, version, counts, the segment's size and
 * mtime), then pre f64[count], off f64[count], t f64[count], len u32[count], table i32[tableLen],
 * then the SHA-256 of everything before it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';
import { KEY_AT, KEY_LEN } from './cache-record.js';
import { SlotIndex } from './cache-index.js';

const MAGIC = 'MMRCIDX\n';
const VERSION = 1;
const HEAD = 64;
const SUM = 32;
/** Bytes of the shortest record a segment can hold (its head and `{}`): bounds `count`. */
const MIN_RECORD = KEY_AT + KEY_LEN + 10;
/** Larger index files are not ours (a segment of ~1.4 GB has an index of ~150 MB). */
const MAX_FILE = 256 * 1024 * 1024;

/** What the scan of a segment found beside its records, kept with them. */
export interface SegmentCounts {
  /** Lines that are not records. */
  corrupt: number;
  /** 1 when the segment ends in a torn line. */
  torn: number;
}

export const indexFileOf = (segmentFile: string): string => `${segmentFile}.idx`;

/** `use` of the file opened for reading, closed after; `otherwise` when it cannot be opened or `use` throws. */
export function withReadFd<T>(file: string, otherwise: T, use: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return otherwise;
  }
  try {
    return use(fd);
  } catch {
    return otherwise;
  } finally {
    closeSync(fd);
  }
}

/** Fills `buf` from the start of `fd`; false when the file ends first. */
export function readFully(fd: number, buf: Buffer): boolean {
  for (let got = 0; got < buf.length; ) {
    const n = readSync(fd, buf, got, buf.length - got, got);
    if (n <= 0) return false;
    got += n;
  }
  return true;
}

/** The file's bytes, in a buffer of its own (8-byte aligned for the typed arrays), or null. */
function readWhole(file: string): Buffer | null {
  return withReadFd(file, null, (fd) => {
    const size = fstatSync(fd).size;
    if (size < HEAD + SUM || size > MAX_FILE) return null;
    const buf = Buffer.allocUnsafeSlow(size);
    return readFully(fd, buf) ? buf : null;
  });
}

/** The index of the segment `segmentFile` (as `st` shows it now) when its file is whole and fits it; else null. */
export function readIndexFile(segmentFile: string, st: Stats): { part: SlotIndex; counts: SegmentCounts } | null {
  const buf = readWhole(indexFileOf(segmentFile));
  if (!buf || buf.toString('latin1', 0, 8) !== MAGIC || buf.readUInt32LE(8) !== VERSION) return null;
  const count = buf.readUInt32LE(12);
  const tableLen = buf.readUInt32LE(16);
  const segSize = buf.readDoubleLE(40);
  if (segSize !== st.size || buf.readDoubleLE(48) !== st.mtimeMs) return null;
  if (count > st.size / MIN_RECORD || tableLen < 2 * count || tableLen < 2 || (tableLen & (tableLen - 1)) !== 0) return null;
  if (buf.length !== HEAD + 28 * count + 4 * tableLen + SUM) return null;
  const body = buf.length - SUM;
  if (!createHash('sha256').update(buf.subarray(0, body)).digest().equals(buf.subarray(body))) return null;
  // allocUnsafeSlow: a buffer of its own, never a SharedArrayBuffer.
  const ab = buf.buffer as ArrayBuffer;
  const at = buf.byteOffset + HEAD;
  const pre = new Float64Array(ab, at, count);
  const off = new Float64Array(ab, at + 8 * count, count);
  const t = new Float64Array(ab, at + 16 * count, count);
  const len = new Uint32Array(ab, at + 24 * count, count);
  const table = new Int32Array(ab, at + 28 * count, tableLen);
  // Never trusted to point outside the segment, nor to leave the table without an empty place.
  for (let i = 0; i < count; i++) {
    const o = off[i];
    if (!(o >= 0) || o !== Math.floor(o) || len[i] < MIN_RECORD || o + len[i] >= segSize) return null;
  }
  let used = 0;
  for (let h = 0; h < tableLen; h++) {
    const s = table[h];
    if (s < 0 || s > count) return null;
    if (s) used++;
  }
  if (used !== count) return null;
  const part = SlotIndex.restore({ table, pre, off, len, t, count, superseded: buf.readUInt32LE(28), supersededBytes: buf.readDoubleLE(32) });
  return { part, counts: { corrupt: buf.readUInt32LE(20), torn: buf.readUInt32LE(24) } };
}

/** Writes the index of the segment `segmentFile` (as `st` showed it when scanned); false when it could not. */
export function writeIndexFile(segmentFile: string, st: Stats, index: SlotIndex, counts: SegmentCounts): boolean {
  const { table, pre, off, len, t, count } = index.parts();
  const tableLen = table.length;
  const size = HEAD + 28 * count + 4 * tableLen + SUM;
  if (size > MAX_FILE) return false;
  const buf = Buffer.allocUnsafeSlow(size);
  buf.fill(0, 0, HEAD);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(VERSION, 8);
  buf.writeUInt32LE(count, 12);
  buf.writeUInt32LE(tableLen, 16);
  buf.writeUInt32LE(counts.corrupt, 20);
  buf.writeUInt32LE(counts.torn, 24);
  buf.writeUInt32LE(Math.min(index.superseded, 0xffffffff), 28);
  buf.writeDoubleLE(index.supersededBytes, 32);
  buf.writeDoubleLE(st.size, 40);
  buf.writeDoubleLE(st.mtimeMs, 48);
  const ab = buf.buffer;
  const at = buf.byteOffset + HEAD;
  new Float64Array(ab, at, count).set(pre.subarray(0, count));
  new Float64Array(ab, at + 8 * count, count).set(off.subarray(0, count));
  new Float64Array(ab, at + 16 * count, count).set(t.subarray(0, count));
  new Uint32Array(ab, at + 24 * count, count).set(len.subarray(0, count));
  new Int32Array(ab, at + 28 * count, tableLen).set(table);
  createHash('sha256').update(buf.subarray(0, size - SUM)).digest().copy(buf, size - SUM);
  const target = indexFileOf(segmentFile);
  const tmp = `${target}.${randomBytes(3).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      for (let w = 0; w < size; ) w += writeSync(fd, buf, w, size - w);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
    return true;
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // a temp file left over is removed by the next compaction
    }
    return false;
  }
}
