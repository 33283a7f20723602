import type { FinishReason, UnifiedFinishReason } from '../core/types.js';

/**
 * Every provider's stop reason, lower-cased, onto the unified set. Case-insensitive because the
 * same idea is `length` on OpenAI, `max_tokens` on Anthropic and `MAX_TOKENS` on Gemini.
 */
const UNIFIED: Record<string, UnifiedFinishReason> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  completed: 'stop', // Responses API status
  length: 'length',
  max_tokens: 'length',
  max_output_tokens: 'length', // Responses API incomplete_details.reason
  content_filter: 'content-filter',
  safety: 'content-filter',
  recitation: 'content-filter',
  blocklist: 'content-filter',
  prohibited_content: 'content-filter',
  spii: 'content-filter',
  image_safety: 'content-filter',
  refusal: 'content-filter', // Anthropic's safety classifier stopping the answer
  tool_calls: 'tool-calls',
  tool_use: 'tool-calls',
  function_call: 'tool-calls',
};

/** `{unified, raw}`; a missing reason is `unknown`, an unrecognised one `other`. */
export function finishReason(raw: string | null | undefined): FinishReason {
  if (raw === null || raw === undefined || raw === '') return { unified: 'unknown', raw: null };
  const key = raw.toLowerCase();
  return { unified: Object.hasOwn(UNIFIED, key) ? UNIFIED[key] : 'other', raw };
}
