/**
 * `mmr bench --batch`, as the bench command calls it: names the run (by the work it does, so
 * the same command resumes it), runs the batch waves, and hands the runner what it needs — which
 * cache entries are this run's, the batch errors, and a judge that reads batch verdicts from the
 * cache. `finish` forgets the run in the state file once its rows are out.
 */
import { createHash } from 'node:crypto';
import type { ResolvedModel } from '../core/model.js';
import type { ModelOptions } from '../core/model.js';
import type { EngineOptions } from '../core/run-model.js';
import { buildRequest } from '../core/request.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import { cacheKey } from '../bench/cache.js';
import type { LogCache } from '../bench/cache-store.js';
import { judgeRequest, runJudge, verdictResult } from '../bench/judge.js';
import type { BatchAnswers } from '../bench/runner.js';
import type { BenchCase, Check, CheckResult } from '../bench/types.js';
import { parseDuration } from '../bench/duration.js';
import { DEFAULT_POLL_MAX_MS } from './poll.js';
import { runBatch } from './run.js';
import { stateFile, updateState } from './state.js';

export interface BenchBatchInput {
  pollInterval?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The command line after `mmr` (for `mmr batch resume`). */
  argv: string[];
  /** What decides the work: the same value resumes the same run. */
  work: unknown;
  cases: () => Iterable<BenchCase> | AsyncIterable<BenchCase>;
  models: ResolvedModel[];
  options: ModelOptions;
  engine: EngineOptions;
  repeat: number;
  only?: (caseId: string, model: string, sample: number) => boolean;
  judgeFor: (c: Check) => ResolvedModel;
  judges: ResolvedModel[];
  cache: LogCache;
  signal: AbortSignal;
  /** stderr for the progress line, or null (quiet). */
  progress: NodeJS.WriteStream | null;
  note: (text: string) => void;
}

export type BenchBatch =
  | { answers: BatchAnswers; judge: (c: Check, answer: string, question: string) => Promise<CheckResult>; finish: () => Promise<void> }
  | { interrupted: true; message: string };

export async function startBatch(i: BenchBatchInput): Promise<BenchBatch> {
  const pollMaxMs = i.pollInterval !== undefined ? parseDuration(i.pollInterval, '--poll-interval', 's') : DEFAULT_POLL_MAX_MS;
  const id = createHash('sha256').update(JSON.stringify({ cwd: i.cwd, work: i.work })).digest('hex').slice(0, 32);
  const file = stateFile(i.env);
  const out = await runBatch(
    { cases: i.cases, models: i.models, options: i.options, repeat: i.repeat, only: i.only, judgeFor: i.judgeFor, judges: i.judges },
    { cache: i.cache, engine: i.engine, stateFile: file, run: { id, cwd: i.cwd, argv: i.argv }, pollMaxMs, signal: i.signal, progress: i.progress, note: i.note },
  );
  if ('interrupted' in out) {
    const ids = out.open.map((j) => `${j.id} (${neutralizeLine(j.model)})`).join(', ');
    const message = out.open.length
      ? `left ${out.open.length} batch job${out.open.length === 1 ? '' : 's'} running at the provider: ${ids}. Run the same mmr bench --batch again (or mmr batch resume) to collect the answers; mmr batch cancel stops them`
      : 'stopped before any batch job was submitted';
    return { interrupted: true, message };
  }
  const answers = out.answers;
  const judge = async (c: Check, answer: string, question: string): Promise<CheckResult> => {
    const model = i.judgeFor(c);
    const key = cacheKey(model, buildRequest(model, judgeRequest(c, question, answer)), 1);
    const hit = await i.cache.get(key);
    // A verdict this run's batch brought costs what the batch charged; one from an earlier run, nothing now.
    if (hit) return verdictResult(model, c, hit.text, answers.fresh(hit) ? hit.costUsd : 0);
    const failed = answers.error(key);
    if (failed) return { type: 'judge', pass: false, detail: `judge ${model.id} failed: ${failed.message}`, costUsd: null };
    if (!answers.live(model, key)) return { type: 'judge', pass: false, detail: `not judged: the batch job for ${model.id} did not run this verdict (run again to ask it)`, costUsd: null };
    return runJudge(model, c, question, answer, { ...i.engine, signal: i.signal });
  };
  const finish = () => updateState(file, (s) => void (s.runs = s.runs.filter((r) => r.id !== id)));
  return { answers, judge, finish };
}
