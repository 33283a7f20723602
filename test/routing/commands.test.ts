import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerRoutingCommands } from '../../src/commands/register-routing.js';
import { runRoute, type RoutingDeps } from '../../src/commands/route.js';
import { runRulesAdd, runRulesList, runRulesRemove, runRulesTest } from '../../src/commands/rules.js';
import { ConfigError, UsageError } from '../../src/core/errors.js';
import { sandbox, type Sandbox } from '../config/sandbox.js';

const PROJECT = `# project config
default: [openai:gpt-4o-mini]
aliases:
  fast: openai:gpt-4o-mini
  haiku: anthropic:claude-haiku-4-5
rules:
  - name: sql
    when:
      keywords: [sql, query]
    use: haiku
    fallback: [fast]
  - name: french
    when: {language: fr}
    use: mistral:mistral-small-latest
`;

let sb: Sandbox;
let out: string;
let deps: RoutingDeps;
beforeEach(async () => {
  sb = await sandbox();
  out = '';
  const tty = Object.assign(Readable.from([]), { isTTY: true }) as unknown as NodeJS.ReadStream;
  deps = { env: sb.env, cwd: sb.project, stdin: tty, stdout: { write: (s: string) => (out += s) } };
});
afterEach(() => sb.cleanup());
const project = () => sb.write('home/project/.routerrc.yaml', PROJECT);

describe('mmr route', () => {
  it('prints the matching rule, what matched, the models with aliases expanded, and why', async () => {
    await project();
    const d = (await runRoute(["Write a SQL query for the top 5 customers"], {}, deps))!;
    expect(d.rule).toBe('sql');
    expect(out).toContain('rule     sql\n');
    expect(out).toContain('matched  keywords any: "sql", "query"\n');
    expect(out).toContain('models   haiku (anthropic:claude-haiku-4-5)\n');
    expect(out).toContain('fallback fast (openai:gpt-4o-mini)\n');
    expect(out).toMatch(/prompt {3}code · language en · 41 chars · ~11 tokens\n/);
    expect(out).toMatch(/signals {2}.*code-words\(sql, query\)/);
  });

  it('--json carries the decision and the classification; stdin is read when piped', async () => {
    await project();
    const stdin = Object.assign(Readable.from(['Bonjour, peux-tu corriger cette phrase ?']), { isTTY: false }) as unknown as NodeJS.ReadStream;
    await runRoute([], { json: true }, { ...deps, stdin });
    const doc = JSON.parse(out);
    expect(doc).toMatchObject({ source: 'rule', rule: 'french', models: ['mistral:mistral-small-latest'], classification: { language: 'fr' } });
  });

  it('-m overrides the rules; no match uses the default', async () => {
    await project();
    expect((await runRoute(["sql"], { model: ["openai:o3"] }, deps))!.source).toBe("override");
    const d = await runRoute(['tell me a joke'], {}, deps);
    expect(d).toMatchObject({ source: 'default', models: ['openai:gpt-4o-mini'] });
  });

  it('a bad rule in the user file is reported with that file and line, not the merged list', async () => {
    await project();
    await sb.write('xdg/mmr/config.yaml', 'rules:\n  - name: mine\n    when:\n      regex: "(?=a)b"\n    use: openai:gpt-4o\n');
    const err = await runRoute(['x'], {}, deps).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems).toEqual([expect.objectContaining({ path: 'rules[0].when.regex', line: 4, file: expect.stringMatching(/xdg\/mmr\/config\.yaml$/) })]);
  });
});

describe('mmr rules', () => {
  it('list shows rules in order with the default and the files read', async () => {
    await project();
    await runRulesList({}, deps);
    expect(out).toMatch(/^#\s+NAME\s+WHEN\s+USE\s+FALLBACK\s+MAX \$\n1\s+sql\s+keywords any \[sql, query\]\s+haiku\s+fast\n2\s+french\s+language fr/);
    expect(out).toContain('default: openai:gpt-4o-mini\nconfig: .routerrc.yaml\n');
    out = '';
    await runRulesList({ json: true }, deps);
    expect(JSON.parse(out).rules.map((r: { name: string }) => r.name)).toEqual(['sql', 'french']);
  });

  it('list marks a rule that an earlier, broader rule shadows, and says which', async () => {
    await sb.write('home/project/.routerrc.yaml', `${PROJECT}  - name: sql-joins\n    when: {keywords: {all: [sql, join]}}\n    use: fast\n`);
    await runRulesList({}, deps);
    expect(out).toMatch(/3\s+sql-joins \(shadowed\)\s+keywords all \[sql, join\]/);
    expect(out).toContain('shadowed: "sql-joins" never fires: the earlier rule "sql" matches every prompt it would');
    out = '';
    await runRulesList({ json: true }, deps);
    expect(JSON.parse(out).rules.map((r: { shadowedBy: string | null }) => r.shadowedBy)).toEqual([null, null, 'sql']);
  });

  it('add writes to the loaded project file, refuses a duplicate, and validates models', async () => {
    const file = await project();
    await runRulesAdd({ name: 'math', category: ['math'], use: ['fast'], maxCost: 0.01, keywords: ['solve,equation'] }, deps);
    expect(out).toBe('added rule "math" in .routerrc.yaml\n');
    expect(await readFile(file, 'utf8')).toBe(`${PROJECT}  - name: math\n    when:\n      keywords: [solve, equation]\n      category: math\n    use: fast\n    maxCostUsd: 0.01\n`);
    await expect(runRulesAdd({ name: 'math', use: ['fast'] }, deps)).rejects.toThrow(/already exists/);
    await expect(runRulesAdd({ name: 'x', use: ['nosuch'] }, deps)).rejects.toThrow(ConfigError);
    await expect(runRulesAdd({ name: 'x' }, deps)).rejects.toThrow(UsageError);
  });

  it('add creates .routerrc.yaml at the project root when there is no config, or the user file with --user', async () => {
    await sb.write('home/project/package.json', '{"name": "p"}\n');
    const sub = path.join(sb.project, 'src', 'deep');
    await mkdir(sub, { recursive: true });
    await runRulesAdd({ name: 'a', use: ['openai:gpt-4o'], keywords: ['x'] }, { ...deps, cwd: sub });
    expect(out).toBe(`added rule "a" in ${path.join(sb.project, '.routerrc.yaml')} (new file)\n`); // outside cwd: absolute
    expect(await readFile(path.join(sb.project, '.routerrc.yaml'), 'utf8')).toMatch(/^# mmr config\. .*\nrules:\n  - name: a\n/);
    await runRulesAdd({ name: 'b', use: ['openai:gpt-4o'], user: true, hasCode: true }, deps);
    expect(await readFile(path.join(sb.xdg, 'mmr', 'config.yaml'), 'utf8')).toContain('  - name: b\n    when:\n      hasCode: true\n');
  });

  it('rm removes from the project file, else the user file; an unknown name lists the rules', async () => {
    const file = await project();
    await sb.write('xdg/mmr/config.yaml', 'rules:\n  - name: mine\n    use: openai:gpt-4o\n');
    await runRulesRemove('mine', {}, deps);
    expect(out).toMatch(/^removed rule "mine" from .*xdg\/mmr\/config\.yaml\n$/);
    await runRulesRemove('french', {}, deps);
    expect(await readFile(file, 'utf8')).toBe(PROJECT.replace(/  - name: french\n.*\n.*\n/, ''));
    const err = await runRulesRemove('nope', {}, deps).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.hint).toBe('rules: sql (mmr rules list shows them)');
  });

  it('test reports mismatches with the rule that fired (YAML, aliases expanded)', async () => {
    await project();
    const cases = await sb.write(
      'home/project/routing.yaml',
      '- prompt: "Write a SQL query"\n  expect: anthropic:claude-haiku-4-5\n- prompt: "Bonjour, comment vas-tu ?"\n  expect: fast\n- prompt: "hello"\n  expect: fast\n',
    );
    const results = await runRulesTest(cases, {}, deps);
    expect(results.map((r) => r.pass)).toEqual([true, false, true]);
    expect(out).toBe(
      '✖ ' + cases + ':3 "Bonjour, comment vas-tu ?"\n    expected fast, got mistral:mistral-small-latest\n    rule "french" matched (language fr): mistral:mistral-small-latest\n✖ 2 of 3 cases route as expected; 1 mismatch\n',
    );
  });

  it('test reads JSONL and {cases: [...]}, and names a bad case with its line', async () => {
    await project();
    const jsonl = await sb.write('home/project/t.jsonl', '{"prompt": "sql please", "expect": "haiku"}\n\n{"prompt": "hi", "expect": ["openai:gpt-4o-mini"]}\n');
    expect((await runRulesTest(jsonl, {}, deps)).every((r) => r.pass)).toBe(true);
    expect(out).toBe('✔ 2 of 2 cases route as expected\n');
    const bad = await sb.write('home/project/t.yaml', 'cases:\n  - prompt: ok\n    expect: fast\n  - prompt: ""\n    expect: fast\n');
    const err = await runRulesTest(bad, {}, deps).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems).toEqual([expect.objectContaining({ path: '[1]', line: 4 })]);
  });
});

describe('registerRoutingCommands', () => {
  const program = () => {
    const p = new Command('mmr').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} }).option('-c, --config <file>');
    registerRoutingCommands(p);
    return p;
  };

  it('adds route and rules list|add|rm|test with help text', () => {
    const p = program();
    expect(p.commands.map((c) => c.name())).toEqual(['route', 'learn', 'leaderboard', 'rules']);
    const rules = p.commands[3];
    expect(rules.commands.map((c) => c.name())).toEqual(['list', 'add', 'rm', 'test']);
    expect(rules.commands[1].helpInformation()).toMatch(/--keywords <words>[\s\S]*--fallback <models>[\s\S]*--max-cost <usd>/);
  });

  it('loads the command modules only when an action runs (start-up imports commander alone)', async () => {
    const src = await readFile(new URL('../../src/commands/register-routing.ts', import.meta.url), 'utf8');
    expect(src.match(/^import .*$/gm)).toEqual(["import type { Command } from 'commander';", "import { collect, numberFlag, withGlobals as opts } from './flags.js';"]);
    // The shared flag parsers are on the start-up path too: commander is all they may import.
    const flags = await readFile(new URL('../../src/commands/flags.ts', import.meta.url), 'utf8');
    expect(flags.match(/^import .*$/gm)).toEqual(["import { CommanderError, type Command } from 'commander';"]);
  });

  it('runs `route --json` and `rules test` end to end, with exit code 1 on a mismatch', async () => {
    const file = await project();
    const cases = await sb.write('home/project/t.yaml', '- prompt: "sql"\n  expect: fast\n');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const before = process.exitCode;
    const tty = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
    Object.defineProperty(process.stdin, 'isTTY', { value: true, configurable: true }); // no piped input to wait for
    try {
      await program().parseAsync(['node', 'mmr', '-c', file, 'route', '--json', 'an', 'sql', 'query']);
      expect(JSON.parse(String(write.mock.calls[0][0])).rule).toBe('sql');
      await program().parseAsync(['node', 'mmr', '-c', file, 'rules', 'test', cases]);
      expect(process.exitCode).toBe(1);
    } finally {
      write.mockRestore();
      process.exitCode = before;
      if (tty) Object.defineProperty(process.stdin, 'isTTY', tty);
      else delete (process.stdin as { isTTY?: boolean }).isTTY;
    }
  });

  it('rejects a bad number flag before doing anything', async () => {
    await expect(program().parseAsync(['node', 'mmr', 'rules', 'add', '--name', 'a', '--use', 'x:y', '--max-cost', 'lots'])).rejects.toThrow(/--max-cost must be a number/);
  });
});

it('the sandbox never reads the real home', async () => {
  await writeFile(path.join(sb.root, 'marker'), '');
  expect(deps.env?.HOME?.startsWith(sb.root)).toBe(true);
});
