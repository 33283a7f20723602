/**
 * The one reasoning setting mmr takes (`--reasoning`, config `reasoning:`), as text and as the
 * numbers it means. Pure; providers/reasoning.ts maps it onto each provider's knob.
 */
import type { ReasoningLevel, ReasoningSetting } from './types.js';

export const REASONING_LEVELS: readonly ReasoningLevel[] = ['off', 'low', 'medium', 'high'];

/** Largest budget accepted, in tokens (no provider allows more thinking in one answer). */
export const MAX_REASONING_BUDGET = 1_000_000;

/**
 * What a level means where a provider takes a budget in tokens (Anthropic `budget_tokens`,
 * Gemini 2.5 `thinkingBudget`). 24,576 is Gemini 2.5 Flash's largest budget.
 */
export const LEVEL_BUDGET_TOKENS: Record<Exclude<ReasoningLevel, 'off'>, number> = { low: 1024, medium: 8192, high: 24576 };

/** A budget on an effort-style API: up to 2,048 tokens is low, up to 12,288 medium, more is high. */
export function effortFor(setting: Exclude<ReasoningSetting, 'off'>): 'low' | 'medium' | 'high' {
  if (typeof setting !== 'number') return setting;
  return setting <= 2048 ? 'low' : setting <= 12288 ? 'medium' : 'high';
}

/** A level on a budget-style API, in tokens. */
export function budgetFor(setting: Exclude<ReasoningSetting, 'off'>): number {
  return typeof setting === 'number' ? setting : LEVEL_BUDGET_TOKENS[setting];
}

/** `off`, `low`, `medium`, `high` or a whole number of tokens (0 is off); undefined for anything else. */
export function parseReasoning(value: unknown): ReasoningSetting | undefined {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > MAX_REASONING_BUDGET) return undefined;
    return value === 0 ? 'off' : value;
  }
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if ((REASONING_LEVELS as readonly string[]).includes(v)) return v as ReasoningLevel;
  if (v === 'none') return 'off';
  return /^\d+$/.test(v) ? parseReasoning(Number(v)) : undefined;
}

// Grouped by hand: toLocaleString at load time would start ICU (~5-9 ms) in every command that imports this.
const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ',');
export const REASONING_HELP = `off, low, medium, high, or a thinking budget in tokens (1-${grouped(MAX_REASONING_BUDGET)})`;

/** How a setting reads in labels and messages: `high`, `4096 tokens`. */
export const showReasoning = (s: ReasoningSetting): string => (typeof s === 'number' ? `${s} tokens` : s);
