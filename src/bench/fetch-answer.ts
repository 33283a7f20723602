/**
 * One live call for the bench runner: the engine's events folded into what a row and the cache
 * keep (answer text, finish reason, usage, cost, timing, attempts), or the call's error.
 */
import type { ResolvedModel } from '../core/model.js';
import type { Prompt } from '../core/request.js';
import { runModel, type EngineOptions } from '../core/run-model.js';
import type { ErrorInfo } from '../core/types.js';
import type { CachedAnswer } from './cache.js';
import type { BenchRow } from './types.js';

export type Fetched = CachedAnswer & { error: BenchRow['error'] };

export async function fetchAnswer(model: ResolvedModel, prompt: Prompt, engine: EngineOptions): Promise<Fetched> {
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

