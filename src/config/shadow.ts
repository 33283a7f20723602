/**
 * Shadowed rules: a rule that can never fire because an earlier, broader rule catches every
 * prompt it would (`mmr rules list` marks them). Which rule catches one given prompt ahead of a
 * new one is src/core/shadow.ts (the terminal UI's rule dialog); which rules a new one inserted above
 * another would silence is `hiddenBy` (the same dialog). Pure: rules in, names out; the
 * analysis reads the conditions' data, not their code.
 */
import type { CompiledRule, Condition, ConditionSpec } from '../core/router.js';
import { checkShadow, type ShadowCheck } from '../core/shadow.js';

const subset = (a: readonly string[], b: readonly string[]) => a.length > 0 && a.every((x) => b.includes(x));

/** Whether every prompt meeting all of `conds` meets `need` (conservative: false when unsure). */
function implied(need: ConditionSpec, conds: readonly Condition[]): boolean {
  const specs = conds.map((c) => c.spec);
  switch (need.kind) {
    case 'keywords-any':
      return specs.some((s) => (s.kind === 'keywords-any' && subset(s.words, need.words)) || (s.kind === 'keywords-all' && s.words.some((w) => need.words.includes(w))));
    case 'keywords-all': {
      const sure = specs.flatMap((s) => (s.kind === 'keywords-all' ? s.words : s.kind === 'keywords-any' && s.words.length === 1 ? s.words : []));
      return subset(need.words, sure);
    }
    case 'regex':
      return specs.some((s) => s.kind === 'regex' && subset(s.sources, need.sources));
    case 'category':
    case 'language':
      return specs.some((s) => s.kind === need.kind && subset(s.values, need.values));
    case 'hasCode':
      return specs.some((s) => s.kind === 'hasCode' && s.value === need.value);
    case 'min':
      return specs.some((s) => s.kind === 'min' && s.field === need.field && s.value >= need.value);
    case 'max':
      return specs.some((s) => s.kind === 'max' && s.field === need.field && s.value <= need.value);
  }
}

/** True when `earlier` matches every prompt `later` matches, so `later` placed after it never fires. */
export function shadows(earlier: CompiledRule, later: CompiledRule): boolean {
  return earlier.conditions.every((c) => implied(c.spec, later.conditions));
}

/** For each shadowed rule (by name), the earlier rule that shadows it. */
export function shadowedRules(rules: readonly CompiledRule[]): Map<string, string> {
  const out = new Map<string, string>();
  rules.forEach((r, j) => {
    const by = rules.slice(0, j).find((e) => !out.has(e.name) && shadows(e, r));
    if (by) out.set(r.name, by.name);
  });
  return out;
}

/**
 * The rules that `candidate`, inserted just above the rule named `before`, would shadow: from
 * `before` on, every rule that matches only prompts the candidate already catches, so it would
 * never fire again. Empty when the candidate is appended (nothing comes after it).
 */
export function hiddenBy(rules: readonly CompiledRule[], candidate: CompiledRule, before?: string): string[] {
  const at = before ? rules.findIndex((r) => r.name === before) : -1;
  if (at < 0) return [];
  return rules.slice(at).filter((r) => r.name !== candidate.name && shadows(candidate, r)).map((r) => r.name);
}

/** Everything the rule dialog says about a draft's place: what catches the prompt first, what it would silence. */
export function checkPlacement(rules: readonly CompiledRule[], candidate: CompiledRule, prompt: string, before?: string): ShadowCheck & { hides: string[] } {
  return { ...checkShadow(rules, candidate, prompt, before), hides: hiddenBy(rules, candidate, before) };
}
