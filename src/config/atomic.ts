/**
 * Writing files the user cannot afford to lose half of (configs, the trust store): under an
 * inter-process lock, through a temp file in the same directory (so the rename is atomic),
 * fsynced, never over something that is not a regular file, cleaning up temp files that a
 * killed mmr left behind (they hold a whole config), and turning the file-system errors people
 * actually meet (full disk, read-only mount, no permission) into errors that say what to do.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { MmrError } from '../core/errors.js';

/** The file-system calls a write makes; tests inject failures (ENOSPC, EROFS, EACCES) here. */
export interface WriteIo {
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  rm: typeof fsp.rm;
  chmod: typeof fsp.chmod;
  readdir: (dir: string) => Promise<string[]>;
  lstat: typeof fsp.lstat;
  mkdir: typeof fsp.mkdir;
}

export const nodeIo: WriteIo = {
  open: fsp.open,
  rename: fsp.rename,
  rm: fsp.rm,
  chmod: fsp.chmod,
  readdir: (dir) => fsp.readdir(dir),
  lstat: fsp.lstat,
  mkdir: fsp.mkdir,
};

/** A temp file older than this is stale whoever made it (pid reuse), in ms. */
const STALE_TEMP_MS = 10 * 60_000;
/** Waits between tries for a held lock, in ms (~3 s in all); another mmr writing holds it for milliseconds. */
const LOCK_WAITS_MS = Array.from({ length: 20 }, (_, i) => Math.min(400, 20 * 1.3 ** i));

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, another user's
  }
}

/**
 * Remove `.NAME.<pid>.<hex>.tmp` files next to `file` whose writer is gone. Call it under the
 * lock: while the lock is held no other writer of this file is between open and rename.
 */
export async function removeStaleTemps(file: string, io: WriteIo = nodeIo, now = Date.now()): Promise<string[]> {
  const dir = path.dirname(file);
  const pattern = new RegExp(`^\\.${escape(path.basename(file))}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await io.readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const tmp = path.join(dir, name);
    const st = await io.lstat(tmp).catch(() => undefined);
    if (!st?.isFile()) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && alive(pid) && now - st.mtimeMs < STALE_TEMP_MS) continue;
    await io.rm(tmp, { force: true }).catch(() => undefined);
    removed.push(tmp);
  }
  return removed;
}

/** Temp file in the same directory, fsync, the given mode, rename over `file`, fsync the directory. */
export async function writeAtomic(file: string, text: string, mode: number, io: WriteIo = nodeIo): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await io.open(tmp, 'wx', mode);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await io.chmod(tmp, mode); // open()'s mode is filtered by the umask
    await io.rename(tmp, file);
  } catch (err) {
    await io.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  try {
    const d = await io.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Directories cannot be opened for fsync on every platform (Windows); the rename is done.
  }
}

/** Run `fn` holding an inter-process lock on `file` (`FILE.lock`, stale after 10 s). */
export async function withLock<T>(file: string, shown: string, fn: () => Promise<T>, alternative?: string): Promise<T> {
  // proper-lockfile is CommonJS: Node's ESM loader exposes `lock` as a named export, the
  // esbuild bundle only under `default`, so take it from whichever has it.
  const lockfile = await import('proper-lockfile');
  const lock = lockfile.lock ?? (lockfile as unknown as { default: typeof lockfile }).default.lock;
  let release: (() => Promise<void>) | undefined;
  try {
    // Retry only a held lock: proper-lockfile's own retries would also wait out EROFS or EACCES.
    for (let i = 0; !release; i++) {
      try {
        release = await lock(file, { realpath: false, retries: 0, stale: 10_000 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || i >= LOCK_WAITS_MS.length) throw err;
        await new Promise((r) => setTimeout(r, LOCK_WAITS_MS[i] * (0.5 + Math.random())));
      }
    }
  } catch (err) {
    throw (
      writeError(err, file, shown, alternative) ??
      new MmrError(`could not lock ${shown}: ${(err as Error).message}`, {
        hint: `another mmr may be writing it; if none is running, remove ${shown}.lock`,
        cause: err,
      })
    );
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * A file-system error met while writing `file`, as an MmrError (exit 2) that says what happened
 * and what to do; undefined for errors that are mmr's bug. `alternative` is where else the user
 * could write (e.g. `--file FILE`).
 */
export function writeError(err: unknown, file: string, shown: string, alternative?: string): MmrError | undefined {
  const code = (err as NodeJS.ErrnoException)?.code;
  const dir = path.dirname(file);
  const or = alternative ? `, or ${alternative}` : '';
  const opts = (hint: string) => ({ hint, cause: err });
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new MmrError(`cannot write ${shown}: no space left on the device${code === 'EDQUOT' ? ' (disk quota reached)' : ''}; nothing was changed`, opts(`free some space where ${dir} is (df -h ${dir}) and try again${or}`));
    case 'EROFS':
      return new MmrError(`cannot write ${shown}: ${dir} is on a read-only file system; nothing was changed`, opts(`remount it read-write${or}`));
    case 'EACCES':
    case 'EPERM':
      return new MmrError(`cannot write ${shown}: permission denied in ${dir}; nothing was changed`, opts(`check who owns ${dir} (ls -ld ${dir}) and that you may write there${or}`));
    case 'ENOTDIR':
    case 'EEXIST':
      return new MmrError(`cannot write ${shown}: a file is in the way of the directory ${dir}; nothing was changed`, opts(`move that file aside${or}`));
    default:
      return undefined;
  }
}

/** A read-only file (no write bit for its owner) is a choice the rename would silently override. */
export function readOnlyError(shown: string, alternative?: string): MmrError {
  return new MmrError(`cannot write ${shown}: the file is read-only; nothing was changed`, {
    hint: `make it writable (chmod u+w ${shown}) if you mean mmr to edit it${alternative ? `, or ${alternative}` : ''}`,
  });
}
