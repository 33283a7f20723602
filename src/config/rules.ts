/**
 * Routing rules as config: validated and precompiled once when config loads, into the
 * CompiledRule conditions core/router.ts matches prompts against. Every problem is reported with
 * its rule (`rules[2]` and `rule "sql"`), path and line.
 */
import { getPreset } from '../providers/presets.js';
import { CATEGORIES, type Category } from '../core/classify.js';
import { ConfigError } from '../core/errors.js';
import { expandAlias, parseModelId } from './model-id.js';
import { KeywordIndex, type CompiledRule, type Condition, type RuleRegex } from '../core/router.js';
import { isPlainObject, typeName, type PathSeg } from './checks.js';
import { compileRegex } from './rule-regex.js';
import { didYouMean } from './suggest.js';
import type { MmrConfig } from './types.js';
import { Walker, type Locate } from './walker.js';

export type { CompiledRule, RuleConfig, RuleWhen } from '../core/router.js';

export interface CompileContext {
  /** How problems name the file. */
  file?: string;
  /** Returns why `ref` names no model (unknown alias or provider), or null when it is fine. */
  knownModel?: (ref: string) => string | null;
  /** Line numbers for problems; paths start at the document root (`rules[2].when`). */
  locate?: Locate;
  /** Where the rules list sits in the document; default `['rules']`. */
  path?: PathSeg[];
}

const RULE_KEYS = ['name', 'when', 'use', 'fallback', 'maxCostUsd'];
const WHEN_KEYS = ['keywords', 'regex', 'category', 'minChars', 'maxChars', 'minTokens', 'maxTokens', 'hasCode', 'language'];
const quote = (xs: string[]) => `[${xs.join(', ')}]`;

/**
 * Validate and precompile rules. Throws ConfigError naming every problem with its rule
 * (`rules[2]` and `rule "sql"`): bad shapes, unknown keys, invalid or pathological regexes,
 * unknown categories, and models `knownModel` does not know.
 */
export function compileRules(rules: unknown[], ctx: CompileContext = {}): CompiledRule[] {
  const w = new Walker(ctx.file ?? 'config', ctx.locate);
  const base = ctx.path ?? ['rules'];
  const index = new KeywordIndex();
  const out: CompiledRule[] = [];
  const seen = new Map<string, number>();
  rules.forEach((raw, i) => {
    const at = [...base, i];
    const before = w.problems.length;
    const name = isPlainObject(raw) && typeof raw.name === 'string' && raw.name.trim() ? raw.name.trim() : undefined;
    const rule = compileOne(w, raw, at, i, index, ctx.knownModel);
    if (name !== undefined) {
      const first = seen.get(name);
      if (first !== undefined) w.report([...at, 'name'], `the name is already used by rules[${first}]; rule names must be unique`);
      else seen.set(name, i);
    }
    const label = name ? `rule "${name}"` : `rule #${i + 1}`;
    for (const p of w.problems.slice(before)) p.message = `${label}: ${p.message}`;
    if (rule && w.problems.length === before) out.push(rule);
  });
  if (w.problems.length) {
    throw new ConfigError(w.problems, 'Fix the rules named above; `mmr rules list` shows what loads, `mmr route "…"` shows which rule a prompt hits.');
  }
  index.seal();
  return out;
}

function compileOne(w: Walker, raw: unknown, at: PathSeg[], i: number, index: KeywordIndex, known?: (ref: string) => string | null): CompiledRule | undefined {
  if (!isPlainObject(raw)) {
    w.report(at, `must be a mapping with name, when and use, got ${typeName(raw)}`);
    return undefined;
  }
  w.object(raw, at, RULE_KEYS);
  const name = w.string(raw.name, [...at, 'name'], { nonEmpty: true });
  if (raw.name == null) w.report(at, 'needs a name (used by `mmr route` and `mmr rules rm`)');
  const models = (key: 'use' | 'fallback'): string[] => {
    const list = w.stringList(raw[key], [...at, key], { nonEmpty: true }) ?? [];
    list.forEach((ref, j) => {
      const why = known?.(ref);
      if (why) w.report(Array.isArray(raw[key]) ? [...at, key, j] : [...at, key], why);
    });
    return list;
  };
  if (raw.use == null) w.report(at, 'needs `use`: the model (or list of models) to ask, e.g. use: openai:gpt-4o-mini');
  const use = models('use');
  const fallback = models('fallback');
  const maxCostUsd = w.number(raw.maxCostUsd, [...at, 'maxCostUsd'], { min: 0, unit: 'USD per answer' });
  const conditions: Condition[] = [];
  const when = raw.when == null ? {} : w.object(raw.when, [...at, 'when'], WHEN_KEYS);
  if (when) addConditions(w, when, [...at, 'when'], index, conditions);
  const summary = conditions.map((c) => c.label).join(' · ') || 'always';
  conditions.sort((a, b) => a.cost - b.cost);
  if (name === undefined) return undefined;
  const rule: CompiledRule = { name: name.trim(), index: i, use, fallback, summary, conditions };
  if (maxCostUsd !== undefined) rule.maxCostUsd = maxCostUsd;
  return rule;
}

function addConditions(w: Walker, when: Record<string, unknown>, at: PathSeg[], index: KeywordIndex, out: Condition[]): void {
  const kw = when.keywords;
  if (kw != null) {
    const obj = isPlainObject(kw) ? w.object(kw, [...at, 'keywords'], ['any', 'all']) : undefined;
    const norm = (list?: string[]) => list?.map((k) => k.trim().toLowerCase().replace(/\s+/g, ' '));
    const any = norm(obj ? w.stringList(obj.any, [...at, 'keywords', 'any'], { nonEmpty: true }) : w.stringList(kw, [...at, 'keywords'], { nonEmpty: true }));
    const all = norm(obj ? w.stringList(obj.all, [...at, 'keywords', 'all'], { nonEmpty: true }) : undefined);
    if (obj && !any && !all && obj.any == null && obj.all == null) w.report([...at, 'keywords'], 'needs `any` or `all` (a list of words)');
    for (const k of [...(any ?? []), ...(all ?? [])]) index.add(k);
    if (any) {
      out.push({
        cost: 1, label: `keywords any ${quote(any)}`, spec: { kind: 'keywords-any', words: any },
        test: (v) => any.some((k) => v.keywords(index).has(k)),
        explain: (v) => `keywords any: ${any.filter((k) => v.keywords(index).has(k)).map((k) => `"${k}"`).join(', ')}`,
      });
    }
    if (all) {
      out.push({
        cost: 1, label: `keywords all ${quote(all)}`, spec: { kind: 'keywords-all', words: all },
        test: (v) => all.every((k) => v.keywords(index).has(k)),
        explain: () => `keywords all: ${all.map((k) => `"${k}"`).join(', ')}`,
      });
    }
  }
  if (when.regex != null) {
    const list = w.stringList(when.regex, [...at, 'regex'], { nonEmpty: true }) ?? [];
    const res: RuleRegex[] = [];
    list.forEach((src, j) => {
      const r = compileRegex(src);
      if (typeof r === 'string') w.report(Array.isArray(when.regex) ? [...at, 'regex', j] : [...at, 'regex'], r);
      else res.push(r);
    });
    if (res.length === list.length && res.length) {
      out.push({
        cost: 2, label: `regex ${res.map(String).join(' | ')}`, spec: { kind: 'regex', sources: list },
        test: (v) => res.some((r) => r.test(v.forRegex(), v.forRegexLower())),
        explain: (v) => {
          const r = res.find((x) => x.test(v.forRegex(), v.forRegexLower()))!;
          const m = r.match(v.forRegex()) ?? '';
          return `regex ${r}: "${m.length > 40 ? `${m.slice(0, 40)}…` : m}"`;
        },
      });
    }
  }
  const cats = w.stringList(when.category, [...at, 'category'], { nonEmpty: true });
  if (cats) {
    const bad = cats.filter((c) => !(CATEGORIES as readonly string[]).includes(c));
    for (const c of bad) w.report([...at, 'category'], `unknown category "${c}"${didYouMean(c, CATEGORIES)}; known: ${CATEGORIES.join(', ')}`);
    if (!bad.length) {
      out.push({ cost: 0, label: `category ${cats.join('|')}`, spec: { kind: 'category', values: cats }, test: (v) => cats.includes(v.c.category), explain: (v) => `category ${v.c.category}` });
    }
  }
  const langs = w.stringList(when.language, [...at, 'language'], { nonEmpty: true })?.map((l) => l.toLowerCase());
  if (langs) {
    for (const l of langs) if (!/^[a-z]{2}$/.test(l)) w.report([...at, 'language'], `"${l}" is not an ISO 639-1 code; use two letters such as en, fr, de, zh`);
    out.push({ cost: 0, label: `language ${langs.join('|')}`, spec: { kind: 'language', values: langs }, test: (v) => langs.includes(v.c.language), explain: (v) => `language ${v.c.language}` });
  }
  if (when.hasCode != null) {
    if (typeof when.hasCode !== 'boolean') w.report([...at, 'hasCode'], `must be true or false, got ${typeName(when.hasCode)}`);
    else {
      const want = when.hasCode;
      out.push({ cost: 0, label: `hasCode ${want}`, spec: { kind: 'hasCode', value: want }, test: (v) => v.c.hasCode === want, explain: () => `hasCode ${want}` });
    }
  }
  for (const [lo, hi, field, unit] of [['minChars', 'maxChars', 'chars', 'characters'], ['minTokens', 'maxTokens', 'estTokens', 'estimated tokens']] as const) {
    const min = w.number(when[lo], [...at, lo], { min: 0, integer: true, unit });
    const max = w.number(when[hi], [...at, hi], { min: 0, integer: true, unit });
    if (min !== undefined && max !== undefined && min > max) w.report([...at, lo], `is greater than ${hi} (${min} > ${max}), so the rule can never match`);
    const label = field === 'chars' ? 'chars' : 'tokens';
    if (min !== undefined) {
      out.push({ cost: 0, label: `${label} ≥ ${min}`, spec: { kind: 'min', field, value: min }, test: (v) => v.c[field] >= min, explain: (v) => `${v.c[field]} ${label} ≥ ${min}` });
    }
    if (max !== undefined) {
      out.push({ cost: 0, label: `${label} ≤ ${max}`, spec: { kind: 'max', field, value: max }, test: (v) => v.c[field] <= max, explain: (v) => `${v.c[field]} ${label} ≤ ${max}` });
    }
  }
}

/** A `knownModel` for compileRules from a config: aliases must resolve and providers must exist. */
export function knownModelFor(config: Pick<MmrConfig, 'aliases' | 'providers'>): (ref: string) => string | null {
  return (ref) => {
    try {
      const { provider } = parseModelId(expandAlias(ref, config.aliases).id);
      if (getPreset(provider) || Object.prototype.hasOwnProperty.call(config.providers, provider)) return null;
      return `unknown provider "${provider}" in "${ref}"; define it under providers: or use a built-in one`;
    } catch (err) {
      return `unknown model "${ref}": ${(err as Error).message.split('\n')[0]}`;
    }
  };
}

