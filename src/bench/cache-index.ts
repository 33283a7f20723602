/**
 * The in-memory index of the cache store: key prefix → where the newest record for it lives.
 * Built at open from the segments (cache-load.ts); a slot takes ~30 bytes and the table ~8 more,
 * so 200,000 answers index in ~8 MB.
 */
import type { ScannedRecord } from './cache-record.js';

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

  /** An index of one segment as its index file holds it (cache-index-file.ts checked the parts). */
  static restore(p: { table: Int32Array<ArrayBuffer>; pre: Float64Array<ArrayBuffer>; off: Float64Array<ArrayBuffer>; len: Uint32Array<ArrayBuffer>; t: Float64Array<ArrayBuffer>; count: number; superseded: number; supersededBytes: number }): SlotIndex {
    const x = new SlotIndex();
    x.table = p.table;
    x.mask = p.table.length - 1;
    x.count = p.count;
    x.pre = p.pre;
    x.off = p.off;
    x.len = p.len;
    x.t = p.t;
    x.seg = new Uint16Array(p.count);
    x.superseded = p.superseded;
    x.supersededBytes = p.supersededBytes;
    return x;
  }

  /** The arrays, for the index file (slots 0..count-1 of each are live). */
  parts(): { table: Int32Array; pre: Float64Array; off: Float64Array; len: Uint32Array; t: Float64Array; count: number } {
    return { table: this.table, pre: this.pre, off: this.off, len: this.len, t: this.t, count: this.count };
  }

  /**
   * Puts every record of `part` (the index of one segment) as segment `seg`, the newer record
   * winning as in `put`. An empty index takes part's arrays as they are (no record put again).
   */
  merge(seg: number, part: SlotIndex): void {
    this.superseded += part.superseded;
    this.supersededBytes += part.supersededBytes;
    if (this.count === 0) {
      this.table = part.table;
      this.mask = part.mask;
      this.count = part.count;
      this.pre = part.pre;
      this.off = part.off;
      this.len = part.len;
      this.t = part.t;
      this.seg = new Uint16Array(part.pre.length).fill(seg);
      return;
    }
    const r: ScannedRecord = { prefix: 0, off: 0, len: 0, t: 0 };
    for (let s = 0; s < part.count; s++) {
      r.prefix = part.pre[s];
      r.off = part.off[s];
      r.len = part.len[s];
      r.t = part.t[s];
      this.put(seg, r);
    }
  }

  private grow(): void {
    const n = Math.max(1024, this.seg.length * 2);
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
