/**
 * Writing a config file safely, for the rule writer (save.ts): resolve the file (through a
 * dotfile manager's symlink), take an inter-process lock, re-read the current text under it,
 * write the edited text atomically with the file's mode, and keep a trusted file trusted after
 * mmr's own edit. What the edit is, and the checks around it, stay with the caller.
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { MmrError, UsageError } from '../core/errors.js';
import { nodeIo, readOnlyError, removeStaleTemps, withLock, writeAtomic, writeError, type WriteIo } from './atomic.js';
import { readConfigFile } from './files.js';
import { emptyConfig } from './schema.js';
import { privilegedSettings } from './trust.js';
import { configDigest } from './trust-check.js';
import { editTrustStore, entryFor, readTrustStore, trustStorePath } from './trust-store.js';

/** What to do about a config mmr cannot read: fix it by hand (mmr never overwrites it). */
export const FIX_HINT = 'Fix the file by hand (mmr never overwrites a config it cannot read), then try again.';
/** Where else a rule can go, for write errors. */
const ELSEWHERE = 'save the rule elsewhere: mmr rules add --file FILE, or --user for your user config';
/** A new config file: not group- or world-writable whatever the umask (the search would skip it). */
const NEW_FILE_MODE = 0o644;

/** A path for messages: relative when under the working directory. */
export function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** The current text under the lock: bounded, and only from a regular file (a FIFO would hang the read). */
function readCurrent(file: string): { text: string; bytes: Buffer; mode: number } | undefined {
  const r = readConfigFile(file);
  if (r.kind === 'missing') return undefined;
  if (r.kind === 'ok') return r;
  const what = r.kind === 'error' ? r.message : r.reason;
  throw new MmrError(`refusing to write ${shown(file)}: it ${what}; nothing was changed`, {
    hint: r.kind === 'error' && /regular file/.test(what) ? `mmr replaces only regular files; ${ELSEWHERE}` : FIX_HINT,
  });
}

/**
 * A file that was trusted before mmr's own edit stays trusted after it: the edit changes rules
 * only (checked here: the privileged settings are the same before and after). A store that
 * cannot be updated is left alone; the next command then says the file changed and how to
 * trust it again, so nothing is silently allowed.
 */
async function keepTrust(file: string, field: string | undefined, before: { bytes: Buffer; value: unknown }, after: { text: string; value: unknown }, env: NodeJS.ProcessEnv): Promise<void> {
  const privileged = (v: unknown) => privilegedSettings(v, emptyConfig(), env).map((p) => [p.path, p.effect]);
  const was = privileged(before.value);
  if (!was.length || !isDeepStrictEqual(was, privileged(after.value))) return;
  const digest = (bytes: Buffer, value: unknown) => configDigest(bytes, field ? { field, value } : undefined);
  const read = readTrustStore(trustStorePath(env));
  if (!read.ok || entryFor(read.entries, file)?.sha256 !== digest(before.bytes, before.value)) return;
  const entry = { path: file, sha256: digest(Buffer.from(after.text, 'utf8'), after.value), trustedAt: new Date().toISOString() };
  await editTrustStore(env, (entries) => [...entries, entry]).catch(() => undefined);
}

export interface EditOutcome<T> {
  text: string;
  result: T;
  /** The parsed values before and after the edit (for keeping trust). */
  before?: unknown;
  after: unknown;
}

/**
 * Run `edit` on the file's current text (undefined: no file yet) under an inter-process lock, then
 * write the result atomically; `edit` returning null writes nothing.
 */
export async function withLockedFile<T>(
  file: string,
  opts: { env?: NodeJS.ProcessEnv; io?: WriteIo; field?: string },
  edit: (text: string | undefined) => EditOutcome<T> | null,
): Promise<T | undefined> {
  const io = opts.io ?? nodeIo;
  const fail = (err: unknown) => writeError(err, file, shown(file), ELSEWHERE) ?? err;
  await io.mkdir(path.dirname(file), { recursive: true }).catch((err) => {
    throw fail(err);
  });
  return withLock(file, shown(file), async () => {
    // Temp files of a writer that was killed hold the whole config: nobody else needs them.
    await removeStaleTemps(file, io);
    // Re-read under the lock: another process may have saved a rule since we were asked.
    const current = readCurrent(file);
    if (current && (current.mode & 0o200) === 0) throw readOnlyError(shown(file), ELSEWHERE);
    const out = edit(current?.text);
    if (!out) return undefined;
    try {
      await writeAtomic(file, out.text, current?.mode ?? NEW_FILE_MODE, io);
    } catch (err) {
      throw fail(err);
    }
    if (current) await keepTrust(file, opts.field, { bytes: current.bytes, value: out.before }, { text: out.text, value: out.after }, opts.env ?? process.env);
    return out.result;
  }, ELSEWHERE);
}

/** The file to write: `file`, or a new one in `create.dir`; symlinks resolved (a link to nothing is refused). */
export async function target(opts: { file?: string; create?: { dir: string; name?: string } }): Promise<string> {
  const file = opts.file ?? (opts.create ? path.join(opts.create.dir, opts.create.name ?? '.routerrc.yaml') : undefined);
  if (!file) throw new UsageError('no config file to save the rule in', 'pass --file FILE, or --user to use your user config');
  const abs = path.resolve(file);
  // Dotfile managers symlink configs; renaming over the link would replace it with a copy.
  try {
    return await realpath(abs);
  } catch {
    const link = await lstat(abs).catch(() => undefined);
    if (link?.isSymbolicLink()) {
      throw new MmrError(`refusing to write ${shown(abs)}: it is a symbolic link to a file that does not exist; nothing was changed`, { hint: `fix or remove the link, or ${ELSEWHERE}` });
    }
    return abs;
  }
}
