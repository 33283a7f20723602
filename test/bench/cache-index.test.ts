/**
 * The cache store's in-memory index (open addressing over typed arrays): every key put is found
 * at its slot through growth and rehashing, prefixes that share their low bits (the probe start)
 * are told apart, the newer record of a key wins, and a key never put is not found.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { SlotIndex } from '../../src/bench/cache-index.js';
import { keyPrefix } from '../../src/bench/cache-record.js';

const key = (i: number) => createHash('sha256').update(`k${i}`).digest('hex');

describe('SlotIndex', () => {
  it('finds each of 50,000 keys at the slot it was given, and misses keys never put', () => {
    const index = new SlotIndex();
    const n = 50_000;
    for (let i = 0; i < n; i++) index.put(i % 3, { prefix: keyPrefix(key(i)), off: i * 10, len: 9, t: 1000 + i });
    expect(index.size).toBe(n);
    for (let i = 0; i < n; i++) {
      const slot = index.find(keyPrefix(key(i)));
      expect(slot).toBe(i);
      expect([index.seg[slot], index.off[slot], index.len[slot], index.t[slot]]).toEqual([i % 3, i * 10, 9, 1000 + i]);
    }
    for (let i = n; i < n + 1000; i++) expect(index.find(keyPrefix(key(i)))).toBe(-1);
    expect([...index.slots()]).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('tells apart prefixes with the same low 32 bits, and keeps the newer record of a key', () => {
    const index = new SlotIndex();
    const low = 0x12345678;
    const prefixes = Array.from({ length: 40 }, (_, i) => (i + 1) * 4294967296 + low);
    prefixes.forEach((p, i) => index.put(0, { prefix: p, off: i, len: 1, t: 5 }));
    prefixes.forEach((p, i) => expect(index.find(p)).toBe(i));
    expect(index.find(41 * 4294967296 + low)).toBe(-1);
    // An older record of a key loses; a newer (or equally new, later) one replaces it in place.
    index.put(1, { prefix: prefixes[3], off: 99, len: 4, t: 4 });
    expect([index.seg[3], index.off[3]]).toEqual([0, 3]);
    index.put(1, { prefix: prefixes[3], off: 77, len: 4, t: 5 });
    expect([index.seg[3], index.off[3], index.size]).toEqual([1, 77, 40]);
    expect(index.superseded).toBe(2);
    expect(index.isWinner(1, { prefix: prefixes[3], off: 77, len: 4, t: 5 })).toBe(true);
    expect(index.isWinner(0, { prefix: prefixes[3], off: 3, len: 1, t: 5 })).toBe(false);
  });

  it('reads a key prefix as parseInt does, and a key that is not lowercase hex as no stored key', () => {
    for (let i = 0; i < 100; i++) expect(keyPrefix(key(i))).toBe(Number.parseInt(key(i).slice(0, 13), 16));
    expect(new SlotIndex().find(keyPrefix('zz'))).toBe(-1);
    expect(Number.isNaN(keyPrefix('not a key'))).toBe(true);
  });
});
