import { describe, expect, it } from 'vitest';
import { compileRules, type RuleConfig } from '../../src/config/rules.js';
import { checkPlacement, hiddenBy, shadowedRules, shadows } from '../../src/config/shadow.js';
import { checkRules } from '../../src/core/rule-check.js';

const M = 'openai:gpt-4o-mini';
const one = (r: Omit<RuleConfig, 'use'>) => compileRules([{ ...r, use: M }])[0];

describe('shadowed rules', () => {
  it.each<[string, Omit<RuleConfig, 'use'>, Omit<RuleConfig, 'use'>, boolean]>([
    ['no conditions shadows anything', { name: 'a' }, { name: 'b', when: { keywords: ['sql'] } }, true],
    ['broader keyword list', { name: 'a', when: { keywords: ['sql', 'query'] } }, { name: 'b', when: { keywords: ['sql'] } }, true],
    ['narrower keyword list does not', { name: 'a', when: { keywords: ['sql'] } }, { name: 'b', when: { keywords: ['sql', 'query'] } }, false],
    ['any [x] vs all [x, y]', { name: 'a', when: { keywords: ['sql'] } }, { name: 'b', when: { keywords: { all: ['sql', 'join'] } } }, true],
    ['all [x, y] vs all [x]', { name: 'a', when: { keywords: { all: ['sql', 'join'] } } }, { name: 'b', when: { keywords: { all: ['sql'] } } }, false],
    ['category superset', { name: 'a', when: { category: ['code', 'math'] } }, { name: 'b', when: { category: 'code', keywords: ['rust'] } }, true],
    ['category alone vs keywords alone', { name: 'a', when: { category: 'code' } }, { name: 'b', when: { keywords: ['rust'] } }, false],
    ['length bounds', { name: 'a', when: { minTokens: 100 } }, { name: 'b', when: { minTokens: 500, language: 'fr' } }, true],
    ['tighter bound earlier does not', { name: 'a', when: { maxChars: 100 } }, { name: 'b', when: { maxChars: 500 } }, false],
    ['same regex', { name: 'a', when: { regex: ['^/deploy'] } }, { name: 'b', when: { regex: '^/deploy', hasCode: true } }, true],
  ])('%s', (_, a, b, expected) => {
    expect(shadows(one(a), one(b))).toBe(expected);
  });

  it('names, for each dead rule, the first earlier rule that catches all its prompts', () => {
    const rules = compileRules([
      { name: 'code', when: { category: 'code' }, use: M },
      { name: 'rust', when: { category: 'code', keywords: ['rust'] }, use: M },
      { name: 'sql', when: { keywords: ['sql', 'query'] }, use: M },
      { name: 'sql-join', when: { keywords: ['sql'] }, use: M },
      { name: 'fr', when: { language: 'fr' }, use: M },
    ]);
    expect([...shadowedRules(rules)]).toEqual([['rust', 'code'], ['sql-join', 'sql']]);
  });
});

describe('a rule inserted above another: which later rules it silences', () => {
  const rules = compileRules([
    { name: 'docs', when: { keywords: ['readme'] }, use: M },
    { name: 'rust', when: { category: 'code', keywords: ['rust'] }, use: M },
    { name: 'all-code', when: { category: 'code' }, use: M },
    { name: 'fr', when: { language: 'fr' }, use: M },
  ]);
  it('names every rule from the insertion point on that matches only prompts the new one catches', () => {
    const broad = one({ name: 'code-haiku', when: { category: 'code' } });
    expect(hiddenBy(rules, broad, 'rust')).toEqual(['rust', 'all-code']);
    expect(hiddenBy(rules, broad, 'all-code')).toEqual(['all-code']);
    // Rules above the insertion point still come first; appended, the new rule silences nothing.
    expect(hiddenBy(rules, broad, 'fr')).toEqual([]);
    expect(hiddenBy(rules, broad)).toEqual([]);
  });
  it('a narrower rule above a broad one silences nothing, and a rule never counts itself', () => {
    const narrow = one({ name: 'sql', when: { category: 'code', keywords: ['sql'] } });
    expect(hiddenBy(rules, narrow, 'all-code')).toEqual([]);
    expect(hiddenBy(rules, one({ name: 'all-code', when: { category: 'code' } }), 'rust')).toEqual(['rust']);
  });
  it('checkPlacement joins it with what catches the prompt first', () => {
    const broad = one({ name: 'code-haiku', when: { category: 'code' } });
    expect(checkPlacement(rules, broad, 'Write a SQL query in Rust for the top customers')).toEqual({ matchesPrompt: true, shadowedBy: 'rust', hides: [] });
    expect(checkPlacement(rules, broad, 'Write a SQL query in Rust for the top customers', 'rust')).toEqual({ matchesPrompt: true, hides: ['rust', 'all-code'] });
  });
});

describe('checkRules: which condition of each rule failed', () => {
  it('lists held and failed conditions with the prompt\'s own value', () => {
    const rules = compileRules([
      { name: 'math-fr', when: { category: 'math', language: 'fr' }, use: M },
      { name: 'sql', when: { keywords: ['sql'] }, use: M },
    ]);
    const [a, b] = checkRules(rules, 'Solve the equation 3x + 4 = 19 for x');
    expect(a).toMatchObject({ name: 'math-fr', match: false, held: ['category math'], failed: ['language fr (is en)'] });
    expect(b).toMatchObject({ name: 'sql', match: false, failed: ['keywords any [sql]'] });
  });
});
