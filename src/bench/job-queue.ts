/**
 * The run's job queue: (case, model, sample) jobs handed out in order as the cases stream in,
 * shared by the runner's workers (`runWorkers`, the -j pool that drains it). Cases already in memory (a plain iterable) are taken without a
 * promise; a streamed case costs one promise per case, shared by the workers waiting on it.
 */
import type { ResolvedModel } from '../core/model.js';
import type { BenchCase } from './types.js';

export type Job = { c: BenchCase; model: ResolvedModel; sample: number };

/** Hands out (case, model, sample) jobs in order as the cases stream in; shared by the workers. */
export function jobQueue(cases: Iterable<BenchCase> | AsyncIterable<BenchCase>, models: ResolvedModel[], repeat: number, only: ((caseId: string, model: string, sample: number) => boolean) | undefined) {
  const sync = !(Symbol.asyncIterator in cases);
  const it: Iterator<BenchCase> | AsyncIterator<BenchCase> = sync ? (cases as Iterable<BenchCase>)[Symbol.iterator]() : (cases as AsyncIterable<BenchCase>)[Symbol.asyncIterator]();
  const perCase = models.length * repeat;
  let cur: BenchCase | null = null;
  let k = perCase;
  let ended = false;
  let pulling: Promise<void> | null = null;
  /** The current case's next job this run takes, or null when it has none left. */
  const fromCurrent = (): Job | null => {
    while (cur && k < perCase) {
      const i = k++;
      const job = { c: cur, model: models[i % models.length], sample: 1 + Math.floor(i / models.length) };
      if (!only || only(job.c.id, job.model.id, job.sample)) return job;
    }
    return null;
  };
  return {
    /** The next job: at once while the current case has jobs left, else a promise of the next case's first. */
    next(stop: AbortSignal): Job | null | Promise<Job | null> {
      for (;;) {
        if (stop.aborted) return null;
        const job = fromCurrent();
        if (job || ended) return job;
        if (!sync || pulling) return this.pull(stop);
        // Cases already in memory: the next one at once (a throw is the case stream failing, as in pull).
        let r: IteratorResult<BenchCase>;
        try {
          r = (it as Iterator<BenchCase>).next();
        } catch (err) {
          ended = true;
          throw err;
        }
        if (r.done) ended = true;
        else {
          cur = r.value;
          k = 0;
        }
      }
    },
    async pull(stop: AbortSignal): Promise<Job | null> {
      for (;;) {
        if (stop.aborted) return null;
        const job = fromCurrent();
        if (job || ended) return job;
        pulling ??= Promise.resolve(it.next()).then(
          (r) => {
            pulling = null;
            if (r.done) ended = true;
            else {
              cur = r.value;
              k = 0;
            }
          },
          (err: unknown) => {
            pulling = null;
            ended = true;
            throw err;
          },
        );
        await pulling;
      }
    },
    /** Stops the case stream (closing its files) when the run ends early. */
    async close(): Promise<void> {
      ended = true;
      await Promise.resolve(it.return?.()).catch(() => {});
    },
  };
}


export type JobQueue = ReturnType<typeof jobQueue>;

/** Jobs a worker does back to back without waiting before it lets the event loop run (Ctrl-C, timers, writes). */
const SYNC_RUN = 512;

/**
 * `concurrency` workers taking jobs from `queue` until it is empty or `run` is aborted; `job`
 * returns undefined when it finished without waiting, else a promise. A job that throws (the rows
 * file failed, say) or a case stream that fails stops the run: `run` is aborted, the other
 * workers finish their call, and the first error is rethrown once every worker has returned, so
 * nothing runs on unseen.
 */
export async function runWorkers(queue: JobQueue, concurrency: number, run: AbortController, job: (j: Job) => Promise<void> | undefined): Promise<void> {
  let failure: { err: unknown } | null = null;
  const worker = async () => {
    // Jobs done without waiting since the event loop last ran (signals, timers, finished writes).
    let streak = 0;
    for (;;) {
      let j: Job | null | Promise<Job | null>;
      try {
        j = queue.next(run.signal);
        if (j instanceof Promise) {
          j = await j;
          streak = 0;
        }
      } catch (err) {
        // The case stream failed (a prompt file changed under the run): stop like a failed job.
        failure ??= { err };
        run.abort('failed');
        return;
      }
      if (!j) return;
      try {
        const waiting = job(j);
        if (waiting) {
          await waiting;
          streak = 0;
        } else if (++streak >= SYNC_RUN) {
          streak = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } catch (err) {
        failure ??= { err };
        run.abort('failed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure) throw (failure as { err: unknown }).err;
}
