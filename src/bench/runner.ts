/**
 * Runs cases × models through the engine: a pool of `concurrency` workers (the global -j) pulls jobs in order
 * (so 40,000 jobs never become 40,000 pending promises), each passing the provider's gates,
 * the cache, the call itself (retries and timeouts are the engine's) and then the checks.
 * Rows are handed to `onRow` as they finish and not kept: memory stays flat on big runs.
 */
import { setMaxListeners } from 'node:events';
import type { ModelOptions, ResolvedModel } from '../core/model.js';
import { buildRequest, type Prompt } from '../core/request.js';
import { applyEvent, emptyResult } from '../core/results.js';
import { runModel, type EngineOptions } from '../core/run-model.js';
import type { FanoutEvent } from '../core/types.js';
import { BenchCache, cacheKey, type CachedAnswer } from './cache.js';
import { runChecks, type CheckDeps } from './checks.js';
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
  runCommand?: CheckDeps['runCommand'];
  /** Grades one judge check (the caller picks the judge model and engine). */
  judge?: (check: Check, answer: string, prompt: string) => Promise<CheckResult>;
  onRow: (row: BenchRow) => void | Promise<void>;
}

export interface RunOutcome {
  /** Why the run ended early, if it did. */
  stopped: 'signal' | 'budget' | null;
  /** USD spent now (not counting cached rows' original cost), judge calls included. */
  spentUsd: number;
  /** Jobs that never produced a row (stopped early). */
  skipped: number;
}

export const casePrompt = (c: BenchCase, options: ModelOptions): Prompt => ({
  messages: c.messages,
  options: { ...options, ...(c.system !== undefined ? { system: c.system } : {}) },
});

async function fetchAnswer(model: ResolvedModel, prompt: Prompt, engine: EngineOptions): Promise<CachedAnswer & { error: BenchRow['error'] }> {
  const r = emptyResult(model.id);
  for await (const ev of runModel(model, prompt, engine)) applyEvent(r, { ...ev, slot: 0, modelId: model.id } as FanoutEvent);
  return {
    text: r.text,
    finishReason: r.finishReason?.unified ?? null,
    usage: r.usage ? { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens } : null,
    costUsd: r.costUsd,
    latencyMs: r.latencyMs,
    ttftMs: r.ttftMs,
    attempts: r.attempts,
    error: r.error ? { kind: r.error.kind, message: r.error.message, status: r.error.status } : null,
  };
}

/** The user text a case asks: its last user turn. */
export function lastUserText(c: BenchCase): string {
  for (let i = c.messages.length - 1; i >= 0; i--) if (c.messages[i].role === 'user') return c.messages[i].content;
  return c.messages[c.messages.length - 1]?.content ?? '';
}

export async function runBench(cases: BenchCase[], o: RunnerOptions): Promise<RunOutcome> {
  const local = new AbortController();
  // Every job in flight listens on this one signal (-j 32 means 32 listeners), by design.
  setMaxListeners(0, local.signal);
  const onAbort = () => local.abort('signal');
  if (o.signal?.aborted) local.abort('signal');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const engine: EngineOptions = { ...o.engine, signal: local.signal };
  const total = cases.length * o.models.length;
  let next = 0;
  let done = 0;
  let spentUsd = 0;
  let stopped: RunOutcome['stopped'] = null;
  const spend = (usd: number | null | undefined) => {
    if (!usd) return;
    spentUsd += usd;
    if (o.maxCostUsd !== undefined && spentUsd >= o.maxCostUsd && !stopped) {
      stopped = 'budget';
      local.abort('budget');
    }
  };

  const job = async (i: number) => {
    const c = cases[Math.floor(i / o.models.length)];
    const model = o.models[i % o.models.length];
    const prompt = casePrompt(c, o.options);
    const request = buildRequest(model, prompt);
    const key = o.cache ? cacheKey(model.id, request) : '';
    const hit = o.cache ? await o.cache.get(key) : null;
    const cached = hit !== null;
    let answer: CachedAnswer;
    let error: BenchRow['error'] = null;
    if (hit) answer = hit;
    else {
      const release = o.gates ? await o.gates.enter(model.provider.id) : () => {};
      try {
        if (local.signal.aborted) return;
        const fresh = await fetchAnswer(model, prompt, engine);
        // A row cut short by Ctrl-C or the budget is not a result: it is dropped, not recorded as a failure.
        if (fresh.error?.kind === 'aborted' || local.signal.aborted) return;
        spend(fresh.costUsd);
        ({ error, ...answer } = fresh);
        // Failures are not cached: the next run should try again.
        if (!error && o.cache) await o.cache.set(key, answer);
      } finally {
        release();
      }
    }
    const question = lastUserText(c);
    let checks: CheckResult[] = [];
    try {
      if (!error) checks = await runChecks(c.expect, answer.text, question, { runCommand: o.runCommand, judge: o.judge });
    } catch (err) {
      // A broken check fails its row; it must not take the other 39,999 rows down with it.
      checks = [{ type: c.expect[0]?.type ?? 'equals', pass: false, detail: `check failed to run: ${(err as Error).message}` }];
    }
    const judgeCostUsd = checks.reduce((a, r) => a + (r.costUsd ?? 0), 0);
    spend(judgeCostUsd);
    const pass = c.expect.length === 0 ? null : !error && checks.every((r) => r.pass);
    done++;
    await o.onRow({
      caseId: c.id,
      where: c.where,
      tags: c.tags,
      prompt: question,
      messages: c.messages,
      system: request.system ?? null,
      model: model.id,
      answer: answer.text,
      pass,
      checks,
      error,
      latencyMs: answer.latencyMs,
      ttftMs: answer.ttftMs,
      inputTokens: answer.usage?.inputTokens ?? null,
      outputTokens: answer.usage?.outputTokens ?? null,
      costUsd: answer.costUsd,
      judgeCostUsd,
      cached,
      attempts: answer.attempts,
    });
  };

  const worker = async () => {
    while (!local.signal.aborted && next < total) {
      await job(next++);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(total, Math.max(1, o.concurrency)) }, worker));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (!stopped && o.signal?.aborted) stopped = 'signal';
  return { stopped, spentUsd, skipped: total - done };
}
