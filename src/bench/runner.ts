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
import { buildRequest, type Prompt } from '../core/request.js';
import { runModel, type EngineOptions } from '../core/run-model.js';
import type { ChatMessage, ErrorInfo, ModelRequest } from '../core/types.js';
import { cacheKey, type BenchCache, type CachedAnswer } from './cache.js';
import { runChecks, syncChecks, type CheckDeps } from './checks.js';
import type { ProviderGates } from './limiter.js';
import type { BenchCase, BenchRow, Check, CheckResult } from './types.js';

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

/** The prompt of one turn; the run's options object is shared (not copied per turn) unless the case sets its own system prompt. */
export const casePrompt = (c: BenchCase, options: ModelOptions, messages = c.messages): Prompt => ({
  messages,
  options: c.system !== undefined ? { ...options, system: c.system } : options,
});

type Fetched = CachedAnswer & { error: BenchRow['error'] };

async function fetchAnswer(model: ResolvedModel, prompt: Prompt, engine: EngineOptions): Promise<Fetched> {
  // Folded here rather than through results.ts: a row needs only these fields.
  let text = '';
  let attempts = 1;
  let error: ErrorInfo | null = null;
  let fin: { finishReason: string | null; usage: CachedAnswer['usage']; costUsd: number | null; latencyMs: number | null; ttftMs: number | null } | null = null;
  let ttftMs: number | null = null;
  let latencyMs: number | null = null;
  for await (const ev of runModel(model, prompt, engine)) {
    if (ev.type === 'text-delta') text += ev.text;
    else if (ev.type === 'retry') attempts = ev.attempt;
    else if (ev.type === 'finish') {
      fin = { finishReason: ev.finishReason.unified, usage: { inputTokens: ev.usage.inputTokens, outputTokens: ev.usage.outputTokens }, costUsd: ev.costUsd, latencyMs: ev.latencyMs, ttftMs: ev.ttftMs };
      attempts = Math.max(1, ev.attempts);
    } else if (ev.type === 'error') {
      error = ev.error;
      ttftMs = ev.ttftMs;
      latencyMs = ev.latencyMs;
      // 0 when nothing was sent (no key, a refused preflight).
      attempts = ev.attempts;
    }
  }
  return {
    text,
    finishReason: fin?.finishReason ?? null,
    usage: fin?.usage ?? null,
    // The engine reports no usage for a failed call, so nothing was billed that mmr knows of.
    costUsd: error ? 0 : (fin?.costUsd ?? null),
    latencyMs: fin ? fin.latencyMs : latencyMs,
    ttftMs: fin ? fin.ttftMs : ttftMs,
    attempts,
    error: error ? { kind: error.kind, message: error.message, status: error.status } : null,
  };
}

/** The user text a case asks: its last user turn. */
export function lastUserText(c: Pick<BenchCase, 'messages'>): string {
  for (let i = c.messages.length - 1; i >= 0; i--) if (c.messages[i].role === 'user') return c.messages[i].content;
  return c.messages[c.messages.length - 1]?.content ?? '';
}

/** What the judge reads as the question: the turn itself, or the whole conversation before a later turn's answer. */
export function judgeQuestion(history: ChatMessage[], turn: number): string {
  if (turn === 1) return lastUserText({ messages: history });
  return history.map((m) => `[${m.role === 'user' ? 'User' : 'Assistant'}]\n${m.content}`).join('\n\n');
}

export const turnsOf = (c: BenchCase) => 1 + c.followUps.length;

/** Rows a run will produce: one per turn of every selected (case, model, sample). */
export function plannedRows(cases: BenchCase[], models: string[], repeat: number, only?: RunnerOptions['only']): number {
  let n = 0;
  for (const c of cases) for (let s = 1; s <= repeat; s++) for (const m of models) if (!only || only(c.id, m, s)) n += turnsOf(c);
  return n;
}

type Job = { c: BenchCase; model: ResolvedModel; sample: number };

/** Hands out (case, model, sample) jobs in order as the cases stream in; shared by the workers. */
function jobQueue(cases: Iterable<BenchCase> | AsyncIterable<BenchCase>, models: ResolvedModel[], repeat: number, only: RunnerOptions['only']) {
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

interface RowBase {
  modelIndex: number;
  caseId: string;
  where: string;
  tags: string[];
  prompt: string;
  messages: ChatMessage[];
  system: string | null;
  model: string;
  turn: number;
  sample: number;
}

/**
 * A row, built field by field in one literal: `{...base, more}` (spread, then properties) costs
 * ~1 µs per property on Node 20's V8, 25 µs for a row, which was most of a cached re-run.
 */
function makeRow(b: RowBase, r: Omit<BenchRow, keyof RowBase | 'modelIndex'>): BenchRow {
  return {
    caseId: b.caseId,
    where: b.where,
    tags: b.tags,
    prompt: b.prompt,
    messages: b.messages,
    system: b.system,
    model: b.model,
    answer: r.answer,
    pass: r.pass,
    checks: r.checks,
    error: r.error,
    latencyMs: r.latencyMs,
    ttftMs: r.ttftMs,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costUsd: r.costUsd,
    judgeCostUsd: r.judgeCostUsd,
    cached: r.cached,
    attempts: r.attempts,
    turn: b.turn,
    sample: b.sample,
    modelIndex: b.modelIndex,
    ...(r.batch ? { batch: true } : {}),
  };
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

  /** The checks' results: an array when every check is synchronous (no promise per row), else a promise of it. */
  const grade = (expect: Check[], text: string, question: string, answer: CachedAnswer): CheckResult[] | Promise<CheckResult[]> => {
    try {
      const now = syncChecks(expect, text, { latencyMs: answer.latencyMs, costUsd: answer.costUsd });
      if (now) return now;
    } catch {
      // gradeLater gives the same failure row
    }
    return gradeLater(expect, text, question, answer);
  };
  const gradeLater = async (expect: Check[], text: string, question: string, answer: CachedAnswer): Promise<CheckResult[]> => {
    try {
      return await runChecks(expect, text, question, { runCommand: o.runCommand, judge: o.judge }, { latencyMs: answer.latencyMs, costUsd: answer.costUsd });
    } catch (err) {
      // A broken check fails its row; it must not take the other 39,999 rows down with it.
      return [{ type: expect[0]?.type ?? 'equals', pass: false, detail: `check failed to run: ${(err as Error).message}` }];
    }
  };

  const job = async ({ c, model, sample }: Job) => {
    const turns = [{ content: lastUserText(c), expect: c.expect }, ...c.followUps];
    let history: ChatMessage[] = c.messages;
    let failedAt = 0;
    for (let t = 0; t < turns.length; t++) {
      const turn = t + 1;
      const prompt = casePrompt(c, o.options, history);
      const request = buildRequest(model, prompt);
      const base: RowBase = { modelIndex: modelIndex.get(model) ?? 0, caseId: c.id, where: c.where, tags: c.tags, prompt: turns[t].content, messages: history, system: request.system ?? null, model: model.id, turn, sample };
      if (failedAt) {
        // The conversation broke off: later turns were never asked.
        done++;
        await o.onRow(makeRow(base, { answer: '', pass: turns[t].expect.length ? false : null, checks: [], error: { kind: 'skipped', message: `not sent: turn ${failedAt} failed`, status: null }, latencyMs: null, ttftMs: null, inputTokens: null, outputTokens: null, costUsd: 0, judgeCostUsd: 0, cached: false, attempts: 0 }));
        continue;
      }
      const key = o.cache || o.batch ? cacheKey(model, request, sample) : '';
      // A cache hit found without I/O is answered without a promise.
      const known = o.cache ? (o.cache.peek ? o.cache.peek(key) : undefined) : null;
      const got = known ? fromCache(known) : await answerTurn(model, prompt, key, known);
      if (!got) return;
      const { answer, error, cached } = got;
      const batch = got.batch === true || answer.batch !== undefined;
      let checks = error ? [] : grade(turns[t].expect, answer.text, judgeQuestion(history, turn), answer);
      if (!Array.isArray(checks)) checks = await checks;
      // A judge call cut short by Ctrl-C or the budget is no verdict: drop the row (the answer is
      // cached), though what the judge cost still counts. Decided before this row's own spend,
      // which may be what reaches the budget.
      const cut = local.signal.aborted && turns[t].expect.some((x) => x.type === 'judge');
      const judgeCostUsd = checks.reduce((a, r) => a + (r.costUsd ?? 0), 0);
      spend(judgeCostUsd);
      if (cut) return;
      done++;
      const written = o.onRow(
        makeRow(base, {
          answer: answer.text,
          pass: turns[t].expect.length === 0 ? null : !error && checks.every((r) => r.pass),
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
          batch,
        }),
      );
      if (written) await written;
      if (error) failedAt = turn;
      else if (t + 1 < turns.length) history = [...history, { role: 'assistant', content: answer.text }, { role: 'user', content: turns[t + 1].content }];
    }
  };

  // A job that throws (the rows file failed, say) stops the run; the others finish their call
  // and the first error is rethrown once every worker has returned, so nothing runs on unseen.
  let failure: { err: unknown } | null = null;
  const worker = async () => {
    for (;;) {
      let j: Job | null | Promise<Job | null>;
      try {
        j = queue.next(local.signal);
        if (j instanceof Promise) j = await j;
      } catch (err) {
        // The case stream failed (a prompt file changed under the run): stop like a failed job.
        failure ??= { err };
        local.abort('failed');
        return;
      }
      if (!j) return;
      try {
        await job(j);
      } catch (err) {
        failure ??= { err };
        local.abort('failed');
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await queue.close();
  }
  if (failure) throw (failure as { err: unknown }).err;
  if (!stopped && o.signal?.aborted) stopped = 'signal';
  return { stopped, spentUsd, skipped: Math.max(0, planned - done), planned };
}
