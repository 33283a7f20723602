/**
 * What mmr knows about well-known models: whether they reason (and whether that can be set or
 * turned off), whether they take images, and whether OpenAI serves them only through the
 * Responses API. Absence is the rule, not the exception: a model not listed here is unknown,
 * gets whatever the user asked for, and its provider decides. An entry is added only for a fact
 * the provider documents; a wrong "no" would refuse a call that would have worked.
 */

/**
 * `none`: no reasoning at all, so no setting applies. `on`: always reasons; the effort can be set
 * but not turned off. `optional`: can be set and turned off. `fixed`: always reasons and takes no
 * setting (the API refuses or ignores one).
 */
export type ReasoningSupport = 'none' | 'on' | 'optional' | 'fixed';

export interface ModelFacts {
  reasoning?: ReasoningSupport;
  /** How an effort-style API spells "off" for an `optional` model (`minimal` on gpt-5, `none` from gpt-5.1). */
  offEffort?: 'none' | 'minimal';
  /** Takes image input; undefined when unknown. */
  images?: boolean;
  /** OpenAI serves it only through the Responses API. */
  responsesOnly?: boolean;
  /** A model mmr suggests in hints instead (e.g. a reasoning model of the same provider). */
  instead?: string;
}

interface Rule {
  match: RegExp;
  facts: ModelFacts;
}

const VISION = { images: true } as const;
const TEXT_ONLY = { images: false } as const;

/** First match wins, so specific names come before their family. Matched on the bare, lower-cased name. */
const RULES: readonly Rule[] = [
  // OpenAI
  { match: /^(o1-pro|o3-pro|gpt-5(\.\d+)?-pro)\b/, facts: { reasoning: 'on', responsesOnly: true, ...VISION } },
  { match: /(^|-)codex\b|^codex-/, facts: { reasoning: 'on', responsesOnly: true, ...VISION } },
  { match: /deep-research/, facts: { reasoning: 'on', responsesOnly: true, ...VISION } },
  { match: /^computer-use/, facts: { responsesOnly: true, ...VISION } },
  { match: /^(o1-mini|o3-mini)\b/, facts: { reasoning: 'on', ...TEXT_ONLY } },
  { match: /^o1-preview\b/, facts: { reasoning: 'on', ...TEXT_ONLY } },
  { match: /^o\d(-|$)/, facts: { reasoning: 'on', ...VISION } },
  { match: /^gpt-5(\.\d+)?-chat\b|^gpt-chat\b/, facts: { reasoning: 'none', ...VISION, instead: 'gpt-5-mini' } },
  { match: /^gpt-5\.\d/, facts: { reasoning: 'optional', offEffort: 'none', ...VISION } },
  { match: /^gpt-5\b/, facts: { reasoning: 'optional', offEffort: 'minimal', ...VISION } },
  { match: /^gpt-oss\b/, facts: { reasoning: 'on', ...TEXT_ONLY } },
  { match: /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-4-turbo|chatgpt-4o|gpt-4-vision)/, facts: { reasoning: 'none', ...VISION, instead: 'o4-mini' } },
  { match: /^gpt-4(-\d|-32k|$)/, facts: { reasoning: 'none', ...TEXT_ONLY, instead: 'o4-mini' } },
  { match: /^gpt-3\.5/, facts: { reasoning: 'none', ...TEXT_ONLY, instead: 'o4-mini' } },
  // Anthropic: extended thinking from Claude 3.7 on; vision from Claude 3 on.
  { match: /^claude-(2|instant)/, facts: { reasoning: 'none', ...TEXT_ONLY } },
  { match: /^claude-3-7/, facts: { reasoning: 'optional', ...VISION } },
  { match: /^claude-3-5-haiku/, facts: { reasoning: 'none', instead: 'claude-haiku-4-5' } },
  { match: /^claude-3/, facts: { reasoning: 'none', ...VISION, instead: 'claude-haiku-4-5' } },
  { match: /^claude-(opus|sonnet|haiku)-\d/, facts: { reasoning: 'optional', ...VISION } },
  // Google Gemini
  { match: /^gemini-2\.0-flash-thinking/, facts: { reasoning: 'fixed', ...VISION } },
  { match: /^gemini-(1\.0|1\.5|2\.0)/, facts: { reasoning: 'none', ...VISION, instead: 'gemini-2.5-flash' } },
  { match: /^gemini-2\.5-pro/, facts: { reasoning: 'on', ...VISION } },
  { match: /^gemini-2\.5-flash-image/, facts: { reasoning: 'none', ...VISION } },
  { match: /^gemini-2\.5/, facts: { reasoning: 'optional', ...VISION } },
  { match: /^gemini-3(\.\d+)?-pro/, facts: { reasoning: 'on', ...VISION } },
  { match: /^gemini-3/, facts: { reasoning: 'optional', ...VISION } },
  // DeepSeek's own API: the reasoner always thinks and takes no effort; chat does not think.
  { match: /^deepseek-reasoner\b/, facts: { reasoning: 'fixed', ...TEXT_ONLY } },
  { match: /^deepseek-chat\b/, facts: { reasoning: 'none', ...TEXT_ONLY, instead: 'deepseek-reasoner' } },
  // xAI
  { match: /non-reasoning/, facts: { reasoning: 'none' } },
  { match: /^grok-3-mini/, facts: { reasoning: 'on', ...TEXT_ONLY } },
  { match: /^grok-(4|code)/, facts: { reasoning: 'fixed' } },
  { match: /^grok-3\b/, facts: { reasoning: 'none', ...TEXT_ONLY, instead: 'grok-3-mini' } },
  // Open-weight models served by Groq, Together, OpenRouter, Ollama, ...
  { match: /^llama-?3/, facts: { reasoning: 'none' } },
  { match: /^llama-4/, facts: { reasoning: 'none', ...VISION } },
];

/** The part of a model name the rules read: lower case, without a `models/` or vendor (`openai/`) prefix. */
export function bareModelName(model: string): string {
  const name = model.toLowerCase().replace(/^models\//, '');
  const slash = name.lastIndexOf('/');
  return slash >= 0 ? name.slice(slash + 1) : name;
}

/** Known facts about a model (by name, whatever the provider serves it); `{}` when unknown. */
export function modelFacts(model: string): ModelFacts {
  const name = bareModelName(model);
  for (const r of RULES) if (r.match.test(name)) return r.facts;
  return {};
}

/** Whether a model on this provider must use the Responses API (only on OpenAI's own API and Azure). */
export function isResponsesOnly(providerId: string, model: string): boolean {
  return (providerId === 'openai' || providerId === 'azure') && modelFacts(model).responsesOnly === true;
}
