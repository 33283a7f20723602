/**
 * What the cache store holds (`mmr cache stats`), and emptying it (`mmr cache clear`).
 * Compaction is in cache-maintain.ts.
 */
import { closeSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { decodeEntry } from './cache-record.js';
import { SlotIndex } from './cache-index.js';
import { loadSegments, readRecord } from './cache-load.js';
import { listStore } from './cache-segments.js';
import { CacheStoreError, storeExists } from './cache-lock.js';

export interface StoreStats {
  dir: string;
  /** False when there is no store directory (nothing cached yet, or just cleared). */
  exists: boolean;
  /** Distinct cached answers (valid, newest record per key). */
  entries: number;
  /** Records on disk, superseded and corrupt ones included. */
  records: number;
  superseded: number;
  /** Records that are not valid entries (skipped when read). */
  corrupt: number;
  /** Segments ending in a partial line (a writer that died mid-write). */
  torn: number;
  segments: number;
  /** Segments a running mmr is still writing. */
  openSegments: number;
  /** Bytes of the segments. */
  bytes: number;
  /** ms since the epoch of the oldest and newest valid entry. */
  oldestMs: number | null;
  newestMs: number | null;
  /** Entries of the old one-file-per-answer store, still read (moved in by `mmr cache prune`). */
  legacyFiles: number;
  legacyBytes: number;
}

/** The files of the old one-file-per-answer store under `dirs`. */
export async function legacyFiles(dirs: string[]): Promise<{ file: string; size: number; mtimeMs: number }[]> {
  const out: { file: string; size: number; mtimeMs: number }[] = [];
  for (const d of dirs) {
    for (const name of await readdir(d).catch(() => [] as string[])) {
      const file = path.join(d, name);
      const st = await stat(file).catch(() => null);
      if (st?.isFile()) out.push({ file, size: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return out;
}

export async function storeStats(dir: string): Promise<StoreStats> {
  const exists = await storeExists(dir);
  const listing = await listStore(dir);
  const index = new SlotIndex();
  const loaded = loadSegments(listing.segments, index);
  const s: StoreStats = { dir, exists, entries: 0, records: index.size + index.superseded + loaded.corrupt, superseded: index.superseded, corrupt: loaded.corrupt, torn: loaded.torn, segments: loaded.segments.length, openSegments: listing.segments.filter((x) => !x.sealed).length, bytes: 0, oldestMs: null, newestMs: null, legacyFiles: 0, legacyBytes: 0 };
  try {
    for (const seg of loaded.segments) s.bytes += seg.info.size;
    for (const slot of index.slots()) {
      const rec = readRecord(loaded.segments, index, slot);
      if (!rec || !decodeEntry(rec.buf, rec.off, index.len[slot])) {
        s.corrupt++;
        continue;
      }
      s.entries++;
      const t = index.t[slot];
      s.oldestMs = s.oldestMs === null ? t : Math.min(s.oldestMs, t);
      s.newestMs = s.newestMs === null ? t : Math.max(s.newestMs, t);
    }
  } finally {
    for (const seg of loaded.segments) closeSync(seg.fd);
  }
  const legacy = await legacyFiles(listing.legacyDirs);
  s.legacyFiles = legacy.length;
  s.legacyBytes = legacy.reduce((a, f) => a + f.size, 0);
  return s;
}

/** Deletes every cached answer (store and legacy entries); returns how many files went. */
export async function clearStore(dir: string): Promise<{ files: number; bytes: number }> {
  const listing = await listStore(dir);
  const legacy = await legacyFiles(listing.legacyDirs);
  const files = listing.segments.length + legacy.length + listing.temps.length + listing.indexes.length;
  const bytes = listing.segments.reduce((a, s) => a + s.size, 0) + legacy.reduce((a, f) => a + f.size, 0);
  try {
    await rm(dir, { recursive: true, force: true });
  } catch (err) {
    throw new CacheStoreError('delete', (err as NodeJS.ErrnoException).path ?? dir, err);
  }
  return { files, bytes };
}
