/**
 * A complete (non-streamed) answer body as each provider's batch returns it, read into what the
 * cache keeps: the text (reasoning and tool blocks left out, as the live path shows only text in
 * the answer), the finish reason, and usage normalised the way the streaming adapters do it.
 * Cost and the batch id are added by the caller.
 */
import { anthropicUsage } from '../providers/anthropic.js';
import { geminiUsage } from '../providers/gemini.js';
import { openaiUsage } from '../providers/openai-compatible.js';
import { finishReason } from '../providers/finish-reason.js';
import type { Usage } from '../core/types.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : null);

export interface ParsedAnswer {
  text: string;
  finishReason: string | null;
  usage: { inputTokens: number | null; outputTokens: number | null } | null;
  /** The provider's usage, normalised (for pricing: cached tokens). */
  fullUsage: Usage | null;
  costUsd: number | null;
  latencyMs: null;
  ttftMs: null;
  attempts: number;
}

function answer(text: string, raw: string | null, usage: Usage | null): ParsedAnswer {
  return {
    text,
    finishReason: finishReason(raw).unified,
    usage: usage ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } : null,
    fullUsage: usage,
    costUsd: null,
    latencyMs: null,
    ttftMs: null,
    attempts: 1,
  };
}

/** The answer in `body`, or null when it is not the protocol's answer object. */
export function parseLine(protocol: 'openai' | 'anthropic' | 'gemini', body: unknown): ParsedAnswer | null {
  if (!isObj(body)) return null;
  if (protocol === 'openai') {
    const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
    if (!isObj(choice) || !isObj(choice.message)) return null;
    return answer(str(choice.message.content) ?? '', str(choice.finish_reason), isObj(body.usage) ? openaiUsage(body.usage) : null);
  }
  if (protocol === 'anthropic') {
    if (!Array.isArray(body.content)) return null;
    const text = body.content.map((b) => (isObj(b) && b.type === 'text' ? (str(b.text) ?? '') : '')).join('');
    return answer(text, str(body.stop_reason), isObj(body.usage) ? anthropicUsage(body.usage) : null);
  }
  const cand = Array.isArray(body.candidates) ? body.candidates[0] : undefined;
  const feedback = isObj(body.promptFeedback) ? str(body.promptFeedback.blockReason) : null;
  if (!isObj(cand) && !feedback) return null;
  const parts = isObj(cand) && isObj(cand.content) && Array.isArray(cand.content.parts) ? cand.content.parts : [];
  const text = parts.map((p) => (isObj(p) && p.thought !== true ? (str(p.text) ?? '') : '')).join('');
  return answer(text, (isObj(cand) ? str(cand.finishReason) : null) ?? feedback, isObj(body.usageMetadata) ? geminiUsage(body.usageMetadata) : null);
}
