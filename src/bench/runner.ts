/**
 * Runs cases × models × samples through the engine: a pool of `concurrency` workers (the global
 * -j) pulls jobs in order from the cases as they stream in (so 50,000 cases are never in memory
 * at once, nor 200,000 jobs pending promises), each passing the provider's gates, the cache, the
 * call itself (retries and timeouts are the engine's) and then the checks. A multi-turn case is
 * one job per model and sample: its turns go one after another, each model answering with its
 * own earlier answers in context. Rows are handed to `onRow` as they finish and not kept.
 */
import { setMaxListeners } from 'node:events';
import type { ModelOptions, ResolvedModel } from '../core/model.js';
import type { Prompt } from '../core/request.js';
import type { EngineOptions } from '../core/run-model.js';
import type { ChatMessage, ErrorInfo } from '../core/types.js';
import { cacheKey, type BenchCache, type CachedAnswer } from './cache.js';
import { casePrompt, judgeQuestion, lastUserText, plannedRows, requestMaker } from './case-turns.js';
import { gradeAnswer, type CheckDeps } from './checks.js';
import { fetchAnswer } from './fetch-answer.js';
import { jobQueue, runWorkers, type Job } from './job-queue.js';
import type { ProviderGates } from './limiter.js';
import { makeRow, type RowFields, type RowHead } from './row.js';
import type { BenchCase, BenchRow, Check, CheckResult } from './types.js';

export { casePrompt, judgeQuestion, lastUserText, plannedRows, turnsOf } from './case-turns.js';

export interface RunnerOptions {
  models: ResolvedModel[];
  /** Per-call options from flags (a case's `system` wins over --system). */
  options: ModelOptions;
  engine: EngineOptions;
  /** Requests in flight at once, over all providers. */
  concurrency: number;
  gates?: ProviderGates;
  cache?: BenchCache | null;
  signal?: AbortSignal;
  /** Stop (and abort what is in flight) once this much USD was spent, judge calls included. */
  maxCostUsd?: number;
  /** Samples per case × model (`--repeat N`, default 1). */
  repeat?: number;
  /** Runs only the (case, model, sample) cells this accepts (`--rerun-failed`). */
  only?: (caseId: string, model: string, sample: number) => boolean;
  /** Rows the run will produce (the progress total and `skipped`); counted from `cases` when it is an array. */
  planned?: number;
  /**
   * Answers fetched for this run outside the live path (`--batch`): a cache hit it vouches for is
   * this run's answer (not `cached`, and its cost is spent now); an error it holds is the row's.
   */
  batch?: BatchAnswers;
  runCommand?: CheckDeps['runCommand'];
  /** Grades one judge check (the caller picks the judge model and engine). */
  judge?: CheckDeps['judge'];
  /** Hears each row as it finishes; a promise makes the worker wait for it. */
  onRow: (row: BenchRow) => void | Promise<void>;
}

export interface BatchAnswers {
  /** Whether a cache entry came from this run's batch jobs. */
  fresh(entry: CachedAnswer): boolean;
  /** The error a batch job gave for this cache key, if it gave one. */
  error(key: string): ErrorInfo | undefined;
  /**
   * Whether a request with no answer is asked live now: a model without a batch API, or a request
   * too large for one. False for the rest: a batch request that never ran (cancelled, expired)
   * is left out of the rows, never sent again at full price behind the user's back.
   */
  live(model: ResolvedModel, key: string): boolean;
}

export interface RunOutcome {
  /** Why the run ended early, if it did. */
  stopped: 'signal' | 'budget' | null;
  /** USD spent now (not counting cached rows' original cost), judge calls included. */
  spentUsd: number;
  /** Rows planned that were never produced (stopped early). */
  skipped: number;
  /** Rows planned. */
  planned: number;
}

export async function runBench(cases: Iterable<BenchCase> | AsyncIterable<BenchCase>, o: RunnerOptions): Promise<RunOutcome> {
  const local = new AbortController();
  // Every job in flight listens on this one signal (-j 32 means 32 listeners), by design.
  setMaxListeners(0, local.signal);
  const onAbort = () => local.abort('signal');
  if (o.signal?.aborted) local.abort('signal');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const engine: EngineOptions = { ...o.engine, signal: local.signal };
  const repeat = Math.max(1, o.repeat ?? 1);
  const planned = o.planned ?? (Array.isArray(cases) ? plannedRows(cases, o.models.map((m) => m.id), repeat, o.only) : 0);
  const queue = jobQueue(cases, o.models, repeat, o.only);
  const modelIndex = new Map(o.models.map((m, i) => [m, i]));
  let done = 0;
  // Whole pico-USD, so the total is the same whatever order answers finish in (and the same a merge of shards sums).
  let spentPico = 0;
  let spentUsd = 0;
  let stopped: RunOutcome['stopped'] = null;
  const spend = (usd: number | null | undefined) => {
    if (!usd) return;
    spentPico += Math.round(usd * 1e12);
    spentUsd = spentPico / 1e12;
    if (o.maxCostUsd !== undefined && spentUsd >= o.maxCostUsd && !stopped) {
      stopped = 'budget';
      local.abort('budget');
    }
  };

  /** One turn's answer, from the cache, a batch job or the model; null when the run was stopped under it. */
  type Turn = { answer: CachedAnswer; error: BenchRow['error']; cached: boolean; batch?: boolean };
  const fromCache = (hit: CachedAnswer): Turn => {
    // An answer this run's batch job brought is this run's, and its cost is spent now.
    if (o.batch?.fresh(hit)) {
      spend(hit.costUsd);
      return { answer: hit, error: null, cached: false };
    }
    return { answer: hit, error: null, cached: true };
  };
  /** `known`: what the cache's `peek` said (undefined: ask `get`). */
  const answerTurn = async (model: ResolvedModel, prompt: Prompt, key: string, known: CachedAnswer | null | undefined): Promise<Turn | null> => {
    const hit = known !== undefined ? known : o.cache ? await o.cache.get(key) : null;
    if (hit) return fromCache(hit);
    const failed = o.batch?.error(key);
    if (o.batch && !failed && !o.batch.live(model, key)) return null;
    if (failed) return { answer: { text: '', finishReason: null, usage: null, costUsd: 0, latencyMs: null, ttftMs: null, attempts: 1 }, error: { kind: failed.kind, message: failed.message, status: failed.status }, cached: false, batch: true };
    const release = o.gates ? await o.gates.enter(model.provider.id) : () => {};
    try {
      if (local.signal.aborted) return null;
      const fresh = await fetchAnswer(model, prompt, engine);
      // A call cut short by Ctrl-C or the budget is not a result: it is dropped, not recorded as a failure.
      if (fresh.error?.kind === 'aborted' || local.signal.aborted) return null;
      spend(fresh.costUsd);
      const { error, ...answer } = fresh;
      // Failures are not cached: the next run should try again.
      if (!error && o.cache) await o.cache.set(key, answer);
      return { answer, error, cached: false };
    } finally {
      release();
    }
  };

  const checkDeps: CheckDeps = { runCommand: o.runCommand, judge: o.judge };

  /** One (case, model, sample) conversation under way: `t` is the 0-based turn to do next. */
  interface Conv extends Job {
    index: number;
    t: number;
    history: ChatMessage[];
    /** The turn that failed (1-based), after which the rest are skipped; 0 while none has. */
    failedAt: number;
  }
  const expectOf = (c: BenchCase, t: number) => (t === 0 ? c.expect : c.followUps[t - 1].expect);
  // The models (and samples) of a case take its first turn one after another: they share one head.
  let lastHead: RowHead | null = null;
  let lastCase: BenchCase | null = null;
  const headFor = (s: Conv, system: string | null): RowHead => {
    if (s.t === 0 && lastCase === s.c && lastHead!.system === system) return lastHead!;
    const head: RowHead = { caseId: s.c.id, where: s.c.where, tags: s.c.tags, prompt: s.t === 0 ? lastUserText(s.c) : s.c.followUps[s.t - 1].content, messages: s.history, system };
    if (s.t === 0) {
      lastHead = head;
      lastCase = s.c;
    }
    return head;
  };
  /** After a turn's row: whether the conversation goes on (its history grown by the answer). */
  const advance = (s: Conv, got: Turn | null): boolean => {
    const next = s.t + 1;
    if (got?.error) s.failedAt = next;
    else if (got && next <= s.c.followUps.length) s.history = [...s.history, { role: 'assistant', content: got.answer.text }, { role: 'user', content: s.c.followUps[next - 1].content }];
    s.t = next;
    return next <= s.c.followUps.length;
  };
  const emit = (s: Conv, head: RowHead, expect: Check[], got: Turn, checks: CheckResult[]): boolean | Promise<boolean> => {
    const { answer, error, cached } = got;
    // A judge call cut short by Ctrl-C or the budget is no verdict: drop the row (the answer is
    // cached), though what the judge cost still counts. Decided before this row's own spend,
    // which may be what reaches the budget.
    const cut = local.signal.aborted && expect.some((x) => x.type === 'judge');
    let judgeCostUsd = 0;
    for (const r of checks) judgeCostUsd += r.costUsd ?? 0;
    spend(judgeCostUsd);
    if (cut) return false;
    done++;
    const fields: RowFields = {
      answer: answer.text,
      pass: expect.length === 0 ? null : !error && checks.every((r) => r.pass),
      checks,
      error,
      latencyMs: answer.latencyMs,
      ttftMs: answer.ttftMs,
      inputTokens: answer.usage?.inputTokens ?? null,
      outputTokens: answer.usage?.outputTokens ?? null,
      costUsd: error ? 0 : answer.costUsd,
      judgeCostUsd,
      cached,
      attempts: answer.attempts,
      batch: got.batch === true || answer.batch !== undefined,
    };
    const written = o.onRow(makeRow(head, s.model.id, s.index, s.t + 1, s.sample, fields));
    return written ? written.then(() => advance(s, got)) : advance(s, got);
  };
  const answered = (s: Conv, head: RowHead, expect: Check[], got: Turn): boolean | Promise<boolean> => {
    const a = got.answer;
    const checks = got.error ? [] : gradeAnswer(expect, a.text, { latencyMs: a.latencyMs, costUsd: a.costUsd }, () => judgeQuestion(s.history, s.t + 1), checkDeps);
    return Array.isArray(checks) ? emit(s, head, expect, got, checks) : checks.then((ch) => emit(s, head, expect, got, ch));
  };
  /**
   * Does turn `s.t`: true when another turn follows, false when the conversation is over (or the
   * run stopped under it), a promise of either when it had to wait (a call, a check, the disk).
   */
  const buildRequest = requestMaker();
  const step = (s: Conv): boolean | Promise<boolean> => {
    const prompt = casePrompt(s.c, o.options, s.history);
    const request = buildRequest(s.model, prompt);
    const head = headFor(s, request.system ?? null);
    const expect = expectOf(s.c, s.t);
    if (s.failedAt) {
      // The conversation broke off: later turns were never asked.
      done++;
      const skipped: RowFields = { answer: '', pass: expect.length ? false : null, checks: [], error: { kind: 'skipped', message: `not sent: turn ${s.failedAt} failed`, status: null }, latencyMs: null, ttftMs: null, inputTokens: null, outputTokens: null, costUsd: 0, judgeCostUsd: 0, cached: false, attempts: 0 };
      const written = o.onRow(makeRow(head, s.model.id, s.index, s.t + 1, s.sample, skipped));
      return written ? written.then(() => advance(s, null)) : advance(s, null);
    }
    const key = o.cache || o.batch ? cacheKey(s.model, request, s.sample) : '';
    // A cache hit found without I/O is answered without a promise.
    const known = o.cache ? (o.cache.peek ? o.cache.peek(key) : undefined) : null;
    if (known) return answered(s, head, expect, fromCache(known));
    return answerTurn(s.model, prompt, key, known).then((got) => (got ? answered(s, head, expect, got) : false));
  };
  const rest = async (s: Conv, pending: Promise<boolean>): Promise<void> => {
    let more = await pending;
    while (more) more = await step(s);
  };
  /** One job's turns, one after another: undefined when it finished without waiting, else a promise. */
  const job = (j: Job): Promise<void> | undefined => {
    const s: Conv = { c: j.c, model: j.model, sample: j.sample, index: modelIndex.get(j.model) ?? 0, t: 0, history: j.c.messages, failedAt: 0 };
    let more = step(s);
    while (more === true) more = step(s);
    return more === false ? undefined : rest(s, more);
  };

  try {
    await runWorkers(queue, o.concurrency, local, job);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await queue.close();
  }
  if (!stopped && o.signal?.aborted) stopped = 'signal';
  return { stopped, spentUsd, skipped: Math.max(0, planned - done), planned };
}
