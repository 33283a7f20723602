import { describe, expect, it } from 'vitest';
import { compileRules, type RuleConfig } from '../../src/config/rules.js';
import { shadowedRules, shadowingRule, shadows } from '../../src/config/shadow.js';
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

describe('shadowingRule: what catches a prompt before a new rule', () => {
  const existing = [
    { name: 'code', when: { category: 'code' }, use: M },
    { name: 'french', when: { language: 'fr' }, use: M },
  ];
  const prompt = 'Write a SQL query for the top 5 customers by revenue';

  it('names the earlier rule and what of it matched, and offers to save before it when that keeps it alive', () => {
    const s = shadowingRule(existing, { name: 'sql', when: { keywords: { any: ['sql', 'customers'] } }, use: 'anthropic:claude-haiku-4-5' }, prompt);
    expect(s).toEqual({ rule: 'code', index: 0, matched: ['category code'], saveBefore: 'code' });
  });

  it('does not offer to save before a rule the new one would make dead', () => {
    const s = shadowingRule([{ name: 'sql-orders', when: { keywords: { all: ['sql', 'revenue'] } }, use: M }], { name: 'sql', when: { keywords: ['sql'] }, use: M }, prompt);
    expect(s).toEqual({ rule: 'sql-orders', index: 0, matched: ['keywords all: "sql", "revenue"'] });
  });

  it('null when nothing earlier matches, or when the new rule does not match the prompt itself', () => {
    expect(shadowingRule(existing.slice(1), { name: 'sql', when: { keywords: ['sql'] }, use: M }, prompt)).toBeNull();
    expect(shadowingRule(existing, { name: 'x', when: { keywords: ['nothing-here'] }, use: M }, prompt)).toBeNull();
  });

  it('ignores existing rules that do not compile', () => {
    const s = shadowingRule([{ name: 'broken', when: { regex: '(' }, use: M }, ...existing], { name: 'sql', when: { keywords: ['sql'] }, use: M }, prompt);
    expect(s).toMatchObject({ rule: 'code', index: 1 });
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
