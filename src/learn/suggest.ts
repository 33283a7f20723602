/**
 * Routing rules from bench evidence that hold up (`mmr bench --suggest-rules`). For each tag, a
 * condition is derived from the prompts themselves (their shared classifier category, else words
 * most of them contain and few others do; never the tag's name), checked against every case it
 * matches, and a rule is proposed only when at least MIN_CASES cases back it; it uses the
 * cheapest model whose quality lies within the 95% interval of the best model's (often the best). The rule
 * carries its evidence (n, qualities, date) as a comment. When a learned router beats the rules
 * out of fold, `advice()` says so.
 */
import type { SuggestedRule } from '../bench/analysis.js';
import type { BenchRow } from '../bench/types.js';
import { classify } from '../core/classify.js';
import { tokenize } from '../core/propose.js';
import type { RuleConfig } from '../core/router.js';
import { checkRules } from '../core/rule-check.js';
import { compileRules } from '../config/rules.js';
import type { Outcome } from './dataset.js';
import { lineOutcomes } from './evidence.js';
import { wilson } from './report.js';

/** Fewest matched cases (each graded for every model) behind a proposed rule. */
export const MIN_CASES = 20;

export interface EvidenceSuggestion extends SuggestedRule {
  /** The evidence, for the rule's comment: `n=42, haiku 90% (83–97%) vs best gpt-4o 93%, 2026-01-31`. */
  comment: string;
}

interface Case {
  prompt: string;
  tags: string[];
  q: Map<string, number>;
  c: Map<string, number | null>;
}

const kebab = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** A condition matching most of `group` and little else, or null. */
function conditionFor(group: Case[], others: Case[]): RuleConfig['when'] | null {
  const cats = new Map<string, number>();
  for (const k of group) cats.set(classify(k.prompt).category, (cats.get(classify(k.prompt).category) ?? 0) + 1);
  const [cat, n] = [...cats].sort((a, b) => b[1] - a[1])[0];
  if (cat !== 'chat' && n >= 0.8 * group.length) return { category: cat as never };
  const df = (cs: Case[]) => {
    const m = new Map<string, number>();
    for (const k of cs) for (const w of new Set(tokenize(k.prompt))) if (w.length >= 4 && !/^\d+$/.test(w)) m.set(w, (m.get(w) ?? 0) + 1);
    return m;
  };
  const inside = df(group);
  const outside = df(others);
  const words = [...inside]
    .filter(([w, c]) => c >= 0.3 * group.length && (outside.get(w) ?? 0) <= 0.05 * Math.max(1, others.length))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([w]) => w);
  return words.length ? { keywords: words } : null;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
function interval(xs: number[]): [number, number] {
  const w = wilson(xs);
  return [w.low, w.high];
}
const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Collects bench rows as they finish (only what suggestions need), then proposes rules. */
export function evidenceCollector(now: () => Date = () => new Date()) {
  const cases = new Map<string, Case>();
  const outcomes: Outcome[] = [];
  return {
    add(row: BenchRow): void {
      const r = lineOutcomes(row);
      if (!r || typeof r === 'string') return;
      for (const o of r.outcomes) {
        outcomes.push(o);
        let k = cases.get(o.group);
        if (!k) cases.set(o.group, (k = { prompt: o.prompt, tags: row.tags, q: new Map(), c: new Map() }));
        k.q.set(o.model, o.quality);
        k.c.set(o.model, o.costUsd);
      }
    },

    suggest(tolerancePts = 2): EvidenceSuggestion[] {
      const all = [...cases.values()];
      const models = [...new Set(all.flatMap((k) => [...k.q.keys()]))];
      const full = all.filter((k) => models.every((m) => k.q.has(m)));
      const tags = [...new Set(full.flatMap((k) => k.tags))].sort();
      const out: EvidenceSuggestion[] = [];
      for (const tag of tags) {
        const group = full.filter((k) => k.tags.includes(tag));
        const when = conditionFor(group, full.filter((k) => !k.tags.includes(tag)));
        if (!when || group.length < MIN_CASES) continue;
        const name = `bench-${kebab(tag)}`;
        const [compiled] = compileRules([{ name, when, use: models[0] }]);
        const matched = full.filter((k) => checkRules([compiled], k.prompt)[0].match);
        if (matched.length < MIN_CASES) continue;
        const stats = models.map((m) => {
          const qs = matched.map((k) => k.q.get(m)!);
          const cs = matched.map((k) => k.c.get(m)).filter((c): c is number => typeof c === 'number');
          return { m, q: mean(qs), ci: interval(qs), cost: cs.length === matched.length ? mean(cs) : null };
        });
        const best = stats.reduce((a, b) => (b.q > a.q ? b : a));
        const near = stats.filter((s) => s === best || (s.q >= best.ci[0] - tolerancePts / 100 && s.cost !== null && (best.cost === null || s.cost < best.cost)));
        const pick = near.sort((a, b) => (a.cost ?? Infinity) - (b.cost ?? Infinity) || b.q - a.q)[0];
        if (!pick) continue;
        const date = now().toISOString().slice(0, 10);
        const comment = `n=${matched.length}: ${pick.m} ${pct(pick.q)} (${pct(pick.ci[0])}–${pct(pick.ci[1])}) ${pick === best ? 'best' : `vs best ${best.m} ${pct(best.q)}, cheaper`}; mmr bench ${date}`;
        out.push({ tag, model: pick.m, passRate: pick.q, best: { model: best.m, passRate: best.q }, n: matched.length, rule: { name, when, use: pick.m }, comment });
      }
      return out;
    },

    /** A note when a learned router beats the suggested rules (with the best model as default) out of fold, else null. */
    async advice(suggestions: readonly EvidenceSuggestion[]): Promise<string | null> {
      const models = [...new Set([...cases.values()].flatMap((k) => [...k.q.keys()]))];
      const full = [...cases.values()].filter((k) => models.every((m) => k.q.has(m)));
      if (full.length < 50) return null;
      const [{ fitRouter }, { buildReport }] = await Promise.all([import('./fit.js'), import('./report.js')]);
      const report = buildReport(fitRouter(outcomes, { folds: 3 }));
      if (!report.figures || report.useSingle || !report.best) return null;
      // The rules as they would route: first match wins, else the best single model.
      const compiled = compileRules(suggestions.map((x) => x.rule));
      let q = 0, c = 0;
      for (const k of full) {
        const hit = checkRules(compiled, k.prompt).find((r) => r.match);
        const m = hit ? suggestions[hit.index].model : report.best.model;
        q += k.q.get(m)!;
        c += k.c.get(m) ?? 0;
      }
      [q, c] = [q / full.length, c / full.length];
      const win = report.curve.find((p) => p.costUsd <= c + 1e-12 && p.quality > q + 0.005);
      if (!win) return null;
      const rules = suggestions.length ? `the ${suggestions.length} suggested rule${suggestions.length === 1 ? '' : 's'}` : `${report.best.model} alone`;
      return `a learned router beats ${rules} (${pct(q)} at $${c.toPrecision(2)} per answer): ${pct(win.quality)} at $${win.costUsd.toPrecision(2)} out of fold (tradeoff ${win.tradeoff}); train it with \`mmr learn\` on these rows and set \`learned: {file: .mmr/router.json, tradeoff: ${win.tradeoff}}\``;
    },
  };
}
