import type { ErrorInfo, ModelRequest } from './types.js';

/** Rough characters per token for English text and code; errs toward over-estimating tokens. */
const CHARS_PER_TOKEN = 3.5;
/** Below this many estimated tokens no current model's window is at risk, so no lookup is made. */
export const CONTEXT_CHECK_FLOOR_TOKENS = 8_000;

export function estimateTokens(request: ModelRequest): number {
  let chars = request.system?.length ?? 0;
  for (const m of request.messages) chars += m.content.length;
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** An error when the estimated prompt plus the requested output cannot fit the model's window. */
export function contextOverflow(request: ModelRequest, modelId: string, windowTokens: number | undefined): ErrorInfo | null {
  if (!windowTokens) return null;
  const input = estimateTokens(request);
  const need = input + (request.maxTokens ?? 0);
  if (need <= windowTokens) return null;
  return {
    kind: 'context-length',
    message: `the prompt is about ${input.toLocaleString('en-US')} tokens${request.maxTokens ? ` (+${request.maxTokens} for the answer)` : ''}, more than ${modelId}'s ${windowTokens.toLocaleString('en-US')}-token context window; not sent`,
    status: null,
    retryable: false,
    hint: 'shorten the input, or pick a model with a larger window (mmr models shows them)',
  };
}
