/**
 * Polling batch jobs until they end: the first poll within 2 s of submitting (a small batch on a
 * fast provider may already be done), then waits growing by half each time up to `pollMaxMs`
 * (default a minute); a progress line with the counts and an ETA from the rate seen so far.
 * Ctrl-C (the signal) stops polling at once: the jobs keep running at the provider.
 */
import type { ProviderSpec } from '../providers/provider.js';
import type { BatchApi } from './api.js';
import { BatchHttpError } from './http.js';
import { ENDED, type JobRecord, type JobStatus } from './types.js';
import { BatchProgress } from './progress.js';

/** The first poll comes this soon after submitting, ms (or sooner with a smaller --poll-interval). */
export const FIRST_POLL_MS = 2000;
/** Default longest wait between polls, ms. */
export const DEFAULT_POLL_MAX_MS = 60_000;
/** Polls of one job that may fail in a row before mmr stops asking about it. */
const MAX_POLL_FAILURES = 8;

export interface PollOptions {
  /** Longest wait between two polls, ms. */
  pollMaxMs: number;
  signal?: AbortSignal;
  /** Where progress goes (stderr), or null for none. */
  progress: NodeJS.WriteStream | null;
  note: (text: string) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<boolean>;
  now?: () => number;
}

interface PollDeps extends PollOptions {
  spec: (job: JobRecord) => ProviderSpec | undefined;
  api: (job: JobRecord) => BatchApi;
  fetch?: typeof fetch;
  onEnded: (job: JobRecord) => Promise<void>;
  save: (job: JobRecord) => Promise<void>;
}

/** Resolves true after `ms`, false as soon as `signal` aborts. */
const sleepFor = (ms: number, signal?: AbortSignal) =>
  new Promise<boolean>((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (v: boolean) => {
      clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onAbort = () => done(false);
    const t = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export async function pollJobs(jobs: JobRecord[], o: PollDeps): Promise<'done' | 'interrupted'> {
  const sleep = o.sleep ?? sleepFor;
  const now = o.now ?? Date.now;
  const open = new Set(jobs);
  const seen = new Map<JobRecord, JobStatus>();
  const failures = new Map<JobRecord, number>();
  const progress = new BatchProgress(o.progress, now);
  let wait = Math.min(FIRST_POLL_MS, o.pollMaxMs);
  try {
    while (open.size) {
      if (!(await sleep(wait, o.signal))) return 'interrupted';
      for (const job of [...open]) {
        const spec = o.spec(job);
        if (!spec) {
          open.delete(job);
          continue;
        }
        let st: JobStatus;
        try {
          st = await o.api(job).poll(spec, job, { fetch: o.fetch, signal: o.signal });
          failures.delete(job);
        } catch (err) {
          if (o.signal?.aborted) return 'interrupted';
          const n = (failures.get(job) ?? 0) + 1;
          failures.set(job, n);
          const info = err instanceof BatchHttpError ? err.info : null;
          if (n >= MAX_POLL_FAILURES || (info && !info.retryable)) {
            o.note(`could not check batch job ${job.id}: ${info?.message ?? (err as Error).message}; it stays in the state file (mmr batch status)`);
            open.delete(job);
          }
          continue;
        }
        seen.set(job, st);
        if (st.state !== job.status || (st.error && st.error !== job.failure)) {
          job.status = st.state;
          if (st.error) job.failure = st.error;
          if (st.expiresAt) job.expiresAt = st.expiresAt;
          await o.save(job);
        }
        if (ENDED.has(st.state)) {
          await o.onEnded(job);
          open.delete(job);
        }
      }
      progress.draw([...seen.entries()].map(([j, s]) => ({ job: j, status: s })), open.size, open.size ? Math.min(o.pollMaxMs, wait * 1.5) : 0);
      wait = Math.min(o.pollMaxMs, wait * 1.5);
    }
    return 'done';
  } finally {
    progress.end();
  }
}
