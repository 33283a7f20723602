/**
 * The rule writer (terminal UI, `mmr rules add|rm`, later `bench`). It edits the config file in
 * place as text: the new rule is spliced in at the position the `yaml` parser reports, so every
 * other byte (comments, key order, quoting, blank lines) stays as the user wrote it; yaml's own
 * toString() would re-flow flow collections and long lines. The result is re-parsed and checked
 * before anything is written, under an inter-process lock, and written atomically (locked-edit.ts).
 */
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError, MmrError, UsageError } from '../core/errors.js';
import { modelIdProblem } from './model-id.js';
import type { WriteIo } from './atomic.js';
import { FIX_HINT, shown, target, withLockedFile } from './locked-edit.js';
import { compileRules, type RuleConfig } from './rules.js';
import { parseConfigText } from './parse.js';
import { PACKAGE_FIELD } from './paths.js';
import { planInsert, planInsertBefore, planRemove, planReplace, type Edit } from './save-edit.js';
import { validateConfig } from './schema.js';

export interface SaveOptions {
  /** The config file that was loaded; edited in place (created when missing, except package.json). */
  file?: string;
  /** Where to create a config when there is none. */
  create?: { dir: string; name?: string };
  /** Overwrite a rule of the same name (in its place) instead of refusing. */
  replace?: boolean;
  /** Insert the new rule just before the rule of this name (so it takes effect ahead of it); default: append. */
  before?: string;
  /** Why a model reference is unknown, from the merged config (router's knownModelFor). Default: syntax only. */
  knownModel?: (ref: string) => string | null;
  /** Where the trust store is (a trusted file stays trusted after mmr's own edit); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** File-system calls; tests inject full-disk and read-only errors here. */
  io?: WriteIo;
}

export interface SaveResult {
  /** The file written (symlinks resolved). */
  file: string;
  created: boolean;
  /** A rule of the same name was replaced. */
  replaced: boolean;
}

const SCRIPT = /\.(js|mjs|cjs|ts|mts|cts)$/i;

const syntaxOnly = (ref: string): string | null => {
  const p = modelIdProblem(ref);
  return p && p !== 'has no provider' ? `"${ref}" is not a model id: it ${p}` : null;
};

/** Keys in the order people read a rule; absent fields dropped. */
function canonical(rule: RuleConfig): RuleConfig {
  const out: Record<string, unknown> = { name: rule.name };
  for (const k of ['when', 'use', 'fallback', 'maxCostUsd'] as const) if (rule[k] !== undefined) out[k] = rule[k];
  return out as unknown as RuleConfig;
}

interface CheckedText {
  rules: unknown[];
  /** The parsed value, for the trust digest and the privileged-settings comparison. */
  value: unknown;
}

/** Parse, validate and compile a config's text; throws ConfigError naming every problem. */
function check(text: string, file: string, field: string | undefined, knownModel: (ref: string) => string | null): CheckedText {
  const parsed = parseConfigText(text, shown(file), field);
  if (!parsed.ok) throw new ConfigError(parsed.problems, FIX_HINT);
  const { config, problems } = validateConfig(parsed.value, shown(file), parsed.locate);
  if (problems.length) throw new ConfigError(problems, FIX_HINT);
  try {
    compileRules(config.rules, { file: shown(file), knownModel, locate: parsed.locate });
  } catch (err) {
    throw err instanceof ConfigError ? new ConfigError(err.problems, FIX_HINT) : err;
  }
  return { rules: config.rules, value: parsed.value };
}

function refuseScript(file: string, rule: RuleConfig): void {
  if (!SCRIPT.test(file)) return;
  const snippet = JSON.stringify(rule, null, 2).replace(/^/gm, '    ');
  throw new MmrError(`mmr does not edit JavaScript/TypeScript configs (${shown(file)}); add the rule by hand`, {
    hint: `Add this to the \`rules\` array in ${shown(file)} (rules are tried in order, first match wins):\n${snippet},\nor move your config to .routerrc.yaml, which mmr can edit.`,
  });
}

/**
 * Append a rule to a config file (or replace the one with its name), keeping every other byte.
 * Refuses a rule that would not load, a name that exists (unless `replace`), a config that does
 * not load as it is, and JS/TS configs (the error carries the snippet to add by hand).
 */
export async function saveRule(rule: RuleConfig, opts: SaveOptions): Promise<SaveResult> {
  const knownModel = opts.knownModel ?? syntaxOnly;
  const clean = canonical(rule);
  try {
    compileRules([clean], { knownModel, path: [] });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const problems = err.problems.map((p) => ({ file: `rule "${clean.name}"`, path: p.path.replace(/^\[0\]\.?/, ''), message: p.message.replace(/^rule [^:]*: /, '') }));
    throw new ConfigError(problems, 'Nothing was written; fix the rule and try again.');
  }
  const file = await target(opts);
  refuseScript(file, clean);
  const field = path.basename(file) === 'package.json' ? PACKAGE_FIELD : undefined;
  const out = await withLockedFile(file, { env: opts.env, io: opts.io, field }, (text) => {
    if (text === undefined && field) throw new UsageError(`${shown(file)} does not exist`, 'mmr adds rules to an existing package.json only');
    const old = text === undefined ? undefined : check(text, file, field, knownModel);
    const before = old?.rules ?? [];
    const at = before.findIndex((r) => (r as { name?: unknown })?.name === clean.name);
    if (at >= 0 && !opts.replace) {
      throw new UsageError(`a rule named "${clean.name}" already exists in ${shown(file)}`, 'choose another --name, or pass --replace to overwrite it');
    }
    const json = /\.json$/i.test(file);
    const ahead = opts.before === undefined || at >= 0 ? -1 : before.findIndex((r) => (r as { name?: unknown })?.name === opts.before);
    if (opts.before !== undefined && at < 0 && ahead < 0) {
      throw new UsageError(`there is no rule named "${opts.before}" in ${shown(file)} to insert before`, '`mmr rules list` shows the rules and their order');
    }
    const edit: Edit =
      at >= 0 ? planReplace(text!, field, at, clean) : ahead >= 0 ? planInsertBefore(text!, field, ahead, clean) : planInsert(text, field, clean, json);
    const next = edit.apply();
    const now = check(next, file, field, knownModel);
    const after = now.rules;
    const expected =
      at >= 0 ? before.map((r, i) => (i === at ? clean : r)) : ahead >= 0 ? [...before.slice(0, ahead), clean, ...before.slice(ahead)] : [...before, clean];
    if (!isDeepStrictEqual(after, expected)) {
      throw new MmrError(`mmr could not edit ${shown(file)} safely (the result would not hold exactly the intended rules); nothing was written`, {
        hint: `add the rule by hand:\n${JSON.stringify(clean, null, 2)}`,
      });
    }
    return { text: next, result: { file, created: text === undefined, replaced: at >= 0 }, before: old?.value, after: now.value };
  });
  return out!;
}

/** Remove the rule named `name`. `removed` is false (and nothing is written) when there is none. */
export async function removeRule(
  name: string,
  opts: { file: string; knownModel?: (ref: string) => string | null; env?: NodeJS.ProcessEnv; io?: WriteIo },
): Promise<{ file: string; removed: boolean }> {
  const knownModel = opts.knownModel ?? syntaxOnly;
  const file = await target({ file: opts.file });
  if (SCRIPT.test(file)) {
    throw new MmrError(`mmr does not edit JavaScript/TypeScript configs (${shown(file)})`, { hint: `remove the rule named "${name}" from its \`rules\` array by hand` });
  }
  const field = path.basename(file) === 'package.json' ? PACKAGE_FIELD : undefined;
  const removed = await withLockedFile(file, { env: opts.env, io: opts.io, field }, (text) => {
    if (text === undefined) return null;
    const old = check(text, file, field, knownModel);
    const at = old.rules.findIndex((r) => (r as { name?: unknown })?.name === name);
    if (at < 0) return null;
    const next = planRemove(text, field, at).apply();
    const now = check(next, file, field, knownModel);
    if (!isDeepStrictEqual(now.rules, old.rules.filter((_, i) => i !== at))) {
      throw new MmrError(`mmr could not edit ${shown(file)} safely; nothing was written`, { hint: `remove the rule named "${name}" by hand` });
    }
    return { text: next, result: true, before: old.value, after: now.value };
  });
  return { file, removed: removed === true };
}
