/**
 * `mmr batch status|resume|cancel`: the provider batch jobs `mmr bench --batch` left running
 * (listed in the batch state file). status prints them (stdout; --json for one document),
 * resume runs the bench command that made them again (it collects their answers and makes the
 * rows), cancel stops them at the provider (what they already answered is still collected).
 */
import { spawn } from 'node:child_process';
import { UsageError } from '../core/errors.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import { readState, stateFile } from '../batch/state.js';
import { cancelJobs, jobViews } from '../batch/manage.js';

export interface BatchFlags {
  json?: boolean;
  quiet?: boolean;
  all?: boolean;
}

const when = (ms: number | undefined) => (ms === undefined ? '—' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));
const line = (argv: string[]) => neutralizeLine(['mmr', ...argv].map((a) => (/^[\w./:=@+-]+$/.test(a) ? a : JSON.stringify(a))).join(' '));

export async function runBatchStatus(flags: BatchFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const views = await jobViews(stateFile(env), env);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(views.map((v) => ({ run: v.run.id, cwd: v.run.cwd, argv: v.run.argv, job: v.job.id, model: v.job.model, requests: v.job.requests, submittedAt: v.job.submittedAt, expiresAt: v.job.expiresAt ?? null, status: v.status, problem: v.problem ?? null })), null, 2)}\n`);
    return 0;
  }
  if (views.length === 0) {
    process.stdout.write('no batch jobs (mmr bench --batch lists the jobs it starts here until their rows are out)\n');
    return 0;
  }
  let run = '';
  for (const v of views) {
    if (v.run.id !== run) {
      run = v.run.id;
      process.stdout.write(`run ${run.slice(0, 12)}  ${line(v.run.argv)}  (in ${neutralizeLine(v.run.cwd)})\n`);
    }
    const st = v.status ? `${v.status.state}: ${v.status.done}/${v.status.total || v.job.requests} done, ${v.status.failed} failed` : neutralizeLine(v.problem ?? '');
    process.stdout.write(`  ${neutralizeLine(v.job.id)}  ${neutralizeLine(v.job.model)}  ${v.job.requests} requests  submitted ${when(v.job.submittedAt)}  expires ${when(v.job.expiresAt)}  ${st}\n`);
  }
  return 0;
}

export async function runBatchResume(runPrefix: string | undefined, flags: BatchFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const state = await readState(stateFile(env));
  const runs = state.runs.filter((r) => (!runPrefix || r.id.startsWith(runPrefix)) && r.jobs.some((j) => !j.ingested));
  if (runs.length === 0) throw new UsageError(runPrefix ? `no batch run ${runPrefix} with open jobs` : 'no batch run has open jobs', 'mmr batch status lists them');
  if (runs.length > 1 && !flags.all) throw new UsageError(`${runs.length} batch runs have open jobs; name one (its id from mmr batch status) or pass --all`);
  let code = 0;
  for (const r of runs) {
    if (!flags.quiet) process.stderr.write(`mmr: resuming ${line(r.argv)} in ${neutralizeLine(r.cwd)}\n`);
    // The same command, in the same directory: it finds its jobs in the state file and collects them.
    code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [process.argv[1], ...r.argv], { cwd: r.cwd, env, stdio: 'inherit' });
      child.on('close', (c, sig) => resolve(c ?? (sig === 'SIGINT' ? 130 : 143)));
      child.on('error', () => resolve(70));
    });
    if (code === 130 || code === 143) break;
  }
  return code;
}

export async function runBatchCancel(ids: string[], flags: BatchFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (ids.length === 0 && !flags.all) throw new UsageError('name the jobs to cancel (ids from mmr batch status), or pass --all');
  const out = await cancelJobs(stateFile(env), env, flags.all ? [] : ids);
  let failed = 0;
  for (const r of out) {
    if (r.problem) failed++;
    process.stdout.write(`${neutralizeLine(r.job.id)}  ${r.status ? `${r.status.state} (${r.status.done} of ${r.status.total || r.job.requests} had run)` : `not cancelled: ${neutralizeLine(r.problem ?? '')}`}\n`);
  }
  if (out.length && !flags.quiet) process.stderr.write('mmr: run the same mmr bench --batch again (or mmr batch resume) to collect what they answered; the rest are rows with an error\n');
  return failed ? 1 : 0;
}
