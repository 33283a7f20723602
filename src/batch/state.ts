/**
 * The batch state file (`$XDG_CACHE_HOME/mmr/batches.json`, 0600): the jobs each `mmr bench
 * --batch` run has at the providers, so Ctrl-C can leave them running and a later run (or `mmr
 * batch status|resume|cancel`) finds them by id. It holds no key and no prompt: job ids, where
 * they were created, counts, and the errors of finished ones. Every change is read, modified
 * and written under a lock, through a temp file renamed over the old one; a file that is not
 * valid is set aside (never overwritten: it may name jobs still running) and reported.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { userCacheDir } from '../bench/cache.js';
import type { JobRecord, JobState } from './types.js';

export interface RunRecord {
  /** What the run does (files, models, options, slice): the same work resumes the same run. */
  id: string;
  cwd: string;
  /** The command line after `mmr`, to run it again (`mmr batch resume`). */
  argv: string[];
  createdAt: number;
  jobs: JobRecord[];
}

export interface BatchState {
  v: 1;
  runs: RunRecord[];
}

const MAX_STATE_BYTES = 64 * 1024 * 1024;
/** Errors kept per job in the file; past this a resumed run asks those requests again. */
export const MAX_ERRORS_KEPT = 2000;

export const stateFile = (env: NodeJS.ProcessEnv) => path.join(userCacheDir(env), 'batches.json');

const STATES = new Set<JobState>(['validating', 'running', 'finalizing', 'cancelling', 'completed', 'failed', 'expired', 'cancelled']);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max = 2048) => typeof v === 'string' && v.length > 0 && v.length <= max && !/[\u0000-\u001f\u007f]/.test(v);
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function validJob(v: unknown): JobRecord | null {
  if (!isObj(v)) return null;
  if (!text(v.id, 256) || !text(v.provider, 128) || !text(v.baseUrl) || !text(v.model, 512)) return null;
  if (v.protocol !== 'openai' && v.protocol !== 'anthropic' && v.protocol !== 'gemini') return null;
  if (!num(v.requests) || !num(v.submittedAt)) return null;
  if (v.expiresAt !== undefined && !num(v.expiresAt)) return null;
  if (v.inputFileId !== undefined && !text(v.inputFileId, 256)) return null;
  if (v.status !== undefined && !STATES.has(v.status as JobState)) return null;
  if (v.failure !== undefined && typeof v.failure !== 'string') return null;
  const errors: JobRecord['errors'] = {};
  if (isObj(v.errors)) {
    for (const [k, e] of Object.entries(v.errors)) {
      if (/^[0-9a-f]{64}$/.test(k) && isObj(e) && typeof e.kind === 'string' && typeof e.message === 'string') errors[k] = { kind: e.kind.slice(0, 64), message: e.message.slice(0, 1000), status: typeof e.status === 'number' ? e.status : null };
    }
  }
  return {
    id: v.id as string,
    provider: v.provider as string,
    protocol: v.protocol,
    baseUrl: v.baseUrl as string,
    model: v.model as string,
    requests: v.requests as number,
    submittedAt: v.submittedAt as number,
    ...(v.expiresAt !== undefined ? { expiresAt: v.expiresAt as number } : {}),
    ...(v.inputFileId !== undefined ? { inputFileId: v.inputFileId as string } : {}),
    ...(v.status !== undefined ? { status: v.status as JobState } : {}),
    ...(typeof v.failure === 'string' ? { failure: v.failure.slice(0, 1000) } : {}),
    ...(v.ingested === true ? { ingested: true, errors } : {}),
  };
}

/** The state as stored, or null when the file holds something else. */
export function parseState(textIn: string): BatchState | null {
  let v: unknown;
  try {
    v = JSON.parse(textIn);
  } catch {
    return null;
  }
  if (!isObj(v) || v.v !== 1 || !Array.isArray(v.runs)) return null;
  const runs: RunRecord[] = [];
  for (const r of v.runs) {
    if (!isObj(r) || !text(r.id, 128) || !text(r.cwd, 4096) || !Array.isArray(r.argv) || !r.argv.every((a) => typeof a === 'string') || !num(r.createdAt) || !Array.isArray(r.jobs)) return null;
    const jobs = r.jobs.map(validJob);
    if (jobs.some((j) => j === null)) return null;
    runs.push({ id: r.id as string, cwd: r.cwd as string, argv: r.argv as string[], createdAt: r.createdAt as number, jobs: jobs as JobRecord[] });
  }
  return { v: 1, runs };
}

export class StateError extends Error {}

/** Reads the state; a missing file is empty; an invalid one is moved aside and reported (throws). */
export async function readState(file: string): Promise<BatchState> {
  const st = await stat(file).catch(() => null);
  if (!st) return { v: 1, runs: [] };
  if (!st.isFile() || st.size > MAX_STATE_BYTES) throw new StateError(`${file} is not a batch state file mmr wrote`);
  const parsed = parseState(await readFile(file, 'utf8'));
  if (parsed) return parsed;
  const aside = `${file}.invalid-${Date.now()}`;
  await rename(file, aside).catch(() => {});
  throw new StateError(`${file} was not valid and was moved to ${aside}; the batch jobs it named may still be running (see them in your provider's console)`);
}

function serialise(s: BatchState): string {
  // In-memory helpers (a job's keys) never reach the file.
  return JSON.stringify({ v: 1, runs: s.runs.map((r) => ({ ...r, jobs: r.jobs.map(({ keys: _k, ...j }) => j) })) }, null, 1);
}

async function writeState(file: string, s: BatchState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  if (s.runs.length === 0) {
    await rm(file, { force: true });
    return;
  }
  const tmp = `${file}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(serialise(s));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await chmod(file, 0o600).catch(() => {});
}

/** Runs `fn` on the current state under the lock and writes what it returns (or leaves the file when it returns undefined). */
export async function updateState<T>(file: string, fn: (s: BatchState) => T | Promise<T>): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const lockfile = await import('proper-lockfile');
  const lock = lockfile.lock ?? (lockfile as unknown as { default: typeof lockfile }).default.lock;
  let release: (() => Promise<void>) | undefined;
  for (let i = 0; !release; i++) {
    try {
      release = await lock(file, { realpath: false, retries: 0, stale: 10_000, lockfilePath: `${file}.lock` });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || i > 50) throw err;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
    }
  }
  try {
    const s = await readState(file);
    const out = await fn(s);
    await writeState(file, s);
    return out;
  } finally {
    await release().catch(() => {});
  }
}
