/**
 * The compaction lock of the cache store: one compactor at a time. proper-lockfile's directory
 * lock (`compact.lock`, its mtime refreshed while held) plus an owner file beside it naming the
 * holder's machine and pid, so a lock left by a compactor that was killed is taken over at once
 * instead of reading as "busy" until it goes stale (30 s).
 */
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MmrError } from '../core/errors.js';
import { HOST, pidAlive } from './cache-segments.js';

/** What taking the lock found: held (with its release), no store at all, or a live holder. */
export type StoreLock = { state: 'held'; release: () => Promise<void> } | { state: 'missing' } | { state: 'busy'; holder: string | null };

/** A cache store that cannot be read or written (permissions, read-only file system, not a directory). */
export class CacheStoreError extends MmrError {
  constructor(what: string, file: string, err: unknown) {
    const code = (err as NodeJS.ErrnoException)?.code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code === 'ENOTDIR' ? 'not a directory' : ((err as Error)?.message ?? String(err));
    const fix = code === 'ENOTDIR' ? 'a file is in the way of that path: move it' : 'check the permissions of that path';
    super(`cannot ${what} ${file}: ${why}`, { exitCode: 1, cause: err, hint: `${fix}, or point XDG_CACHE_HOME at a writable directory` });
    this.name = 'CacheStoreError';
  }
}

const lockPath = (dir: string) => path.join(dir, 'compact.lock');
const ownerPath = (dir: string) => path.join(dir, 'compact.lock.owner');

/** The lock's holder when it is known to be gone: an owner file of this machine, written for this very lock, naming a dead pid. */
async function deadHolder(dir: string): Promise<{ dead: boolean; holder: string | null }> {
  const [lockSt, ownerSt, text] = await Promise.all([stat(lockPath(dir)).catch(() => null), stat(ownerPath(dir)).catch(() => null), readFile(ownerPath(dir), 'utf8').catch(() => null)]);
  const m = text ? /^(\w+) (\d+)\n?$/.exec(text.slice(0, 100)) : null;
  if (!lockSt || !ownerSt || !m) return { dead: false, holder: null };
  // An owner file older than the lock directory belongs to an earlier lock (its holder took the lock and has not written its own yet).
  if (lockSt.birthtimeMs > 0 && ownerSt.mtimeMs + 1 < lockSt.birthtimeMs) return { dead: false, holder: null };
  const pid = Number(m[2]);
  const holder = m[1] === HOST ? `pid ${pid}` : 'an mmr on another machine';
  return { dead: m[1] === HOST && !pidAlive(pid), holder };
}

async function tryLock(dir: string): Promise<StoreLock | 'locked'> {
  const lockfile = await import('proper-lockfile');
  const lock = lockfile.lock ?? (lockfile as unknown as { default: typeof lockfile }).default.lock;
  let release: () => Promise<void>;
  try {
    release = await lock(dir, { lockfilePath: lockPath(dir), realpath: false, retries: 0, stale: 30_000 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOCKED') return 'locked';
    if (code === 'ENOENT') return { state: 'missing' };
    throw new CacheStoreError('lock the cache store', lockPath(dir), err);
  }
  try {
    await writeFile(ownerPath(dir), `${HOST} ${process.pid}\n`, { mode: 0o600 });
  } catch (err) {
    await release().catch(() => {});
    throw new CacheStoreError('write', ownerPath(dir), err);
  }
  return {
    state: 'held',
    release: async () => {
      await rm(ownerPath(dir), { force: true }).catch(() => {});
      await release();
    },
  };
}

/** Takes the compaction lock of the store in `dir`; never waits. */
export async function lockStore(dir: string): Promise<StoreLock> {
  const first = await tryLock(dir);
  if (first !== 'locked') return first;
  const { dead, holder } = await deadHolder(dir);
  if (!dead) return { state: 'busy', holder };
  // Move the dead holder's lock aside (rename is atomic: of several takers one gets it), then try once more.
  const aside = `${lockPath(dir)}.dead-${process.pid}`;
  if (await rename(lockPath(dir), aside).then(() => true, () => false)) {
    await rm(aside, { recursive: true, force: true });
    await rm(ownerPath(dir), { force: true });
  }
  const second = await tryLock(dir);
  return second === 'locked' ? { state: 'busy', holder: (await deadHolder(dir)).holder } : second;
}

/** Whether the store directory exists (false: an empty cache); throws CacheStoreError when it cannot be read. */
export async function storeExists(dir: string): Promise<boolean> {
  try {
    await readdir(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CacheStoreError('read the cache store', dir, err);
  }
}
