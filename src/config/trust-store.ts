/**
 * The trusted-files store: `trusted.json` in the user's config directory, a list of
 * {absolute path, SHA-256 of the content, when}. It decides whether a repository's config may
 * run programs or move keys, so it is read as carefully as a config found by searching: a
 * regular file of at most 1 MB, the user's own and writable by nobody else (nor its directory),
 * every entry validated. Reading for a check fails closed: a store that is not right trusts
 * nothing, with a warning naming it. Writing refuses to replace a store it cannot read (that
 * would silently forget every other trusted file); the user fixes or deletes it.
 */
import path from 'node:path';
import { MmrError } from '../core/errors.js';
import { nodeIo, removeStaleTemps, withLock, writeAtomic, writeError, type WriteIo } from './atomic.js';
import { currentUid, readConfigFile } from './files.js';
import { userConfigDir } from './paths.js';

/** One trusted file. */
export interface TrustEntry {
  /** Absolute path, symlinks resolved. */
  path: string;
  /** SHA-256 (hex) of the content trusted; see configDigest. */
  sha256: string;
  /** ISO 8601 time it was trusted. */
  trustedAt: string;
}

export const TRUST_STORE_NAME = 'trusted.json';
/** Entries kept; the oldest go first beyond this. */
export const MAX_TRUST_ENTRIES = 2000;
const MAX_PATH = 4096;
const HEX64 = /^[0-9a-f]{64}$/;

export type StoreRead = { ok: true; entries: TrustEntry[] } | { ok: false; problem: string };

export const trustStorePath = (env: NodeJS.ProcessEnv) => path.join(userConfigDir(env), TRUST_STORE_NAME);

function validate(text: string): StoreRead {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `is not valid JSON (${(err as Error).message})` };
  }
  const d = doc as { version?: unknown; files?: unknown };
  if (typeof doc !== 'object' || doc === null || d.version !== 1 || !Array.isArray(d.files)) {
    return { ok: false, problem: 'is not an mmr trust store ({"version": 1, "files": [...]})' };
  }
  if (d.files.length > MAX_TRUST_ENTRIES) return { ok: false, problem: `has ${d.files.length} entries; at most ${MAX_TRUST_ENTRIES} are allowed` };
  const entries: TrustEntry[] = [];
  for (const [i, e] of d.files.entries()) {
    const x = e as Partial<TrustEntry>;
    const good =
      typeof x === 'object' && x !== null &&
      typeof x.path === 'string' && path.isAbsolute(x.path) && x.path.length <= MAX_PATH && !x.path.includes('\0') &&
      typeof x.sha256 === 'string' && HEX64.test(x.sha256) &&
      typeof x.trustedAt === 'string' && x.trustedAt.length <= 40 && !Number.isNaN(Date.parse(x.trustedAt));
    if (!good) return { ok: false, problem: `has a malformed entry at files[${i}] (each needs an absolute "path", a hex "sha256" and an ISO "trustedAt")` };
    entries.push({ path: x.path!, sha256: x.sha256!, trustedAt: x.trustedAt! });
  }
  return { ok: true, entries };
}

/** The store's entries, or why it cannot be used. A missing store is an empty one. */
export function readTrustStore(file: string, uid: number | undefined = currentUid()): StoreRead {
  const r = readConfigFile(file, { search: true, uid });
  if (r.kind === 'missing') return { ok: true, entries: [] };
  if (r.kind === 'skipped') return { ok: false, problem: `(${r.path === file ? 'the file' : 'its directory'}) is ${r.reason}, so someone else could have written it` };
  if (r.kind === 'error') return { ok: false, problem: r.message };
  return validate(r.text);
}

/** The entry for `realFile`, if any (whatever its hash): lets an error say "changed since you trusted it". */
export function entryFor(entries: readonly TrustEntry[], realFile: string): TrustEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].path === realFile) return entries[i];
  return undefined;
}

export interface EditOptions {
  uid?: number;
  io?: WriteIo;
}

/**
 * Change the store under a lock: read it (refusing a corrupt one), apply `edit` (null: no
 * change, nothing written), keep the newest MAX_TRUST_ENTRIES (one per path), write it
 * atomically 0600 in a 0700 directory.
 */
export async function editTrustStore(env: NodeJS.ProcessEnv, edit: (entries: TrustEntry[]) => TrustEntry[] | null, opts: EditOptions = {}): Promise<TrustEntry[]> {
  const file = trustStorePath(env);
  const dir = path.dirname(file);
  const io = opts.io ?? nodeIo;
  const fail = (err: unknown) => writeError(err, file, file, 'set XDG_CONFIG_HOME to a directory you can write') ?? err;
  try {
    await io.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fail(err);
  }
  return withLock(file, file, async () => {
    const current = readTrustStore(file, opts.uid ?? currentUid());
    if (!current.ok) {
      throw new MmrError(`the trust store ${file} ${current.problem}; nothing was changed`, {
        hint: `fix it by hand, or delete it (every file you trusted will then need mmr trust again)`,
      });
    }
    const edited = edit(current.entries);
    if (!edited) return current.entries;
    const next = new Map<string, TrustEntry>();
    for (const e of edited) {
      next.delete(e.path); // re-trusting moves an entry to the end: newest last
      next.set(e.path, e);
    }
    const kept = [...next.values()].slice(-MAX_TRUST_ENTRIES);
    const text = `${JSON.stringify({ version: 1, files: kept }, null, 2)}\n`;
    try {
      await removeStaleTemps(file, io);
      await writeAtomic(file, text, 0o600, io);
    } catch (err) {
      throw fail(err);
    }
    return kept;
  }, 'set XDG_CONFIG_HOME to a directory you can write');
}
