import type { FanoutEvent } from '../core/types.js';
import { applyEvent, emptyResult, tokensPerSecond, totalCost, type AnswerResult } from '../core/results.js';
import { escapeJsonControls } from '../core/terminal-safe.js';

/**
 * JSON as mmr prints it: DEL and C1 controls inside strings are `\u` escapes, so the output is
 * the same JSON value and still safe when it lands on a terminal.
 */
export const jsonText = (value: unknown, indent?: number): string => escapeJsonControls(JSON.stringify(value, null, indent));

/** One model's record in `--json` output (the documented, stable shape). */
export interface JsonResult {
  model: string;
  alias: string | null;
  text: string;
  /** The reasoning text the model returned, apart from `text`; present only with --show-reasoning. */
  reasoning?: string;
  /** Unified finish reason (`stop`, `length`, ...); null when the model failed. */
  finishReason: string | null;
  /** The provider's own finish reason (`end_turn`, `MAX_TOKENS`, ...). */
  finishReasonRaw: string | null;
  usage: { inputTokens: number | null; outputTokens: number | null; cachedInputTokens: number | null; reasoningTokens: number | null };
  /** USD; null when the price is unknown. */
  costUsd: number | null;
  /** ms from the answering attempt's request being written to its first content (text or reasoning) token. */
  ttftMs: number | null;
  /** ms from the answering attempt's request being written to the end of its stream. */
  latencyMs: number | null;
  /** ms from mmr taking up this model to its end: loading, preflight, every attempt, backoff waits, fallbacks. */
  wallMs: number | null;
  /** Output tokens per second from the first to the last token; null when that window is under 250 ms or the count is unknown. */
  tokensPerSecond: number | null;
  /** Requests made by the model that answered (retries included; 0 when none was sent). */
  attempts: number;
  /** Models that were unavailable before this one answered in their place (routing fallback). */
  fallbackFrom: { model: string; message: string; status: number | null }[];
  error: { message: string; status: number | null; retryable: boolean; kind: string; code: string | null; hint: string | null } | null;
}

const round = (v: number | null) => (v == null ? null : Math.round(v * 10) / 10);

/** What a JSON record carries beyond the stable fields. */
export interface JsonOptions {
  /** Include each model's reasoning text (`--show-reasoning`). */
  reasoning?: boolean;
}

export function toJsonResult(r: AnswerResult, o: JsonOptions = {}): JsonResult {
  return {
    model: r.model,
    alias: r.alias ?? null,
    text: r.text,
    ...(o.reasoning ? { reasoning: r.reasoning } : {}),
    finishReason: r.finishReason?.unified ?? null,
    finishReasonRaw: r.finishReason?.raw ?? null,
    usage: {
      inputTokens: r.usage?.inputTokens ?? null,
      outputTokens: r.usage?.outputTokens ?? null,
      cachedInputTokens: r.usage?.cachedInputTokens ?? null,
      reasoningTokens: r.usage?.reasoningTokens ?? null,
    },
    costUsd: r.costUsd,
    ttftMs: round(r.ttftMs),
    latencyMs: round(r.latencyMs),
    wallMs: round(r.wallMs),
    tokensPerSecond: round(tokensPerSecond(r)),
    attempts: r.attempts,
    fallbackFrom: r.fallbackFrom.map((f) => ({ model: f.model, message: f.error.message, status: f.error.status })),
    error: r.error
      ? {
          message: r.error.message,
          status: r.error.status,
          retryable: r.error.retryable,
          kind: r.error.kind,
          code: r.error.code ?? null,
          hint: r.error.hint ?? null,
        }
      : null,
  };
}

/** Folds the event stream into results, for front ends that print only at the end. */
export async function collect(events: AsyncIterable<FanoutEvent>, models: { id: string; alias?: string }[]): Promise<AnswerResult[]> {
  const results = models.map((m) => emptyResult(m.id, m.alias));
  for await (const ev of events) applyEvent(results[ev.slot], ev);
  return results;
}

export function jsonDocument(prompt: string, results: AnswerResult[], extra: Record<string, unknown> = {}, o: JsonOptions = {}) {
  return { prompt, ...extra, results: results.map((r) => toJsonResult(r, o)), totalCostUsd: totalCost(results) };
}

/** `--jsonl`: one record per model, written the moment it finishes (arrival order). */
export async function writeJsonl(events: AsyncIterable<FanoutEvent>, models: { id: string; alias?: string }[], out: NodeJS.WritableStream, o: JsonOptions = {}): Promise<AnswerResult[]> {
  const results = models.map((m) => emptyResult(m.id, m.alias));
  for await (const ev of events) {
    const r = applyEvent(results[ev.slot], ev);
    if (ev.type === 'finish' || ev.type === 'error') out.write(`${jsonText(toJsonResult(r, o))}\n`);
  }
  return results;
}
