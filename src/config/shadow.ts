/**
 * Shadowed rules: a rule that can never fire because an earlier, broader rule catches every
 * prompt it would (`mmr rules list` marks them), and the rule that would catch a given prompt
 * ahead of a new one (the terminal UI's rule dialog says so, or saves the new rule before it).
 * Pure: rules and prompts in, names out; the analysis reads the conditions' data, not their code.
 */
import type { CompiledRule, Condition, ConditionSpec, RuleConfig } from '../core/router.js';
import { checkRules } from '../core/rule-check.js';
import { compileRules } from './rules.js';

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

export interface Shadowing {
  /** The existing rule that catches the prompt first. */
  rule: string;
  /** Its 0-based position in the rules list. */
  index: number;
  /** What of it matched the prompt, e.g. `keywords any: "sql"`. */
  matched: string[];
  /**
   * Rule name to save the new rule before so it takes effect for this prompt; absent when that
   * would make the existing rule dead (the new one is at least as broad), so the user decides.
   */
  saveBefore?: string;
}

/**
 * The rule among `rules` (as in config, in order) that would route `prompt` before `newRule`
 * appended at the end gets a chance, or null when the new rule would take effect (or does not
 * match the prompt itself). Rules that do not compile are ignored here: loading reports them.
 */
export function shadowingRule(rules: readonly unknown[], newRule: RuleConfig, prompt: string): Shadowing | null {
  let compiled: CompiledRule[];
  let mine: CompiledRule;
  try {
    compiled = compileRules([...rules]);
    [mine] = compileRules([newRule]);
  } catch {
    compiled = rules.flatMap((r, i) => {
      try {
        return compileRules([r]).map((c) => ({ ...c, index: i }));
      } catch {
        return [];
      }
    });
    try {
      [mine] = compileRules([newRule]);
    } catch {
      return null;
    }
  }
  const [self] = checkRules([mine], prompt);
  if (!self.match) return null;
  const first = checkRules(compiled, prompt).find((c) => c.match);
  if (!first) return null;
  const existing = compiled.find((r) => r.name === first.name)!;
  const out: Shadowing = { rule: first.name, index: first.index, matched: first.held.length ? first.held : ['no conditions (matches every prompt)'] };
  if (!shadows(mine, existing)) out.saveBefore = first.name;
  return out;
}
