/** Why each rule did or did not fire for a prompt (`mmr route`, the shadowing check). Pure. */
import { MAX_SCAN_CHARS, scanPrompt, type Classification } from './classify.js';
import { PromptView, type CompiledRule, type Condition } from './router.js';

/** How one rule fared against a prompt: what matched and which conditions failed. */
export interface RuleCheck {
  name: string;
  index: number;
  match: boolean;
  /** Explanations of the conditions that held, e.g. `keywords any: "sql"`. */
  held: string[];
  /** Labels of the conditions that failed, e.g. `category code` (the prompt's value in parentheses). */
  failed: string[];
}

const actual = (spec: Condition['spec'], v: PromptView): string => {
  switch (spec.kind) {
    case 'category': return ` (is ${v.c.category})`;
    case 'language': return ` (is ${v.c.language})`;
    case 'hasCode': return ` (is ${v.c.hasCode})`;
    case 'min': case 'max': return ` (is ${v.c[spec.field]})`;
    default: return '';
  }
};

/** Every rule checked against a prompt, in order (for `mmr route`: why each rule did or did not fire). */
export function checkRules(rules: readonly CompiledRule[], prompt: string, classification?: Classification): RuleCheck[] {
  const scan = classification ? null : scanPrompt(prompt);
  const text = scan ? scan.text : prompt.length > MAX_SCAN_CHARS ? prompt.slice(0, MAX_SCAN_CHARS) : prompt;
  const view = new PromptView(scan ? scan.lower : text.toLowerCase(), text, scan ? scan.classification : classification!);
  return rules.map((rule) => {
    const held: string[] = [];
    const failed: string[] = [];
    for (const cond of rule.conditions) {
      if (cond.test(view)) held.push(cond.explain(view));
      else failed.push(cond.label + actual(cond.spec, view));
    }
    return { name: rule.name, index: rule.index, match: failed.length === 0, held, failed };
  });
}
