/**
 * `mmr rules list | add | rm | test`: read and edit routing rules, and regression-test them.
 * Edits go through the rule writer (config/save.ts); nothing here touches a file directly.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { escapeJsonControls, neutralize, neutralizeLine } from '../core/terminal-safe.js';
import type { RuleConfig, RuleWhen } from '../core/router.js';
import { loadRouting, type RoutingDeps } from './route.js';

export interface RulesFlags {
  config?: string;
  json?: boolean;
}

const out = (deps: RoutingDeps) => deps.stdout ?? process.stdout;
/** JSON for stdout: the same value, with DEL/C1 controls escaped (see escapeJsonControls). */
const json = (value: unknown) => `${escapeJsonControls(JSON.stringify(value, null, 2))}\n`;
const shown = (file: string, cwd: string) => {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
};

export async function runRulesList(flags: RulesFlags, deps: RoutingDeps = {}): Promise<void> {
  const { rules, defaults, loaded } = await loadRouting(flags, deps);
  const cwd = deps.cwd ?? process.cwd();
  const { shadowedRules } = await import('../config/shadow.js');
  const shadowed = shadowedRules(rules);
  if (flags.json) {
    const list = rules.map((r) => ({ index: r.index, name: r.name, when: r.summary, use: r.use, fallback: r.fallback, maxCostUsd: r.maxCostUsd ?? null, shadowedBy: shadowed.get(r.name) ?? null }));
    out(deps).write(json({ files: loaded.files, rules: list, default: defaults }));
    return;
  }
  const head = ['#', 'NAME', 'WHEN', 'USE', 'FALLBACK', 'MAX $'];
  const body = rules.map((r) => [String(r.index + 1), shadowed.has(r.name) ? `${r.name} (shadowed)` : r.name, r.summary, r.use.join(', '), r.fallback.join(' → '), r.maxCostUsd === undefined ? '' : String(r.maxCostUsd)].map(neutralizeLine));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const files = loaded.files.length ? loaded.files.map((f) => shown(f, cwd)).join(', ') : 'none (no config file found)';
  let text = rules.length ? `${[line(head), ...body.map(line)].join('\n')}\n` : 'no rules yet: add one with `mmr rules add --name NAME --keywords a,b --use provider:model`\n';
  for (const [name, by] of shadowed) text += neutralizeLine(`shadowed: "${name}" never fires: the earlier rule "${by}" matches every prompt it would (move it above "${by}" or narrow "${by}")`) + '\n';
  text += `default: ${defaults.length ? neutralizeLine(defaults.join(', ')) : '(none)'}\nconfig: ${neutralizeLine(files)}\nRules are tried in order; the first whose conditions all hold wins.\n`;
  out(deps).write(text);
}

export interface RulesAddFlags {
  config?: string;
  name?: string;
  /** Comma-separated, repeatable: any of them. */
  keywords?: string[];
  /** Comma-separated, repeatable: all of them. */
  allKeywords?: string[];
  regex?: string[];
  category?: string[];
  language?: string[];
  hasCode?: boolean;
  minChars?: number;
  maxChars?: number;
  minTokens?: number;
  maxTokens?: number;
  use?: string[];
  fallback?: string[];
  /** USD per answer. */
  maxCost?: number;
  /** Save to this file (created when missing). */
  file?: string;
  /** Save to the user config instead of the project's. */
  user?: boolean;
  replace?: boolean;
}

const split = (values?: string[]) => values?.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);

/** The rule the flags describe, before validation (the writer validates it). */
export function ruleFromFlags(f: RulesAddFlags): RuleConfig {
  if (!f.name?.trim()) throw new UsageError('a rule needs a name', 'pass --name, e.g. --name sql');
  const use = split(f.use);
  if (!use?.length) throw new UsageError('a rule needs a model to use', 'pass --use provider:model (or an alias); several, comma-separated, compare them side by side');
  const when: RuleWhen = {};
  const any = split(f.keywords);
  const all = split(f.allKeywords);
  if (any?.length && all?.length) when.keywords = { any, all };
  else if (all?.length) when.keywords = { all };
  else if (any?.length) when.keywords = any;
  if (f.regex?.length) when.regex = f.regex.length === 1 ? f.regex[0] : f.regex;
  const cats = split(f.category);
  if (cats?.length) when.category = (cats.length === 1 ? cats[0] : cats) as RuleWhen['category'];
  const langs = split(f.language);
  if (langs?.length) when.language = langs.length === 1 ? langs[0] : langs;
  if (f.hasCode !== undefined) when.hasCode = f.hasCode;
  for (const k of ['minChars', 'maxChars', 'minTokens', 'maxTokens'] as const) if (f[k] !== undefined) when[k] = f[k];
  const rule: RuleConfig = { name: f.name.trim(), when, use: use.length === 1 ? use[0] : use };
  if (Object.keys(when).length === 0) delete rule.when;
  const fallback = split(f.fallback);
  if (fallback?.length) rule.fallback = fallback;
  if (f.maxCost !== undefined) rule.maxCostUsd = f.maxCost;
  return rule;
}

/** Nearest directory at or above cwd with package.json or .git: where a new .routerrc.yaml goes. */
function projectRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) || existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

export async function runRulesAdd(flags: RulesAddFlags, deps: RoutingDeps = {}): Promise<void> {
  const rule = ruleFromFlags(flags);
  const { loaded, knownModel } = await loadRouting(flags, deps);
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const [{ saveRule }, { userConfigDir }] = await Promise.all([import('../config/save.js'), import('../config/paths.js')]);
  const where = flags.file
    ? { file: path.resolve(cwd, flags.file) }
    : flags.user
      ? loaded.userFile
        ? { file: loaded.userFile }
        : { create: { dir: userConfigDir(env), name: 'config.yaml' } }
      : (loaded.projectFile ?? loaded.userFile)
        ? { file: (loaded.projectFile ?? loaded.userFile)! }
        : { create: { dir: projectRoot(cwd) } };
  const res = await saveRule(rule, { ...where, replace: flags.replace, knownModel });
  const verb = res.replaced ? 'replaced' : 'added';
  out(deps).write(neutralize(`${verb} rule "${rule.name}" in ${shown(res.file, cwd)}${res.created ? ' (new file)' : ''}\n`));
}

export async function runRulesRemove(name: string, flags: RulesFlags & { file?: string }, deps: RoutingDeps = {}): Promise<void> {
  const { loaded, knownModel, rules } = await loadRouting(flags, deps);
  const cwd = deps.cwd ?? process.cwd();
  const { removeRule } = await import('../config/save.js');
  const files = flags.file ? [path.resolve(cwd, flags.file)] : [loaded.projectFile, loaded.userFile].filter((f): f is string => Boolean(f));
  for (const file of files) {
    const r = await removeRule(name, { file, knownModel });
    if (r.removed) {
      out(deps).write(neutralize(`removed rule "${name}" from ${shown(r.file, cwd)}\n`));
      return;
    }
  }
  const names = rules.map((r) => r.name);
  throw new UsageError(`no rule named "${name}"`, names.length ? `rules: ${names.join(', ')} (mmr rules list shows them)` : 'there are no rules yet');
}

export interface RuleTestResult {
  /** 1-based position in the file. */
  case: number;
  /** Line in the file, when known. */
  line?: number;
  prompt: string;
  expected: string[];
  got: string[];
  pass: boolean;
  /** The rule that fired, if one did. */
  rule?: string;
  reason: string;
}

/** Cases from YAML, JSON (a list, or `{cases: [...]}`) or JSONL: `{prompt, expect}` each. */
async function readCases(file: string, cwd: string): Promise<Array<{ prompt: string; expect: string[]; line?: number }>> {
  const { readFile } = await import('node:fs/promises');
  const { ConfigError } = await import('../core/errors.js');
  const text = await readFile(path.resolve(cwd, file), 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 'pass a YAML, JSON or JSONL file of {prompt, expect} cases');
  });
  const problems: Array<{ file: string; path: string; line?: number; message: string }> = [];
  let items: Array<{ value: unknown; line?: number }> = [];
  if (/\.(jsonl|ndjson)$/i.test(file)) {
    text.split('\n').forEach((l, i) => {
      if (!l.trim()) return;
      try {
        items.push({ value: JSON.parse(l), line: i + 1 });
      } catch (err) {
        problems.push({ file, path: '', line: i + 1, message: `not JSON: ${(err as Error).message}` });
      }
    });
  } else {
    const { parseConfigText } = await import('../config/parse.js');
    const parsed = parseConfigText(text, file);
    if (!parsed.ok) throw new ConfigError(parsed.problems);
    const v = parsed.value as { cases?: unknown } | unknown[] | undefined;
    const list = Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray(v.cases) ? v.cases : undefined;
    if (!list) throw new UsageError(`${file} holds no test cases`, 'write a list of {prompt, expect} entries, or {cases: [...]}');
    const base = Array.isArray(v) ? [] : ['cases'];
    items = list.map((value, i) => ({ value, line: parsed.locate([...base, i]) }));
  }
  const cases = items.flatMap(({ value, line }, i) => {
    const c = value as { prompt?: unknown; expect?: unknown } | null;
    const expect = typeof c?.expect === 'string' ? [c.expect] : Array.isArray(c?.expect) && c.expect.length && c.expect.every((e) => typeof e === 'string') ? (c.expect as string[]) : null;
    if (typeof c?.prompt !== 'string' || !c.prompt.trim() || !expect) {
      problems.push({ file, path: `[${i}]`, line, message: 'each case needs prompt: "…" and expect: provider:model (or a list)' });
      return [];
    }
    return [{ prompt: c.prompt, expect, line }];
  });
  if (problems.length) throw new ConfigError(problems);
  return cases;
}

/**
 * Route every case and compare: `expect: model` must be the first model chosen; a list must be
 * the whole list. Aliases on either side are expanded first. The caller exits 1 on any mismatch.
 */
export async function runRulesTest(file: string, flags: RulesFlags, deps: RoutingDeps = {}): Promise<RuleTestResult[]> {
  const cwd = deps.cwd ?? process.cwd();
  const { rules, defaults, loaded } = await loadRouting(flags, deps);
  const [{ route }, { expandAlias }] = await Promise.all([import('../core/router.js'), import('../config/model-id.js')]);
  const canon = (ref: string) => {
    try {
      return expandAlias(ref, loaded.config.aliases).id;
    } catch {
      return ref;
    }
  };
  const results = (await readCases(file, cwd)).map(({ prompt, expect, line }, i): RuleTestResult => {
    const d = route(rules, prompt, { defaults });
    const want = expect.map(canon);
    const got = d.models.map(canon);
    const pass = want.length === 1 ? got[0] === want[0] : want.length === got.length && want.every((m, k) => m === got[k]);
    const r: RuleTestResult = { case: i + 1, prompt, expected: expect, got: d.models, pass, reason: d.reason };
    if (line !== undefined) r.line = line;
    if (d.rule) r.rule = d.rule;
    return r;
  });
  const failed = results.filter((r) => !r.pass);
  if (flags.json) out(deps).write(json({ total: results.length, failed: failed.length, results }));
  else {
    let text = '';
    for (const r of failed) {
      const p = neutralizeLine(r.prompt).replace(/\s+/g, ' ');
      const where = r.line ? `${file}:${r.line}` : `case ${r.case}`;
      const got = neutralizeLine(r.got.join(', ')) || 'nothing';
      text += `✖ ${neutralizeLine(where)} "${p.length > 50 ? `${p.slice(0, 50)}…` : p}"\n    expected ${neutralizeLine(r.expected.join(', '))}, got ${got}\n    ${neutralizeLine(r.reason)}\n`;
    }
    text += `${failed.length ? '✖' : '✔'} ${results.length - failed.length} of ${results.length} cases route as expected${failed.length ? `; ${failed.length} mismatch${failed.length === 1 ? '' : 'es'}` : ''}\n`;
    out(deps).write(text);
  }
  return results;
}
