import { describe, expect, it } from 'vitest';
import { kebab, keywordsOf, proposeRule } from '../../src/core/propose.js';

describe('proposeRule', () => {
  it('picks distinctive keywords, drops stopwords and instruction verbs, names the rule from them', () => {
    const r = proposeRule('Write a SQL query for the top 5 customers by revenue', 'anthropic:claude-haiku-4-5');
    expect(r.keywords).toEqual(['sql', 'query', 'customers', 'revenue']);
    expect(r.name).toBe('sql-query');
    expect(r.use).toBe('anthropic:claude-haiku-4-5');
    expect(r.category).toBeUndefined();
  });

  it('uses the classifier for the category when given one', () => {
    const r = proposeRule('Translate this paragraph into German please', 'openai:gpt-4o-mini', () => ({ category: 'translation' }));
    expect(r.category).toBe('translation');
    expect(r.keywords).toContain('german');
  });

  it('survives a classifier that throws', () => {
    const r = proposeRule('refactor this typescript function', 'x:y', () => {
      throw new Error('bug');
    });
    expect(r.category).toBeUndefined();
    expect(r.keywords).toContain('typescript');
  });

  it('falls back to a name from the category or the model when no keyword is left', () => {
    expect(proposeRule('what is it?', 'ollama:llama3.2').name).toBe('prefer-llama3-2');
    expect(proposeRule('what is it?', 'a:b', () => ({ category: 'chat' }))).toMatchObject({ name: 'chat', keywords: [] });
  });
});

describe('keywordsOf', () => {
  it('keeps technical tokens whole and caps the count', () => {
    expect(keywordsOf('Port this C++ code to node.js and add k8s manifests, then deploy to kubernetes clusters')).toEqual(['c++', 'node.js', 'k8s', 'kubernetes']);
    expect(keywordsOf('alpha bravo charlie delta foxtrot golf hotel', 2)).toHaveLength(2);
  });
});

describe('kebab', () => {
  it('makes a rule name', () => {
    expect(kebab('SQL  Query!')).toBe('sql-query');
    expect(kebab('c++ / c#')).toBe('cpp-csharp');
  });
});
