/**
 * `mmr bench --batch`: the run's cache misses go to the providers' batch APIs in waves (wave.ts),
 * one job per provider and model, split at each API's limits (builder.ts). Jobs are recorded in
 * the state file (state.ts) as soon as they exist; polling starts within 2 s and backs off to
 * `pollMaxMs`; Ctrl-C stops polling and leaves the jobs running for the next run with the same
 * work (or `mmr batch resume`). Ended jobs are read into the cache under each request's key,
 * priced at the batch discount, so the ordinary runner then makes the rows from the cache as
 * for a live run. Providers without a batch API (local servers, Ollama, commands, an
 * OpenAI-compatible server answering 404 at /files) run live.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedModel } from '../core/model.js';
import type { EngineOptions } from '../core/run-model.js';
import type { ErrorInfo } from '../core/types.js';
import type { LogCache } from '../bench/cache-store.js';
import type { BatchAnswers } from '../bench/runner.js';
import type { BatchApi } from './api.js';
import { apiOfJob, batchApiFor } from './apis.js';
import { JobBuilder } from './builder.js';
import { BatchHttpError } from './http.js';
import { pollJobs, type PollOptions } from './poll.js';
import { MAX_ERRORS_KEPT, updateState, type RunRecord } from './state.js';
import type { BatchItem, BatchLimits, BatchResult, JobRecord } from './types.js';
import { planWave, type WaveSource } from './wave.js';

/** Batch prices are half the live price at OpenAI, Anthropic and Google; mmr applies that factor to its price data. */
export const BATCH_PRICE_FACTOR = 0.5;


export interface BatchRunOptions extends PollOptions {
  cache: LogCache;
  engine: EngineOptions;
  stateFile: string;
  run: Omit<RunRecord, 'jobs' | 'createdAt'>;
  /** Override the APIs' limits (tests). */
  limits?: Partial<BatchLimits>;
  /** One line for stderr (notes). */
  note: (text: string) => void;
}

/** The row error of a request a job never ran; the next run asks it again (errors are not cached). */
function notRunError(job: JobRecord, why: 'expired' | 'cancelled'): ErrorInfo {
  return why === 'expired'
    ? { kind: 'timeout', message: `batch job ${job.id} expired before this request ran (the provider's 24 h window)`, status: null, retryable: true, hint: 'run mmr bench --batch again to ask it in a new job' }
    : { kind: 'aborted', message: `batch job ${job.id} was cancelled before this request ran`, status: null, retryable: false, hint: 'run mmr bench --batch again to ask it in a new job' };
}

export type BatchOutcome = { answers: BatchAnswers; jobs: number } | { interrupted: true; open: JobRecord[] };

export async function runBatch(source: Omit<WaveSource, 'cache' | 'batchable' | 'settled'>, o: BatchRunOptions): Promise<BatchOutcome> {
  const errors = new Map<string, ErrorInfo>();
  const live = new Set<string>();
  const unsupported = new Set<string>();
  // Models by id: the run's, and judges as the waves meet them.
  const byId = new Map<string, ResolvedModel>(source.models.map((m) => [m.id, m]));
  for (const j of source.judges ?? []) byId.set(j.id, j);
  const batchable = (m: ResolvedModel) => !unsupported.has(m.provider.id) && batchApiFor(m) !== null;
  for (const m of source.models) {
    if (!batchApiFor(m)) o.note(`${m.id} has no batch API that mmr uses (local servers, Ollama, Azure and command providers run live, and so does a provider without its key); asking it live`);
  }
  const dir = path.join(path.dirname(o.stateFile), 'batch-input');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const book = o.engine.prices ? await o.engine.prices().catch(() => null) : null;

  // The run as the state file knows it: jobs an earlier, interrupted process left running.
  const record = await updateState(o.stateFile, (s) => {
    let r = s.runs.find((x) => x.id === o.run.id);
    if (!r) s.runs.push((r = { ...o.run, createdAt: Date.now(), jobs: [] }));
    return r;
  });
  const jobs: JobRecord[] = record.jobs;
  const ours = new Set(jobs.map((j) => j.id));
  for (const j of jobs) for (const [k, e] of Object.entries(j.errors ?? {})) errors.set(k, { ...e, kind: e.kind as ErrorInfo['kind'], retryable: false });

  const save = (job: JobRecord) => updateState(o.stateFile, (s) => {
    const r = s.runs.find((x) => x.id === o.run.id);
    if (!r) return;
    const i = r.jobs.findIndex((j) => j.id === job.id);
    if (i >= 0) r.jobs[i] = job;
    else r.jobs.push(job);
  });

  const modelOf = (job: JobRecord) => byId.get(job.model);
  const ingest = async (job: JobRecord, result: BatchResult, model: ResolvedModel) => {
    if ('answer' in result) {
      const { fullUsage, ...a } = result.answer;
      const price = fullUsage && book ? book.cost(o.engine.priceProviderOf?.(model), model.model, fullUsage, model.price) : null;
      await o.cache.set(result.key, { ...a, costUsd: price === null ? null : price * BATCH_PRICE_FACTOR, batch: job.id });
    } else if ('error' in result) errors.set(result.key, result.error);
    else errors.set(result.key, notRunError(job, result.notRun));
  };
  const onEnded = async (job: JobRecord) => {
    const model = modelOf(job);
    const api = apiOfJob(job);
    if (!model || !api) return;
    const kept: NonNullable<JobRecord['errors']> = {};
    const seen = new Set<string>();
    let n = 0;
    const keep = (key: string) => {
      const e = errors.get(key);
      if (e && n++ < MAX_ERRORS_KEPT) kept[key] = { kind: e.kind, message: e.message.slice(0, 1000), status: e.status };
    };
    for await (const r of api.results(model.provider, job, { fetch: o.engine.fetch, signal: o.signal })) {
      seen.add(r.key);
      await ingest(job, r, model);
      if (!('answer' in r)) keep(r.key);
    }
    // Requests the results do not mention (a job refused whole, cancelled or expired): this
    // process knows which they were; each becomes a row saying why it has no answer.
    for (const key of job.status === 'completed' ? [] : (job.keys ?? [])) {
      if (seen.has(key)) continue;
      errors.set(key, job.status === 'failed' ? { kind: 'bad-request', message: `${job.provider} refused the batch job: ${job.failure ?? 'validation failed'}`, status: null, retryable: false } : notRunError(job, job.status === 'cancelled' ? 'cancelled' : 'expired'));
      keep(key);
    }
    Object.assign(job, { ingested: true, errors: kept });
    await api.cleanup?.(model.provider, job, { fetch: o.engine.fetch }).catch(() => {});
    await save(job);
  };

  const poll = (open: JobRecord[]) => pollJobs(open, { ...o, spec: (j) => modelOf(j)?.provider, api: apiOfJob, fetch: o.engine.fetch, onEnded, save });

  // Resume first: jobs still out there, then what they did not settle goes in new waves.
  for (const j of jobs) if (!j.ingested && !byId.has(j.model)) o.note(`batch job ${j.id} is for ${j.model}, which this run does not ask; left as it is (mmr batch status)`);
  const pending = jobs.filter((j) => !j.ingested && byId.has(j.model));
  if (pending.length) {
    o.note(`resuming ${pending.length} batch job${pending.length === 1 ? '' : 's'} of this run`);
    if ((await poll(pending)) === 'interrupted') return { interrupted: true, open: jobs.filter((j) => !j.ingested) };
  }

  for (let wave = 1; wave <= 64; wave++) {
    const builders = new Map<string, { api: BatchApi; model: ResolvedModel; b: JobBuilder }>();
    const planned = await planWave({ ...source, cache: o.cache, batchable, settled: (k) => errors.has(k) || live.has(k) }, async (item: BatchItem) => {
      byId.set(item.model.id, item.model);
      let slot = builders.get(item.model.id);
      if (!slot) {
        const api = batchApiFor(item.model)!;
        builders.set(item.model.id, (slot = { api, model: item.model, b: new JobBuilder(api, item.model.provider, dir, { ...api.limits, ...o.limits }) }));
      }
      await slot.b.add(item);
    });
    if (planned === 0) break;
    const submitted: JobRecord[] = [];
    for (const { api, model, b } of builders.values()) {
      await b.finish();
      for (const it of b.tooLarge) live.add(it.key);
      if (b.tooLarge.length) o.note(`${b.tooLarge.length} request${b.tooLarge.length === 1 ? '' : 's'} for ${model.id} exceed the batch size limit; asking ${b.tooLarge.length === 1 ? 'it' : 'them'} live`);
      for (const input of b.done) {
        if (unsupported.has(model.provider.id)) {
          input.keys.forEach((k) => live.add(k));
          continue;
        }
        try {
          const r = await api.submit(model.provider, model.model, input, { fetch: o.engine.fetch, signal: o.signal });
          const job: JobRecord = { id: r.id, provider: model.provider.id, protocol: model.provider.protocol as JobRecord['protocol'], baseUrl: model.provider.baseUrl, model: model.id, requests: input.count, submittedAt: Date.now(), keys: input.keys, ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}), ...(r.inputFileId ? { inputFileId: r.inputFileId } : {}) };
          jobs.push(job);
          ours.add(job.id);
          submitted.push(job);
          await save(job);
        } catch (err) {
          const info = err instanceof BatchHttpError ? err.info : { kind: 'bad-response' as const, message: String((err as Error).message ?? err), status: null, retryable: false };
          if (model.provider.protocol === 'openai' && (info.status === 404 || info.status === 405)) {
            unsupported.add(model.provider.id);
            o.note(`${model.provider.id} has no batch API (HTTP ${info.status} at its /files endpoint); asking it live`);
            input.keys.forEach((k) => live.add(k));
          } else if (info.kind === 'aborted') {
            await b.discard();
            return { interrupted: true, open: jobs.filter((j) => !j.ingested) };
          } else for (const k of input.keys) errors.set(k, info);
        } finally {
          await import('node:fs/promises').then((fs) => fs.rm(input.file, { force: true }));
        }
      }
    }
    if (submitted.length === 0) continue;
    o.note(`wave ${wave}: ${submitted.reduce((a, j) => a + j.requests, 0)} request${planned === 1 ? '' : 's'} in ${submitted.length} batch job${submitted.length === 1 ? '' : 's'} (${[...new Set(submitted.map((j) => j.model))].join(', ')})`);
    if ((await poll(submitted)) === 'interrupted') return { interrupted: true, open: jobs.filter((j) => !j.ingested) };
  }

  const answers: BatchAnswers = {
    fresh: (entry) => entry.batch !== undefined && ours.has(entry.batch),
    error: (key) => errors.get(key),
    live: (model, key) => live.has(key) || !batchable(model),
  };
  return { answers, jobs: jobs.length };
}
