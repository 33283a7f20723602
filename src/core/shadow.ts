/**
 * Whether a new rule would take effect for a prompt: rules are tried in order and the first match
 * wins, so a rule appended after one that already matches the prompt never applies to it. Pure:
 * it runs the router itself on the prompt with the candidate in place.
 */
import { route, type CompiledRule } from './router.js';

export interface ShadowCheck {
  /** The earlier rule that matches the prompt first, when there is one. */
  shadowedBy?: string;
  /** Whether the candidate alone matches the prompt. */
  matchesPrompt: boolean;
}

/**
 * Checks `candidate` placed after `rules` (or just before the rule named `before`) against
 * `prompt`.
 */
export function checkShadow(rules: readonly CompiledRule[], candidate: CompiledRule, prompt: string, before?: string): ShadowCheck {
  const matchesPrompt = route([candidate], prompt, { defaults: [] }).source === 'rule';
  const at = before ? rules.findIndex((r) => r.name === before) : -1;
  const ahead = (at >= 0 ? rules.slice(0, at) : rules).filter((r) => r.name !== candidate.name);
  if (!matchesPrompt) return { matchesPrompt };
  const d = route([...ahead, candidate], prompt, { defaults: [] });
  return d.source === 'rule' && d.rule !== candidate.name ? { shadowedBy: d.rule, matchesPrompt } : { matchesPrompt };
}
