/**
 * One cache record on disk: a JSON line `{"k":"<64 hex>","t":<ms>,"v":<entry>}\n` whose key and
 * time sit at fixed places, so a segment can be indexed by scanning bytes (no JSON.parse per
 * line at start-up) and still be read with `jq`. A line without its newline is a torn tail (a
 * writer that died mid-write) and is skipped silently; anything else that does not fit the
 * layout is counted as corrupt. The entry itself is parsed and validated only when it is read.
 */
import { validEntry, type CachedAnswer } from './cache.js';
import { fastEntry } from './cache-entry-fast.js';

const HEAD = Buffer.from('{"k":"', 'latin1');
const MID = Buffer.from('","t":', 'latin1');
const VAL = Buffer.from(',"v":', 'latin1');
/** Offset of the key in a record. */
export const KEY_AT = HEAD.length;
export const KEY_LEN = 64;
/** A record longer than this is not one mmr wrote. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

const NIB = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) NIB[48 + i] = i;
for (let i = 0; i < 6; i++) NIB[97 + i] = 10 + i;

/** The first 52 bits of a hex key as a number: the in-memory index key (the full key is checked on read). */
export function keyPrefix(key: string): number {
  let prefix = 0;
  for (let i = 0; i < 13; i++) {
    const c = key.charCodeAt(i);
    const n = c < 256 ? NIB[c] : -1;
    // Not lowercase hex (the runner's keys always are): what parseInt gives, so it finds nothing.
    if (n < 0) return Number.parseInt(key.slice(0, 13), 16);
    prefix = prefix * 16 + n;
  }
  return prefix;
}

export const isCacheKey = (key: string) => /^[0-9a-f]{64}$/.test(key);

/** The line for one entry. */
export function encodeRecord(key: string, timeMs: number, value: unknown): string {
  return `{"k":"${key}","t":${Math.round(timeMs)},"v":${JSON.stringify(value)}}\n`;
}

export interface ScannedRecord {
  prefix: number;
  /** Byte offset of the record in its segment. */
  off: number;
  /** Bytes, newline excluded. */
  len: number;
  /** ms since the epoch when it was written. */
  t: number;
}

function startsWithAt(buf: Buffer, at: number, what: Buffer): boolean {
  if (at + what.length > buf.length) return false;
  for (let i = 0; i < what.length; i++) if (buf[at + i] !== what[i]) return false;
  return true;
}

/** Where the entry's JSON starts in the record at `off` (length `len`), or -1 when the layout is wrong. */
export function valueStart(buf: Buffer, off: number, len: number): number {
  const end = off + len;
  if (len < KEY_AT + KEY_LEN + MID.length + 1 + VAL.length + 2 || buf[end - 1] !== 0x7d) return -1;
  if (!startsWithAt(buf, off, HEAD) || !startsWithAt(buf, off + KEY_AT + KEY_LEN, MID)) return -1;
  let p = off + KEY_AT + KEY_LEN + MID.length;
  const digits = p;
  while (p < end && buf[p] >= 48 && buf[p] <= 57) p++;
  if (p === digits || p - digits > 16 || !startsWithAt(buf, p, VAL)) return -1;
  return p + VAL.length;
}

/**
 * Reads the record head at `off` into `into` (key prefix and time); false when the head is not
 * a record's. The rest of the line (the entry) is checked only when it is read, so a damaged
 * entry is still found by its key and counted as corrupt then.
 */
function parseHead(buf: Buffer, off: number, len: number, into: ScannedRecord): boolean {
  if (len < KEY_AT + KEY_LEN + MID.length + 1 || !startsWithAt(buf, off, HEAD) || !startsWithAt(buf, off + KEY_AT + KEY_LEN, MID)) return false;
  let prefix = 0;
  for (let i = 0; i < KEY_LEN; i++) {
    const n = NIB[buf[off + KEY_AT + i]];
    if (n < 0) return false;
    if (i < 13) prefix = prefix * 16 + n;
  }
  let t = 0;
  let p = off + KEY_AT + KEY_LEN + MID.length;
  const digits = p;
  for (; p < off + len && buf[p] >= 48 && buf[p] <= 57; p++) t = t * 10 + (buf[p] - 48);
  if (p === digits || p - digits > 16) return false;
  into.prefix = prefix;
  into.t = t;
  return true;
}

export interface ScanResult {
  /** Bytes consumed: up to and including the last newline (a partial line waits for more data). */
  consumed: number;
  /** Lines whose head is not a record's: no key to file them under (stats and compaction see them). */
  corrupt: number;
}

/**
 * Scans whole lines of `buf` (which starts at file offset `base`), calling `on` for each record
 * with one object reused for all of them (read its fields; do not keep it). The bytes after the
 * last newline are left for the caller: more of the file, or a torn tail.
 */
export function scanRecords(buf: Buffer, base: number, on: (r: ScannedRecord) => void): ScanResult {
  let corrupt = 0;
  let start = 0;
  const rec: ScannedRecord = { prefix: 0, off: 0, len: 0, t: 0 };
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) break;
    const len = nl - start;
    if (len > 0) {
      if (len <= MAX_RECORD_BYTES && parseHead(buf, start, len, rec)) {
        rec.off = base + start;
        rec.len = len;
        on(rec);
      } else corrupt++;
    }
    start = nl + 1;
  }
  return { consumed: start, corrupt };
}

/** Whether the record at `off` is stored under `key` (compared byte by byte, no string made). */
export function hasKey(buf: Buffer, off: number, key: string): boolean {
  if (key.length !== KEY_LEN || off + KEY_AT + KEY_LEN > buf.length) return false;
  for (let i = 0; i < KEY_LEN; i++) if (buf[off + KEY_AT + i] !== key.charCodeAt(i)) return false;
  return true;
}

/** The record's key as written (latin1: hex only), for the check that the index pointed at the right one. */
export function recordKey(buf: Buffer, off: number): string {
  return buf.toString('latin1', off + KEY_AT, off + KEY_AT + KEY_LEN);
}

/** The validated entry of the record at `off` (`len` bytes), or null when it is not a valid entry. */
export function decodeEntry(buf: Buffer, off: number, len: number): CachedAnswer | null {
  const vs = valueStart(buf, off, len);
  if (vs < 0) return null;
  // mmr's own layout is read from the bytes; anything else the general way.
  const fast = fastEntry(buf, vs, off + len - 1);
  if (fast) return fast;
  try {
    return validEntry(JSON.parse(buf.toString('utf8', vs, off + len - 1)));
  } catch {
    return null;
  }
}
