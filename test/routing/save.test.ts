import { execFile } from 'node:child_process';
import { chmod, lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { lock } from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse.js';
import { removeRule, saveRule } from '../../src/config/save.js';
import { ConfigError, MmrError, UsageError } from '../../src/core/errors.js';
import type { RuleConfig } from '../../src/core/router.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RULE: RuleConfig = { name: 'review', when: { keywords: ['review', 'pull request'], category: 'code' }, use: 'anthropic:claude-haiku-4-5', fallback: ['openai:gpt-4o-mini'] };
const YAML = `# Team routing config
default: [openai:gpt-4o-mini]   # cheap first
aliases:
  fast: openai:gpt-4o-mini

rules:
  # SQL goes to haiku
  - name: sql
    when:
      keywords: [sql, query]
    use: anthropic:claude-haiku-4-5  # best in our bench
  - name: math
    when: {category: math}
    use: 'fast'
# options below
options:
  temperature: 0.2
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mmr-save-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
const put = async (name: string, text: string) => {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
};
const rulesIn = (text: string, field?: string) => {
  const p = parseConfigText(text, 'x', field);
  if (!p.ok) throw new Error('does not parse');
  return (p.value as { rules?: unknown[] } | undefined)?.rules ?? [];
};
/** The text `after` has that `before` has not, when the change is one insertion; null otherwise. */
function insertion(before: string, after: string): string | null {
  let i = 0;
  while (i < before.length && before[i] === after[i]) i++;
  let j = 0;
  while (j < before.length - i && before[before.length - 1 - j] === after[after.length - 1 - j]) j++;
  return i + j === before.length ? after.slice(i, after.length - j) : null;
}

describe('saveRule on YAML', () => {
  it('appends the rule and keeps every other byte: comments, order, quoting, blank lines', async () => {
    const file = await put('.routerrc.yaml', YAML);
    expect(await saveRule(RULE, { file })).toEqual({ file, created: false, replaced: false });
    const after = await readFile(file, 'utf8');
    expect(insertion(YAML, after)).toBe(
      '  - name: review\n    when:\n      keywords: [review, pull request]\n      category: code\n    use: anthropic:claude-haiku-4-5\n    fallback: [openai:gpt-4o-mini]\n',
    );
    expect(rulesIn(after).map((r) => (r as RuleConfig).name)).toEqual(['sql', 'math', 'review']);
    expect(await readdir(dir)).toEqual(['.routerrc.yaml']); // no temp or lock files left behind
  });

  it('adds a rules list to a file without one, and fills `rules: []`', async () => {
    const a = await put('a.yaml', 'options:\n  temperature: 1\n');
    await saveRule(RULE, { file: a });
    expect(insertion('options:\n  temperature: 1\n', await readFile(a, 'utf8'))).toMatch(/^rules:\n  - name: review\n/);
    const b = await put('b.yaml', '# mine\nrules: []\n');
    await saveRule(RULE, { file: b });
    expect(await readFile(b, 'utf8')).toMatch(/^# mine\nrules:\n  - name: review\n/);
  });

  it('replaces a rule of the same name in place only when asked', async () => {
    const file = await put('.routerrc.yaml', YAML);
    const sql = { name: 'sql', when: { regex: '\\bselect\\b' }, use: 'fast' };
    await expect(saveRule(sql, { file })).rejects.toThrow(UsageError);
    expect(await readFile(file, 'utf8')).toBe(YAML);
    expect(await saveRule(sql, { file, replace: true })).toMatchObject({ replaced: true });
    const after = await readFile(file, 'utf8');
    expect(after).toBe(YAML.replace(/  - name: sql\n[\s\S]*?# best in our bench\n/, "  - name: sql\n    when:\n      regex: \\bselect\\b\n    use: fast\n"));
    expect(rulesIn(after).map((r) => (r as RuleConfig).name)).toEqual(['sql', 'math']);
  });

  it('inserts a rule before a named one, above the comments that belong to it', async () => {
    const file = await put('.routerrc.yaml', YAML);
    await saveRule(RULE, { file, before: 'sql' });
    const after = await readFile(file, 'utf8');
    const block = '  - name: review\n    when:\n      keywords: [review, pull request]\n      category: code\n    use: anthropic:claude-haiku-4-5\n    fallback: [openai:gpt-4o-mini]\n';
    expect(after).toBe(YAML.replace('  # SQL goes to haiku\n', `${block}  # SQL goes to haiku\n`));
    expect(rulesIn(after).map((r) => (r as RuleConfig).name)).toEqual(['review', 'sql', 'math']);
    await saveRule({ name: 'm2', use: 'fast' }, { file, before: 'math' });
    expect(rulesIn(await readFile(file, 'utf8')).map((r) => (r as RuleConfig).name)).toEqual(['review', 'sql', 'm2', 'math']);
    await expect(saveRule({ name: 'x', use: 'fast' }, { file, before: 'nope' })).rejects.toThrow(/no rule named "nope"/);
  });

  it('removes a rule by name, and reports when there is none', async () => {
    const file = await put('.routerrc.yaml', YAML);
    expect(await removeRule('nope', { file })).toEqual({ file, removed: false });
    expect(await readFile(file, 'utf8')).toBe(YAML);
    expect(await removeRule('sql', { file })).toEqual({ file, removed: true });
    expect(await readFile(file, 'utf8')).toBe(YAML.replace(/  - name: sql\n[\s\S]*?# best in our bench\n/, ''));
  });
});

describe('saveRule on JSON and package.json', () => {
  it('keeps a JSON file\'s indentation and key order', async () => {
    const before = '{\n    "rules": [\n        {\n            "name": "a",\n            "use": "openai:gpt-4o"\n        }\n    ],\n    "default": ["openai:gpt-4o-mini"]\n}\n';
    const file = await put('.routerrc.json', before);
    await saveRule(RULE, { file });
    const after = await readFile(file, 'utf8');
    expect(insertion(before, after)).toBe(
      ',\n        {\n            "name": "review",\n            "when": {\n                "keywords": ["review", "pull request"],\n                "category": "code"\n            },\n            "use": "anthropic:claude-haiku-4-5",\n            "fallback": ["openai:gpt-4o-mini"]\n        }',
    );
    expect(JSON.parse(after).rules).toEqual([{ name: 'a', use: 'openai:gpt-4o' }, RULE]);
    await removeRule('a', { file });
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')))).toEqual(['rules', 'default']);
  });

  it('inserts before a named rule in JSON, one-line and multi-line lists alike', async () => {
    const multi = await put('multi.json', '{\n  "rules": [\n    {"name": "a", "use": "openai:gpt-4o-mini"},\n    {"name": "b", "use": "openai:gpt-4o-mini"}\n  ]\n}\n');
    await saveRule({ name: 'n', use: 'openai:gpt-4.1' }, { file: multi, before: 'b' });
    const text = await readFile(multi, 'utf8');
    expect(JSON.parse(text).rules.map((r: RuleConfig) => r.name)).toEqual(['a', 'n', 'b']);
    const one = await put('one.json', '{"rules": [{"name": "a", "use": "openai:gpt-4o-mini"}]}\n');
    await saveRule({ name: 'n', use: 'openai:gpt-4.1' }, { file: one, before: 'a' });
    expect(JSON.parse(await readFile(one, 'utf8')).rules.map((r: RuleConfig) => r.name)).toEqual(['n', 'a']);
  });

  it('adds the `router` field to package.json and leaves the rest alone', async () => {
    const before = '{\n  "name": "app",\n  "version": "1.0.0",\n  "scripts": {\n    "test": "vitest"\n  }\n}\n';
    const file = await put('package.json', before);
    await saveRule(RULE, { file });
    const after = await readFile(file, 'utf8');
    expect(insertion(before, after)).toMatch(/^,\n {2}"router": \{\n {4}"rules": \[\n {6}\{\n {8}"name": "review",/);
    const pkg = JSON.parse(after);
    expect(Object.keys(pkg)).toEqual(['name', 'version', 'scripts', 'router']);
    expect(pkg.router.rules).toEqual([RULE]);
    await saveRule({ name: 'b', use: 'openai:gpt-4o' }, { file });
    expect(JSON.parse(await readFile(file, 'utf8')).router.rules.map((r: RuleConfig) => r.name)).toEqual(['review', 'b']);
  });
});

describe('saveRule creates, refuses and never breaks a file', () => {
  it('creates .routerrc.yaml where it is told to', async () => {
    const r = await saveRule(RULE, { create: { dir: path.join(dir, 'new') } });
    expect(r).toEqual({ file: path.join(dir, 'new', '.routerrc.yaml'), created: true, replaced: false });
    expect(rulesIn(await readFile(r.file, 'utf8'))).toEqual([RULE]);
    const j = await saveRule(RULE, { file: path.join(dir, 'c.json') });
    expect(JSON.parse(await readFile(j.file, 'utf8'))).toEqual({ rules: [RULE] });
  });

  it('refuses a rule that would not load and leaves the file as it was, with no temp file', async () => {
    const file = await put('.routerrc.yaml', YAML);
    const known = (ref: string) => (ref === 'nosuch' ? 'unknown model "nosuch"' : null);
    const err = await saveRule({ name: 'x', when: { regex: '(a)\\1' }, use: 'nosuch' }, { file, knownModel: known }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => `${p.file} ${p.path}: ${p.message}`)).toEqual([
      'rule "x" use: unknown model "nosuch"',
      expect.stringMatching(/^rule "x" when\.regex: regex \/\(a\)\\1\/ is refused/),
    ]);
    expect(await readFile(file, 'utf8')).toBe(YAML);
    expect(await readdir(dir)).toEqual(['.routerrc.yaml']);
  });

  it('reports a file edited by hand into an invalid state and does not overwrite it', async () => {
    for (const broken of ['rules:\n  - name: a\n    use: x:y\n   bad indent: [\n', 'rules:\n  - name: a\n    when: {categroy: code}\n    use: x:y\n']) {
      const file = await put('.routerrc.yaml', broken);
      const err = await saveRule(RULE, { file }).catch((e) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).hint).toMatch(/never overwrites a config it cannot read/);
      expect((err as ConfigError).problems[0].line).toBeGreaterThan(0);
      expect(await readFile(file, 'utf8')).toBe(broken);
    }
  });

  it('never edits a JS/TS config: it hands over the snippet to paste', async () => {
    const file = await put('.routerrc.mjs', 'export default { rules: [] };\n');
    const err = await saveRule(RULE, { file }).catch((e) => e);
    expect(err).toBeInstanceOf(MmrError);
    expect(err.message).toMatch(/does not edit JavaScript\/TypeScript configs/);
    expect(err.hint).toContain('"name": "review"');
    expect(await readFile(file, 'utf8')).toBe('export default { rules: [] };\n');
    await expect(removeRule('x', { file })).rejects.toThrow(/does not edit/);
  });

  it('keeps the file mode and writes through a symlink', async () => {
    const real = await put('real.yaml', YAML);
    await chmod(real, 0o600);
    const link = path.join(dir, '.routerrc.yaml');
    await symlink(real, link);
    const r = await saveRule(RULE, { file: link });
    expect(r.file).toBe(real);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await stat(real)).mode & 0o777).toBe(0o600);
    expect(rulesIn(await readFile(link, 'utf8'))).toHaveLength(3);
  });
});

describe('saveRule under concurrency', () => {
  it('two mmr processes saving at once both keep their rules (real processes, proper-lockfile)', async () => {
    const file = await put('.routerrc.yaml', YAML);
    const script = path.join(dir, 'save-one.mts');
    const saveUrl = new URL('../../src/config/save.ts', import.meta.url).href;
    await writeFile(script, `import { saveRule } from ${JSON.stringify(saveUrl)};\nconst [file, name] = process.argv.slice(2);\nawait saveRule({ name, when: { keywords: [name] }, use: 'openai:gpt-4o-mini' }, { file });\n`);
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const run = promisify(execFile);
    const names = ['one', 'two', 'three'];
    await Promise.all(names.map((n) => run(process.execPath, ['--import', tsx, script, file, n], { cwd: ROOT })));
    const got = rulesIn(await readFile(file, 'utf8')).map((r) => (r as RuleConfig).name);
    expect(got.slice(0, 2)).toEqual(['sql', 'math']);
    expect(got.slice(2).sort()).toEqual([...names].sort());
    expect((await readdir(dir)).sort()).toEqual(['.routerrc.yaml', 'save-one.mts']);
  }, 30_000);

  it('waits for a lock held by another process, then re-reads the file it holds', async () => {
    const file = await put('.routerrc.yaml', YAML);
    const release = await lock(file, { realpath: false });
    const saving = saveRule(RULE, { file });
    let done = false;
    void saving.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    // The holder saves its own rule while saveRule waits; saveRule must see it.
    await writeFile(file, YAML.replace('# options below', '  - name: held\n    use: openai:gpt-4o\n# options below'));
    await release();
    await saving;
    expect(rulesIn(await readFile(file, 'utf8')).map((r) => (r as RuleConfig).name)).toEqual(['sql', 'math', 'held', 'review']);
  });

  it('in-process saves in parallel all land', async () => {
    const file = await put('.routerrc.yaml', YAML);
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => saveRule({ name: n, use: 'openai:gpt-4o' }, { file })));
    expect(rulesIn(await readFile(file, 'utf8'))).toHaveLength(6);
  });
});
