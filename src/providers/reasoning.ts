/**
 * One reasoning setting onto each provider's own knob, and the clear refusal where a model is
 * known to have none (capabilities.ts). Unknown models get the parameter and the provider
 * decides. Pure: adapters call the field builders while they write their request body.
 *
 * | setting | OpenAI / compatible            | Responses          | Anthropic            | Gemini 2.5 / 3                       | Ollama        |
 * |---------|--------------------------------|--------------------|----------------------|--------------------------------------|---------------|
 * | off     | `reasoning_effort: none`¹      | `effort: none`¹    | no `thinking`        | `thinkingBudget: 0` / `minimal`      | `think: false`|
 * | level   | `reasoning_effort: level`      | `effort`, summary  | `budget_tokens` ²    | `thinkingBudget` ² / `thinkingLevel` | `think` ³     |
 * | tokens  | nearest level                  | nearest level      | `budget_tokens`      | `thinkingBudget`                     | `think` ³     |
 *
 * ¹ `minimal` for gpt-5; nothing at all for a model known not to reason. ² low 1,024, medium
 * 8,192, high 24,576 tokens. ³ gpt-oss takes the level, other models `true`. OpenRouter takes
 * `reasoning: {effort | max_tokens | enabled: false}`.
 */
import { budgetFor, effortFor, showReasoning } from '../core/reasoning.js';
import type { ErrorInfo, ModelRequest, ReasoningSetting } from '../core/types.js';
import { bareModelName, modelFacts } from './capabilities.js';
import type { ProviderSpec } from './provider.js';

/** Anthropic refuses a smaller thinking budget. */
export const ANTHROPIC_MIN_BUDGET = 1024;

type Fields = Record<string, unknown>;

function refuse(message: string, hint: string): ErrorInfo {
  return { kind: 'config', message, status: null, retryable: false, code: 'reasoning_unsupported', hint };
}

/** Why this model cannot take the request's reasoning setting, or null (also when none is set). */
export function reasoningProblem(spec: ProviderSpec, request: ModelRequest): ErrorInfo | null {
  const setting = request.reasoning;
  if (setting === undefined) return null;
  const id = `${spec.id}:${request.model}`;
  const asked = `reasoning: ${showReasoning(setting)}`;
  if (spec.protocol === 'command') {
    return refuse(`${id} runs a local command, which takes no reasoning setting (${asked})`, 'drop --reasoning for this model');
  }
  const facts = modelFacts(request.model);
  const instead = facts.instead ? `, or use a reasoning model such as ${spec.id}:${facts.instead}` : '';
  if (facts.reasoning === 'fixed') {
    return refuse(`${id} always reasons and takes no reasoning setting (${asked})`, 'drop --reasoning for this model; it decides how long to think');
  }
  if (setting === 'off') {
    if (facts.reasoning === 'on') return refuse(`${id} always reasons; reasoning: off cannot turn it off`, 'use reasoning: low for the least thinking');
    return null;
  }
  if (facts.reasoning === 'none') return refuse(`${id} does not reason, so ${asked} cannot apply`, `drop --reasoning for this model${instead}`);
  if (spec.protocol === 'anthropic' && budgetFor(setting) < ANTHROPIC_MIN_BUDGET) {
    return refuse(`${id}: Anthropic's smallest thinking budget is ${ANTHROPIC_MIN_BUDGET.toLocaleString('en-US')} tokens (${asked})`, `use reasoning: low or a budget of at least ${ANTHROPIC_MIN_BUDGET}`);
  }
  return null;
}

/** "Off" in an effort-style API: nothing for a model known not to reason, else its spelling. */
function offEffort(model: string): string | undefined {
  const facts = modelFacts(model);
  return facts.reasoning === 'none' ? undefined : (facts.offEffort ?? 'none');
}

/** Chat Completions fields: `reasoning_effort`, or OpenRouter's `reasoning` object. */
export function openaiReasoningFields(spec: ProviderSpec, model: string, setting: ReasoningSetting | undefined): Fields {
  if (setting === undefined) return {};
  if (spec.reasoningParam === 'openrouter') {
    if (setting === 'off') return { reasoning: { enabled: false } };
    return { reasoning: typeof setting === 'number' ? { max_tokens: setting } : { effort: setting } };
  }
  if (setting === 'off') {
    const off = offEffort(model);
    return off ? { reasoning_effort: off } : {};
  }
  return { reasoning_effort: effortFor(setting) };
}

/** Responses API `reasoning`: the effort, and a summary of the reasoning to show (when it thinks). */
export function responsesReasoning(model: string, setting: ReasoningSetting | undefined): Fields | undefined {
  if (setting === undefined) return undefined;
  if (setting === 'off') {
    const off = offEffort(model);
    return off ? { effort: off } : undefined;
  }
  return { effort: effortFor(setting), summary: 'auto' };
}

/** Anthropic `thinking`, and how many tokens it adds to max_tokens (Anthropic counts thinking inside max_tokens). */
export function anthropicThinking(setting: ReasoningSetting | undefined): { thinking?: Fields; extraMaxTokens: number } {
  if (setting === undefined || setting === 'off') return { extraMaxTokens: 0 };
  const budget = budgetFor(setting);
  return { thinking: { type: 'enabled', budget_tokens: budget }, extraMaxTokens: budget };
}

/** Gemini `generationConfig.thinkingConfig`: a budget on 2.5, a level on 3 (a number is a budget on both). */
export function geminiThinkingConfig(model: string, setting: ReasoningSetting | undefined): Fields | undefined {
  if (setting === undefined) return undefined;
  const three = /^gemini-3/.test(bareModelName(model));
  if (setting === 'off') return three ? { thinkingLevel: 'minimal' } : { thinkingBudget: 0 };
  if (typeof setting === 'number') return { thinkingBudget: setting, includeThoughts: true };
  return three ? { thinkingLevel: setting, includeThoughts: true } : { thinkingBudget: budgetFor(setting), includeThoughts: true };
}

/** Ollama's `think`: a level for gpt-oss (it cannot think less than low), else on or off. */
export function ollamaThink(model: string, setting: ReasoningSetting | undefined): boolean | string | undefined {
  if (setting === undefined) return undefined;
  if (setting === 'off') return false;
  return /^gpt-oss/.test(bareModelName(model)) ? effortFor(setting) : true;
}
