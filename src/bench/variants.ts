/**
 * A bench file's named variants: `variants: {cold: {temperature: 0}, terse: {system: "@terse.txt"}}`
 * runs every model once per variant, as the ids `model{temperature=0}`, `model{system=@terse.txt}`
 * (paths relative to the current directory), so rows, the cache and the summary keep the settings
 * apart. Variants of several files are one set; the same name with other settings is an error.
 */
import path from 'node:path';
import type { ResolvedModel } from '../core/model.js';
import { applyVariant } from '../config/resolve-model.js';
import { checkColumns, formatVariantRef, valueProblem, VARY_KEYS, type VariantValues, type VaryKey } from '../core/variants.js';
import { CaseError } from './case-error.js';

export interface NamedVariant {
  name: string;
  values: VariantValues;
  /** `file` for messages. */
  where: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The variants of one file's `variants:` mapping, every problem naming the file and the variant. */
export function parseVariants(value: unknown, file: string, display: string, cwd: string): NamedVariant[] {
  if (!isObj(value)) throw new CaseError(display, '"variants" must be a mapping of name → settings, e.g. {cold: {temperature: 0}, hot: {temperature: 1}}');
  return Object.entries(value).map(([name, settings]) => {
    const where = `${display} variants.${name}`;
    if (!/^[\w.-]{1,40}$/.test(name)) throw new CaseError(where, 'a variant name uses letters, digits, ".", "_" and "-" (at most 40)');
    if (!isObj(settings) || Object.keys(settings).length === 0) throw new CaseError(where, `settings must be a mapping of ${VARY_KEYS.join(', ')}`);
    const values: VariantValues = {};
    for (const [k, v] of Object.entries(settings)) {
      const key = VARY_KEYS.find((x) => x === k) as VaryKey | undefined;
      if (!key) throw new CaseError(where, `"${k}" is not a setting a variant can hold (${VARY_KEYS.join(', ')})`);
      let raw = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '';
      // A prompt file is named relative to this bench file, and kept in ids relative to the cwd.
      if (key === 'system' && raw.startsWith('@')) raw = `@${path.relative(cwd, path.resolve(path.dirname(file), raw.slice(1))).split(path.sep).join('/')}`;
      const problem = valueProblem(key, raw);
      if (problem) throw new CaseError(where, `${k}: ${problem}`);
      values[key] = raw;
    }
    return { name, values, where };
  });
}

/** Every file's variants as one set: the same name twice must mean the same settings. */
export function mergeVariants(lists: NamedVariant[][]): NamedVariant[] {
  const byName = new Map<string, NamedVariant>();
  for (const v of lists.flat()) {
    const prev = byName.get(v.name);
    if (prev && formatVariantRef('', prev.values) !== formatVariantRef('', v.values)) throw new CaseError(v.where, `variant "${v.name}" is also defined, with other settings, at ${prev.where}`);
    byName.set(v.name, v);
  }
  return [...byName.values()];
}

/** Each model once per variant (deduplicated), bounded like --vary. */
export function applyVariants(models: readonly ResolvedModel[], variants: readonly NamedVariant[], readSystem: (file: string) => string | undefined): ResolvedModel[] {
  if (variants.length === 0) return [...models];
  const out = new Map<string, ResolvedModel>();
  for (const m of models) for (const v of variants) {
    const vm = applyVariant(m, v.values, readSystem);
    out.set(vm.id, vm);
  }
  checkColumns(out.size, models.length, variants.length);
  return [...out.values()];
}
