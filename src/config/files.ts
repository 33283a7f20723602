/**
 * Reading a config file without trusting what sits at its path. A path found by searching can
 * be anything a clone or another local user put there: a FIFO (a read would block forever), a
 * symlink to /dev/zero (a read would never end), a 2 GB file, or a file in a shared directory
 * that someone else can rewrite. So: stat first (no open, so no device is ever opened), only a
 * regular file of at most MAX_CONFIG_BYTES is read, the read itself is bounded, and when the
 * file was found by searching, it and its directory must be this user's (or root's) and not
 * writable by anyone else.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Largest config file mmr reads, in bytes (1 MB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export type ReadResult =
  | { kind: 'missing' }
  /** Not this user's to trust (found by searching): warn and look elsewhere. `path` is the file or its directory. */
  | { kind: 'skipped'; path: string; reason: string }
  /** A file-level config problem (not a regular file, too big, unreadable). */
  | { kind: 'error'; message: string }
  /** `mode`: permission bits (`st_mode & 0o7777`). */
  | { kind: 'ok'; bytes: Buffer; text: string; mode: number };

export interface ReadOptions {
  /** Found by searching: the file and its directory must be this user's (see ownershipProblem). */
  search?: boolean;
  /** The uid files must belong to; default this process's (none on Windows: no ownership checks). */
  uid?: number;
  /** Directory verdicts already reached in this search (one stat and one warning per directory). */
  dirs?: Map<string, string | null>;
}

/** "a FIFO (named pipe)", "a directory", ...: what a path is, for messages. */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return st.isFile() ? 'a regular file' : 'not a regular file';
}

let privateGroups: Map<number, boolean> | undefined;

/**
 * Whether `gid` is the user's private group (Debian's user-private-groups, umask 002): a group
 * named like the user with no other member. Group-writable files are the norm there, and
 * Debian's OpenSSH accepts them for the same reason. /etc/group is read only when a file is
 * group-writable, which is rare elsewhere.
 */
function isPrivateGroup(gid: number): boolean {
  privateGroups ??= new Map();
  const known = privateGroups.get(gid);
  if (known !== undefined) return known;
  let ok = false;
  try {
    const user = os.userInfo().username;
    const text = readFileSync('/etc/group', 'utf8').slice(0, MAX_CONFIG_BYTES);
    const entry = text.split('\n').map((l) => l.split(':')).find((f) => f.length >= 4 && Number(f[2]) === gid);
    const members = entry?.[3].split(',').map((m) => m.trim()).filter(Boolean) ?? [];
    ok = entry?.[0] === user && members.every((m) => m === user);
  } catch {
    ok = false;
  }
  privateGroups.set(gid, ok);
  return ok;
}

/**
 * Why a file or directory found by searching is not this user's to trust, or undefined. Root's
 * are fine (system directories); another user's are not (git's CVE-2022-24765 class), nor
 * anything others can write into, such as /tmp itself.
 */
export function ownershipProblem(st: Stats, uid: number | undefined): string | undefined {
  if (uid === undefined) return undefined;
  if (st.uid !== uid && st.uid !== 0) return `owned by uid ${st.uid}`;
  if (st.mode & 0o002) return 'writable by others';
  if (st.mode & 0o020 && !(st.uid === uid && isPrivateGroup(st.gid))) return `writable by group ${st.gid}`;
  return undefined;
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? '';
const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
const tooBig = (n: number) => ({ kind: 'error', message: `is ${mb(n)}; a config file may be at most 1 MB` }) as const;

function statError(err: unknown): ReadResult {
  const code = errno(err);
  if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'error', message: 'cannot be read: permission denied (check the permissions of the file and its directory)' };
  if (code === 'ELOOP') return { kind: 'error', message: 'is a loop of symbolic links' };
  return { kind: 'error', message: `cannot be read: ${(err as Error).message}` };
}

function dirVerdict(dir: string, opts: ReadOptions): string | null {
  const cached = opts.dirs?.get(dir);
  if (cached !== undefined) return cached;
  let verdict: string | null = null;
  try {
    verdict = ownershipProblem(statSync(dir), opts.uid) ?? null;
  } catch {
    verdict = null; // the file's own stat succeeded; a directory we cannot stat is not another user's
  }
  opts.dirs?.set(dir, verdict);
  return verdict;
}

/** Everything in an open file, or undefined past `limit` bytes (the size may change after fstat; /proc reports 0). */
function readBounded(fd: number, sizeHint: number, limit: number): Buffer | undefined {
  const parts: Buffer[] = [];
  let total = 0;
  let chunk = Buffer.allocUnsafe(Math.min(sizeHint, limit) + 1);
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
    total += n;
    if (total > limit) return undefined;
    parts.push(chunk.subarray(0, n));
    chunk = Buffer.allocUnsafe(64 * 1024);
  }
}

/**
 * The file's bytes and text, or why not. Synchronous on purpose: the search probes a dozen
 * paths at start-up, and a failed stat() costs microseconds where each async call costs a
 * thread-pool round trip.
 */
export function readConfigFile(file: string, given: ReadOptions = {}): ReadResult {
  const opts = given.uid === undefined ? { ...given, uid: currentUid() } : given;
  let st: Stats | undefined;
  try {
    st = statSync(file, { throwIfNoEntry: false });
  } catch (err) {
    return statError(err);
  }
  if (!st) return { kind: 'missing' };
  if (opts.search) {
    const dir = path.dirname(file);
    const verdict = dirVerdict(dir, opts);
    if (verdict) return { kind: 'skipped', path: dir, reason: verdict };
  }
  if (!st.isFile()) return { kind: 'error', message: `is ${kindOf(st)}, not a regular file; mmr reads config only from regular files` };
  if (opts.search) {
    const problem = ownershipProblem(st, opts.uid);
    if (problem) return { kind: 'skipped', path: file, reason: problem };
  }
  if (st.size > MAX_CONFIG_BYTES) return tooBig(st.size);
  let fd: number;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the stat, open() must not wait for a writer.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (err) {
    return statError(err);
  }
  try {
    const now = fstatSync(fd);
    if (!now.isFile() || now.ino !== st.ino || now.dev !== st.dev) return { kind: 'error', message: 'changed while mmr was reading it; try again' };
    const bytes = readBounded(fd, now.size, MAX_CONFIG_BYTES);
    if (!bytes) return tooBig(MAX_CONFIG_BYTES + 1);
    return { kind: 'ok', bytes, text: bytes.toString('utf8'), mode: now.mode & 0o7777 };
  } catch (err) {
    return statError(err);
  } finally {
    closeSync(fd);
  }
}

/** This process's uid for ownership checks (undefined where there are none: Windows). */
export const currentUid = (): number | undefined => (typeof process.getuid === 'function' ? process.getuid() : undefined);
