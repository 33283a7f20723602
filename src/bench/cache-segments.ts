/**
 * The files of the bench cache store. Each mmr process that writes appends to a segment of its
 * own (`seg-<time>-<host>-<pid>-<rand>.jsonl`), so concurrent runs never share a file offset;
 * compaction merges segments whose writer is gone into one `cmp-<time>-<rand>.jsonl`. A
 * segment's writer is alive when it runs on this host and its pid exists; a segment from another
 * host (a shared home) counts as alive until it has not changed for a day.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const SEGMENT = /^(seg|cmp)-([0-9a-z]+)-(?:([0-9a-f]{8})-(\d+)-)?([0-9a-f]+)\.jsonl$/;
/** One-file-per-answer entries of mmr before the store (`<2 hex>/<key>.json`). */
export const LEGACY_DIR = /^[0-9a-f]{2}$/;
/** Unfinished compaction output (the compactor died): removed by the next compaction. */
export const TEMP = /\.tmp$/;
/** A segment's index file (cache-index-file.ts). */
export const INDEX = /^(seg|cmp)-.*\.jsonl\.idx$/;

/** This machine, hashed: names whose pid can be checked here. */
export const HOST = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8);
const STALE_FOREIGN_MS = 24 * 60 * 60 * 1000;

export function newSegmentName(kind: 'seg' | 'cmp', now = Date.now()): string {
  const rand = randomBytes(3).toString('hex');
  return kind === 'seg' ? `seg-${now.toString(36)}-${HOST}-${process.pid}-${rand}.jsonl` : `cmp-${now.toString(36)}-${rand}.jsonl`;
}

/** Whether a process of this machine is running (EPERM: running, not ours). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SegmentInfo {
  name: string;
  file: string;
  /** When it was started (from the name), ms since the epoch. */
  started: number;
  /** Bytes on disk. */
  size: number;
  mtimeMs: number;
  /** Its writer is gone (or it is a compaction output): compaction may merge it. */
  sealed: boolean;
}

export interface StoreListing {
  segments: SegmentInfo[];
  /** Directories of legacy one-file-per-answer entries. */
  legacyDirs: string[];
  /** Leftover temp files. */
  temps: string[];
  /** Index files of segments (some may have lost their segment to a compactor). */
  indexes: string[];
}

/** The store's files, oldest segment first (later segments win for the same key). */
export async function listStore(dir: string, now = Date.now()): Promise<StoreListing> {
  const out: StoreListing = { segments: [], legacyDirs: [], temps: [], indexes: [] };
  let names: import('node:fs').Dirent[];
  try {
    names = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const d of names) {
    const file = path.join(dir, d.name);
    if (d.isDirectory() && LEGACY_DIR.test(d.name)) out.legacyDirs.push(file);
    else if (d.isFile() && TEMP.test(d.name)) out.temps.push(file);
    else if (d.isFile() && INDEX.test(d.name)) out.indexes.push(file);
    else if (d.isFile()) {
      const m = SEGMENT.exec(d.name);
      if (!m) continue;
      const st = await stat(file).catch(() => null);
      if (!st) continue; // removed by a compactor meanwhile
      const started = Number.parseInt(m[2], 36);
      const sealed = m[1] === 'cmp' || (m[3] === HOST ? !pidAlive(Number(m[4])) : now - st.mtimeMs > STALE_FOREIGN_MS);
      out.segments.push({ name: d.name, file, started, size: st.size, mtimeMs: st.mtimeMs, sealed });
    }
  }
  out.segments.sort((a, b) => a.started - b.started || a.name.localeCompare(b.name));
  return out;
}
