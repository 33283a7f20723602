import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse.js';
import { emptyConfig } from '../../src/config/schema.js';
import { classify } from '../../src/core/classify.js';
import { ConfigError } from '../../src/core/errors.js';
import { route } from '../../src/core/router.js';
import { compileRules, knownModelFor, type RuleConfig } from '../../src/config/rules.js';

const config = { ...emptyConfig(), aliases: { fast: 'openai:gpt-4o-mini', haiku: 'anthropic:claude-haiku-4-5' } };
const knownModel = knownModelFor(config);
const compile = (rules: unknown[]) => compileRules(rules, { file: '.routerrc.yaml', knownModel });
const problems = (rules: unknown[]) => {
  try {
    compile(rules);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

const RULES: RuleConfig[] = [
  { name: 'sql', when: { keywords: ['sql', 'query'] }, use: 'haiku', fallback: ['fast'] },
  { name: 'french', when: { language: 'fr' }, use: 'mistral:mistral-small-latest' },
  { name: 'long-code', when: { hasCode: true, minTokens: 50 }, use: ['openai:gpt-4o', 'haiku'], maxCostUsd: 0.05 },
  { name: 'math', when: { category: ['math', 'reasoning'] }, use: 'fast' },
];

describe('route', () => {
  const rules = compile(RULES);
  const defaults = ['openai:gpt-4o-mini'];

  it('takes the first matching rule and says which conditions matched and why', () => {
    const d = route(rules, 'Write an SQL query; the Query must use a JOIN', { defaults });
    expect(d).toMatchObject({ source: 'rule', rule: 'sql', models: ['haiku'], fallback: ['fast'], matched: ['keywords any: "sql", "query"'] });
    expect(d.reason).toBe('rule "sql" matched (keywords any: "sql", "query"): haiku, falling back to fast');
    expect(d.category).toBe('code');
    expect(d.signals.length).toBeGreaterThan(0);
  });

  it('checks rules in order: an earlier rule wins over a later one that also matches', () => {
    expect(route(rules, 'Quelle requête SQL écrire ?', { defaults }).rule).toBe('sql');
    expect(route(rules, 'Bonjour, pouvez-vous corriger la grammaire de cette phrase ?', { defaults }).rule).toBe('french');
  });

  it('needs every condition of a rule to hold', () => {
    const code = '```ts\nconst x = 1;\n```';
    expect(route(rules, code, { defaults }).source).toBe('default'); // code, but too short
    const d = route(rules, `${code}\n${'Please refactor this module for clarity. '.repeat(10)}`, { defaults });
    expect(d).toMatchObject({ rule: 'long-code', models: ['openai:gpt-4o', 'haiku'], maxCostUsd: 0.05 });
    expect(d.matched).toEqual(['hasCode true', expect.stringMatching(/^\d+ tokens ≥ 50$/)]);
  });

  it('an override wins over every rule; no rule match falls back to the default', () => {
    const o = route(rules, 'a SQL question', { defaults, override: ['openai:o3'] });
    expect(o).toMatchObject({ source: 'override', models: ['openai:o3'], matched: [] });
    expect(o.reason).toMatch(/rules not consulted/);
    const d = route(rules, 'Tell me about your day', { defaults });
    expect(d).toMatchObject({ source: 'default', models: defaults, fallback: [] });
    expect(d.reason).toBe('no rule matched (4 checked); the prompt looks like chat; using the default: openai:gpt-4o-mini');
    expect(route([], 'x', { defaults: [] }).reason).toMatch(/^no rules configured; .*using the default: nothing$/);
  });

  it('uses a classification it is given instead of computing one', () => {
    const c = { ...classify('plain words'), category: 'math' as const };
    expect(route(rules, 'plain words', { defaults, classification: c }).rule).toBe('math');
  });

  it('matches keywords case-insensitively on word boundaries, phrases and all/any', () => {
    const r = compile([
      { name: 'pr', when: { keywords: { all: ['pull request', 'review'] } }, use: 'fast' },
      { name: 'cpp', when: { keywords: ['c++', 'übersetzen'] }, use: 'fast' },
      { name: 'zh', when: { keywords: ['翻译'] }, use: 'fast' },
      { name: 'sq', when: { keywords: ['sql'] }, use: 'fast' },
    ]);
    const hit = (p: string) => route(r, p, { defaults: [] }).rule;
    expect(hit('Please REVIEW my Pull\n  Request')).toBe('pr');
    expect(hit('review this pull')).toBeUndefined();
    expect(hit('why does C++ need headers?')).toBe('cpp');
    expect(hit('Kannst du das übersetzen?')).toBe('cpp');
    expect(hit('请翻译这句话')).toBe('zh');
    expect(hit('NoSQL and mysql are not the keyword')).toBeUndefined();
    expect(hit('(sql)')).toBe('sq');
  });

  it('sees a keyword inside a longer one (sql within "sql query")', () => {
    // One regex finds the longest keyword at each place; the shorter ones inside must still count.
    const r = compile([
      { name: 'word', when: { keywords: { all: ['sql', 'query'] } }, use: 'haiku' },
      { name: 'phrase', when: { keywords: ['sql query'] }, use: 'fast' },
    ]);
    expect(route(r, 'an sql query please', { defaults: [] }).rule).toBe('word');
    expect(route(r, 'an sql  Query please', { defaults: [] }).matched).toEqual(['keywords all: "sql", "query"']);
  });

  it('a rule without conditions matches everything', () => {
    const d = route(compile([{ name: 'all', use: 'fast' }]), 'anything', { defaults: [] });
    expect(d).toMatchObject({ rule: 'all', matched: ['no conditions (matches every prompt)'] });
  });

  it('length bounds and regexes', () => {
    const r = compile([
      { name: 'short', when: { maxChars: 10 }, use: 'fast' },
      { name: 'ticket', when: { regex: ['\\bJIRA-\\d+\\b', '/^URGENT/'] }, use: 'haiku' },
    ]);
    expect(route(r, 'hi', { defaults: [] }).rule).toBe('short');
    const d = route(r, 'please look at jira-1234 today', { defaults: [] });
    expect(d.rule).toBe('ticket');
    expect(d.matched).toEqual(['regex /\\bJIRA-\\d+\\b/i: "jira-1234"']);
    expect(route(r, 'urgent: the build is red', { defaults: [] }).rule).toBeUndefined(); // /^URGENT/ is case-sensitive
  });
});

describe('compileRules problems', () => {
  it('names every problem with its rule and path, not just the first', () => {
    const ps = problems([
      { name: 'sql', when: { regex: '(unclosed' }, use: 'haiku' },
      { name: 'typo', when: { keyword: ['x'], categroy: 'code' }, use: 'fast' },
      { name: 'models', when: { category: 'codez' }, use: ['nosuch', 'acme:model'], fallback: ['fast', 'bad id'] },
      { when: {}, use: 'fast' },
      { name: 'sql', use: 'fast', maxCostUsd: -1, extra: true },
      'not a rule',
    ]);
    const lines = ps.map((p) => `${p.path}: ${p.message}`);
    expect(lines).toEqual([
      expect.stringMatching(/^rules\[0\]\.when\.regex: rule "sql": invalid regex: .*unterminated group/i),
      expect.stringMatching(/^rules\[1\]\.when\.keyword: rule "typo": unknown key "keyword" \(did you mean "keywords"\?\)/),
      expect.stringMatching(/^rules\[1\]\.when\.categroy: rule "typo": unknown key "categroy" \(did you mean "category"\?\)/),
      expect.stringMatching(/^rules\[2\]\.use\[0\]: rule "models": unknown model "nosuch": invalid model id "nosuch".*Aliases in config: fast, haiku/),
      'rules[2].use[1]: rule "models": unknown provider "acme" in "acme:model"; define it under providers: or use a built-in one',
      expect.stringMatching(/^rules\[2\]\.fallback\[1\]: rule "models": unknown model "bad id"/),
      expect.stringMatching(/^rules\[2\]\.when\.category: rule "models": unknown category "codez" \(did you mean "code"\?\)/),
      'rules[3]: rule #4: needs a name (used by `mmr route` and `mmr rules rm`)',
      expect.stringMatching(/^rules\[4\]\.extra: rule "sql": unknown key "extra"/),
      'rules[4].maxCostUsd: rule "sql": must be at least 0 (USD per answer), got -1',
      'rules[4].name: rule "sql": the name is already used by rules[0]; rule names must be unique',
      'rules[5]: rule #6: must be a mapping with name, when and use, got a string',
    ]);
    expect(ps.every((p) => p.file === '.routerrc.yaml')).toBe(true);
  });

  it('reports bounds that can never match, bad languages and wrong types', () => {
    const ps = problems([{ name: 'x', when: { minChars: 100, maxChars: 10, language: 'french', hasCode: 'yes', keywords: { none: ['a'] } }, use: 'fast' }]);
    expect(ps.map((p) => p.message)).toEqual([
      expect.stringMatching(/unknown key "none"/),
      expect.stringMatching(/needs `any` or `all`/),
      expect.stringMatching(/"french" is not an ISO 639-1 code/),
      'rule "x": must be true or false, got a string',
      'rule "x": is greater than maxChars (100 > 10), so the rule can never match',
    ]);
  });

  it('gives line numbers when the caller passes a locator', () => {
    const text = 'rules:\n  - name: a\n    use: fast\n  - name: b\n    when:\n      regex: "(?=a)b"\n    use: fast\n';
    const parsed = parseConfigText(text, 'c.yaml');
    if (!parsed.ok) throw new Error('parse');
    try {
      compileRules((parsed.value as { rules: unknown[] }).rules, { file: 'c.yaml', knownModel, locate: parsed.locate });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([expect.objectContaining({ file: 'c.yaml', line: 6, path: 'rules[1].when.regex' })]);
      expect((err as ConfigError).message).toMatch(/c\.yaml:6 rules\[1\]\.when\.regex: rule "b": regex \/\(\?=a\)b\/ is refused/);
    }
  });

  it('without knownModel only the shape is checked; with it, aliases and providers must exist', () => {
    expect(() => compileRules([{ name: 'a', use: 'whatever' }])).not.toThrow();
    expect(knownModel('fast')).toBeNull();
    expect(knownModel('ollama:llama3.2:1b')).toBeNull();
    expect(knownModelFor({ aliases: {}, providers: { acme: {} } })('acme:m')).toBeNull();
    expect(knownModel('acme:m')).toMatch(/unknown provider "acme"/);
  });
});
