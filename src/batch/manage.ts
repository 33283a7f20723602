/**
 * `mmr batch status|resume|cancel`: the batch jobs the state file lists, checked or stopped at
 * their providers with the keys of the environment (resolved as the run resolved them: from its
 * directory and `--config`), never sent to another base URL than the job was created at.
 */
import type { ResolvedModel } from '../core/model.js';
import { resolveModel } from '../config/resolve-model.js';
import { apiOfJob } from './apis.js';
import { BatchHttpError } from './http.js';
import { readState, updateState, type RunRecord } from './state.js';
import type { JobRecord, JobStatus } from './types.js';


/** The `--config` a run was started with, if any. */
function configOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-c' || argv[i] === '--config') return argv[i + 1];
    if (argv[i].startsWith('--config=')) return argv[i].slice('--config='.length);
  }
  return undefined;
}

/** The job's model with its key, or why it cannot be reached now. */
export async function modelForJob(run: RunRecord, job: JobRecord, env: NodeJS.ProcessEnv): Promise<ResolvedModel | string> {
  const { loadConfig } = await import('../config/load.js');
  let model: ResolvedModel;
  try {
    const loaded = await loadConfig({ cwd: run.cwd, env, configPath: configOf(run.argv), warn: () => {} });
    model = resolveModel(job.model, loaded.config, env);
  } catch (err) {
    return `cannot resolve ${job.model}: ${(err as Error).message}`;
  }
  if (model.provider.baseUrl !== job.baseUrl) return `${job.provider} is now configured at another base URL than the job was created at; not sent there`;
  if (model.provider.needsKey && !model.provider.apiKey) return `no API key for ${job.provider} (${model.provider.keyEnv.join(' or ')})`;
  return model;
}

export interface JobView {
  run: RunRecord;
  job: JobRecord;
  status: JobStatus | null;
  /** Why the status could not be read. */
  problem?: string;
}

/** Every job of every run (or of the runs whose id starts with `runPrefix`), with its status now. */
export async function jobViews(file: string, env: NodeJS.ProcessEnv, o: { fetch?: typeof fetch; runPrefix?: string } = {}): Promise<JobView[]> {
  const state = await readState(file);
  const out: JobView[] = [];
  for (const run of state.runs) {
    if (o.runPrefix && !run.id.startsWith(o.runPrefix)) continue;
    for (const job of run.jobs) {
      if (job.ingested) {
        out.push({ run, job, status: null, problem: 'done: results read into the cache' });
        continue;
      }
      const m = await modelForJob(run, job, env);
      if (typeof m === 'string') {
        out.push({ run, job, status: null, problem: m });
        continue;
      }
      try {
        out.push({ run, job, status: await apiOfJob(job).poll(m.provider, job, { fetch: o.fetch }) });
      } catch (err) {
        out.push({ run, job, status: null, problem: err instanceof BatchHttpError ? err.info.message : (err as Error).message });
      }
    }
  }
  return out;
}

/** Cancels the jobs whose ids are given (all open jobs when none are); returns what each said. */
export async function cancelJobs(file: string, env: NodeJS.ProcessEnv, ids: string[], o: { fetch?: typeof fetch } = {}): Promise<{ job: JobRecord; status?: JobStatus; problem?: string }[]> {
  const state = await readState(file);
  const wanted = new Set(ids);
  const out: { job: JobRecord; status?: JobStatus; problem?: string }[] = [];
  for (const run of state.runs) {
    for (const job of run.jobs) {
      if (job.ingested || (wanted.size && !wanted.has(job.id))) continue;
      wanted.delete(job.id);
      const m = await modelForJob(run, job, env);
      if (typeof m === 'string') {
        out.push({ job, problem: m });
        continue;
      }
      try {
        const status = await apiOfJob(job).cancel(m.provider, job, { fetch: o.fetch });
        out.push({ job, status });
        await updateState(file, (s) => {
          const j = s.runs.find((r) => r.id === run.id)?.jobs.find((x) => x.id === job.id);
          if (j) j.status = status.state;
        });
      } catch (err) {
        out.push({ job, problem: err instanceof BatchHttpError ? err.info.message : (err as Error).message });
      }
    }
  }
  for (const id of wanted) out.push({ job: { id } as JobRecord, problem: 'no such open job in the state file' });
  return out;
}
