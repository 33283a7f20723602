import type { ChatMessage, ImageInput, ModelRequest } from './types.js';
import type { ModelOptions, ResolvedModel } from './model.js';

/** The prompt as the user gave it, before per-model options are applied. */
export interface Prompt {
  /** Conversation so far; the last message is the user's new turn. */
  messages: ChatMessage[];
  /** Per-call options (flags); they win over config. */
  options?: ModelOptions;
}

/** One user turn; `images` (from `-f picture.png`) go with it. */
export const userPrompt = (text: string, options?: ModelOptions, images?: ImageInput[]): Prompt => ({
  messages: [images?.length ? { role: 'user', content: text, images } : { role: 'user', content: text }],
  options,
});

/**
 * Config options for the model, then the call's own options, then a variant's settings (they are
 * what the column is): later wins, undefined never overrides.
 */
export function buildRequest(model: ResolvedModel, prompt: Prompt): ModelRequest {
  const o: ModelOptions = { ...model.options };
  for (const layer of [prompt.options ?? {}, model.variant ?? {}]) {
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  }
  return {
    model: model.model,
    messages: prompt.messages,
    system: o.system,
    temperature: o.temperature,
    maxTokens: o.maxTokens,
    topP: o.topP,
    stop: o.stop,
    ...(o.reasoning !== undefined ? { reasoning: o.reasoning } : {}),
  };
}
