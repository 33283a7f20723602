/** Conclusions from the stats: the cost/quality Pareto frontier and routing rules per tag. */
import type { RuleConfig } from '../core/router.js';
import { CATEGORIES } from '../core/classify.js';
import type { ModelStats, TagStats } from './summary-types.js';

export interface FrontierPoint {
  model: string;
  costUsd: number;
  passRate: number;
}

/**
 * Models no other model beats on both cost and pass rate, cheapest first. Models whose cost is
 * unknown, or none of whose calls answered, cannot be placed and are left out.
 */
export function paretoFrontier(stats: ModelStats[]): FrontierPoint[] {
  const pts = stats
    // A model whose every call failed spent $0 on failures: no point to place on the frontier.
    .filter((s) => s.costUsd != null && s.passRate != null && s.costUnknown === 0 && s.errors < s.n)
    .map((s) => ({ model: s.model, costUsd: s.costUsd!, passRate: s.passRate! }))
    .sort((a, b) => a.costUsd - b.costUsd || b.passRate - a.passRate);
  const out: FrontierPoint[] = [];
  for (const p of pts) if (out.length === 0 || p.passRate > out[out.length - 1].passRate) out.push(p);
  return out;
}

export interface SuggestedRule {
  tag: string;
  model: string;
  /** The chosen model's pass rate, 0–1. */
  passRate: number;
  best: { model: string; passRate: number };
  /** Cases behind it. */
  n: number;
  rule: RuleConfig;
}

/**
 * Per tag: the cheapest model whose pass rate is within `tolerancePts` percentage points of the
 * best. A tag that names a classifier category becomes a `category` condition, any other a keyword.
 */
export function suggestRules(tags: TagStats[], tolerancePts = 2): SuggestedRule[] {
  const byTag = new Map<string, TagStats[]>();
  for (const t of tags) if (t.passRate !== null) byTag.set(t.tag, [...(byTag.get(t.tag) ?? []), t]);
  const out: SuggestedRule[] = [];
  for (const [tag, rows] of byTag) {
    const best = rows.reduce((a, b) => (b.passRate! > a.passRate! ? b : a));
    // Nothing passed: there is no evidence for any model here.
    if (best.passRate === 0) continue;
    const near = rows.filter((r) => r.passRate! * 100 >= best.passRate! * 100 - tolerancePts - 1e-9);
    // Unknown cost sorts last: "cheapest" must be a known fact, not a guess.
    near.sort((a, b) => (a.costUsd ?? Infinity) - (b.costUsd ?? Infinity) || b.passRate! - a.passRate!);
    const pick = near[0];
    const category = (CATEGORIES as readonly string[]).includes(tag);
    const name = `bench-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    out.push({
      tag,
      model: pick.model,
      passRate: pick.passRate!,
      best: { model: best.model, passRate: best.passRate! },
      n: pick.graded,
      rule: { name, when: category ? { category: tag as never } : { keywords: [tag] }, use: pick.model },
    });
  }
  return out.sort((a, b) => a.tag.localeCompare(b.tag));
}
