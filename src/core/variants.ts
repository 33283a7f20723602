/**
 * Variants: a column is a model plus settings. `openai:gpt-4o-mini{temperature=0,reasoning=high}`
 * names one, in labels, votes, bench rows, rules and `-m`, so the settings stay part of the
 * choice wherever the model id goes. `--vary KEY=V1,V2` multiplies models by values into such
 * ids, one per combination. Pure: a system prompt from a file (`system=@a.txt`) is read by the
 * caller and handed in.
 */
import { UsageError } from './errors.js';
import type { ModelOptions } from './model.js';
import { parseReasoning, REASONING_HELP } from './reasoning.js';

export type VaryKey = 'temperature' | 'topP' | 'maxTokens' | 'reasoning' | 'system';

/** The order settings appear in an id, whatever order they were given in. */
export const VARY_KEYS: readonly VaryKey[] = ['temperature', 'topP', 'maxTokens', 'reasoning', 'system'];

const SPELLINGS: Record<string, VaryKey> = {
  temperature: 'temperature',
  topp: 'topP',
  'top-p': 'topP',
  top_p: 'topP',
  maxtokens: 'maxTokens',
  'max-tokens': 'maxTokens',
  max_tokens: 'maxTokens',
  reasoning: 'reasoning',
  system: 'system',
};

/** Settings as written in an id: `0.7`, `high`, `4096`, `@prompts/terse.txt`. */
export type VariantValues = Partial<Record<VaryKey, string>>;

export interface VarySpec {
  key: VaryKey;
  values: string[];
}

/** Columns one comparison may have once variants multiply the models. */
export const MAX_VARIANT_COLUMNS = 24;

const usage = (message: string, hint = 'e.g. --vary temperature=0,1 or --vary reasoning=low,high or --vary system=@a.txt,@b.txt') => new UsageError(message, hint);

/** Why `raw` is not a value of `key`, or null when it is one. */
export function valueProblem(key: VaryKey, raw: string): string | null {
  const n = Number(raw);
  switch (key) {
    case 'temperature':
      return raw !== '' && Number.isFinite(n) && n >= 0 && n <= 2 ? null : 'temperature must be a number from 0 to 2';
    case 'topP':
      return raw !== '' && Number.isFinite(n) && n >= 0 && n <= 1 ? null : 'topP must be a number from 0 to 1';
    case 'maxTokens':
      return /^\d+$/.test(raw) && n >= 1 ? null : 'maxTokens must be a whole number of tokens, at least 1';
    case 'reasoning':
      return parseReasoning(raw) !== undefined ? null : `reasoning must be ${REASONING_HELP}`;
    case 'system':
      if (!raw.startsWith('@') || raw.length < 2) return 'system takes prompt files: system=@a.txt,@b.txt';
      return /[\s,{}=]/.test(raw) ? 'a system prompt file name may not hold spaces, ",", "{", "}" or "="' : null;
  }
}

/** `--vary KEY=V1,V2[,…]`. */
export function parseVary(text: string): VarySpec {
  const eq = text.indexOf('=');
  if (eq <= 0) throw usage(`--vary ${JSON.stringify(text)}: expected KEY=V1,V2`);
  const name = text.slice(0, eq).trim();
  const key = SPELLINGS[name.toLowerCase()];
  if (!key) throw usage(`--vary ${JSON.stringify(text)}: "${name}" is not a setting mmr can vary`, `vary one of: ${VARY_KEYS.join(', ')}`);
  const given = text.slice(eq + 1).split(',').map((v) => v.trim());
  if (given.some((v) => v === '')) throw usage(`--vary ${JSON.stringify(text)}: an empty value`);
  for (const v of given) {
    const problem = valueProblem(key, v);
    if (problem) throw usage(`--vary ${JSON.stringify(text)}: ${JSON.stringify(v)}: ${problem}`);
  }
  // One spelling per value (`none` and `0` are `off`), so the same setting is one column.
  return { key, values: [...new Set(key === 'reasoning' ? given.map((v) => String(parseReasoning(v))) : given)] };
}

/** `base{k=v,…}` in the canonical order; `base` alone when there are no settings. */
export function formatVariantRef(base: string, values: VariantValues): string {
  const parts = VARY_KEYS.filter((k) => values[k] !== undefined).map((k) => `${k}=${values[k]}`);
  return parts.length ? `${base}{${parts.join(',')}}` : base;
}

/** The base and settings of `base{k=v,…}`, or null when `ref` has no settings. Throws UsageError when they are malformed. */
export function splitVariantRef(ref: string): { base: string; values: VariantValues } | null {
  const open = ref.indexOf('{');
  if (open < 0 || !ref.endsWith('}')) {
    if (open >= 0 || ref.includes('}')) throw usage(`model id ${JSON.stringify(ref)}: settings go in braces at the end, e.g. openai:gpt-4o-mini{temperature=0}`);
    return null;
  }
  const base = ref.slice(0, open);
  const body = ref.slice(open + 1, -1);
  if (!base) throw usage(`model id ${JSON.stringify(ref)}: no model before the settings`);
  const values: VariantValues = {};
  for (const pair of body.split(',')) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? SPELLINGS[pair.slice(0, eq).trim().toLowerCase()] : undefined;
    if (!key) throw usage(`model id ${JSON.stringify(ref)}: "${pair}" is not a setting (use ${VARY_KEYS.join(', ')})`);
    const value = pair.slice(eq + 1).trim();
    const problem = valueProblem(key, value);
    if (problem) throw usage(`model id ${JSON.stringify(ref)}: ${problem}`);
    if (values[key] !== undefined) throw usage(`model id ${JSON.stringify(ref)}: ${key} is set twice`);
    values[key] = key === 'reasoning' ? String(parseReasoning(value)) : value;
  }
  return { base, values };
}

/**
 * The options a variant's settings mean. `system=@file` needs `readSystem` (the caller reads the
 * file); without it, such a setting is an error that says where system variants come from.
 */
export function variantOptions(values: VariantValues, readSystem?: (file: string) => string | undefined): ModelOptions {
  const o: ModelOptions = {};
  if (values.temperature !== undefined) o.temperature = Number(values.temperature);
  if (values.topP !== undefined) o.topP = Number(values.topP);
  if (values.maxTokens !== undefined) o.maxTokens = Number(values.maxTokens);
  if (values.reasoning !== undefined) o.reasoning = parseReasoning(values.reasoning);
  if (values.system !== undefined) {
    const text = readSystem?.(values.system.slice(1));
    if (text === undefined) throw usage(`system=${values.system}: the file's text was not read`, 'a system prompt file comes with --vary system=@file, which reads it; in config, give an alias its system: text');
    o.system = text;
  }
  return o;
}

/** Every combination of the specs' values, the first spec varying slowest. */
export function varyCombinations(specs: readonly VarySpec[]): VariantValues[] {
  let out: VariantValues[] = [{}];
  for (const s of specs) out = out.flatMap((c) => s.values.map((v) => ({ ...c, [s.key]: v })));
  return out;
}

/** The same setting in two --vary flags is a mistake, not a wish for their union. */
export function checkVarySpecs(specs: readonly VarySpec[]): void {
  const keys = specs.map((s) => s.key);
  const twice = keys.find((k, i) => keys.indexOf(k) !== i);
  if (twice) throw usage(`--vary ${twice} is given twice`, `put every value in one flag: --vary ${twice}=V1,V2`);
}

/** How many columns `models` × `combinations` make is bounded; too many is a UsageError that says how many. */
export function checkColumns(columns: number, models: number, combinations: number, max = MAX_VARIANT_COLUMNS): void {
  if (columns <= max) return;
  throw usage(`--vary makes ${columns} columns (${models} model${models === 1 ? '' : 's'} × ${combinations} combination${combinations === 1 ? '' : 's'}); at most ${max}`, 'vary fewer settings or values at once, or compare fewer models');
}

/**
 * `refs` × every combination of `specs`: one id per column, model by model, settings in id order.
 * A ref that already carries settings keeps those not varied. The same key twice is an error.
 */
export function expandVary(refs: readonly string[], specs: readonly VarySpec[], max = MAX_VARIANT_COLUMNS): string[] {
  checkVarySpecs(specs);
  if (specs.length === 0) return [...refs];
  const combos = varyCombinations(specs);
  const out: string[] = [];
  for (const ref of refs) {
    const split = splitVariantRef(ref);
    for (const combo of combos) out.push(formatVariantRef(split?.base ?? ref, { ...split?.values, ...combo }));
  }
  const unique = [...new Set(out)];
  checkColumns(unique.length, refs.length, combos.length, max);
  return unique;
}
