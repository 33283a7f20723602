import { describe, expect, it } from 'vitest';
import type { BenchRow } from '../../src/bench/types.js';
import { evidenceCollector, MIN_CASES } from '../../src/learn/suggest.js';

const row = (caseId: string, prompt: string, tags: string[], model: string, pass: boolean, costUsd: number): BenchRow => ({
  caseId, where: 'f.jsonl:1', tags, prompt, messages: [{ role: 'user', content: prompt }], system: null, model, answer: '', pass,
  checks: [{ type: 'equals', pass }], error: null, latencyMs: 100, ttftMs: 10, inputTokens: 1, outputTokens: 1, costUsd, judgeCostUsd: 0, cached: false, attempts: 1, turn: 1, sample: 1,
});

function collect(n: number, tag: string, prompt: (k: number) => string, cheapPass: (k: number) => boolean) {
  const c = evidenceCollector(() => new Date('2026-01-31T12:00:00Z'));
  for (let k = 0; k < n; k++) {
    c.add(row(`c${k}`, prompt(k), [tag], 'openai:cheap', cheapPass(k), 0.0001));
    c.add(row(`c${k}`, prompt(k), [tag], 'openai:dear', true, 0.01));
  }
  return c;
}

describe('rules from evidence', () => {
  it('proposes a rule from the prompts (never the tag name) with the cheapest model inside the best one\'s interval, and states its evidence', () => {
    const c = collect(30, 'bench-demo', (k) => `What is ${k + 12} * ${k + 7}?`, (k) => k % 15 !== 0);
    const [s] = c.suggest();
    expect(s.rule).toEqual({ name: 'bench-bench-demo', when: { category: 'math' }, use: 'openai:cheap' });
    expect(JSON.stringify(s.rule)).not.toMatch(/"demo"/);
    expect(s).toMatchObject({ n: 30, model: 'openai:cheap', best: { model: 'openai:dear', passRate: 1 } });
    expect(s.comment).toBe('n=30: openai:cheap 93% (79%–98%) vs best openai:dear 100%, cheaper; mmr bench 2026-01-31');
  });

  it('keywords the prompts share when they have no common category', () => {
    const c = collect(25, 'billing', (k) => `Customer ${k} disputes an invoice refund for order ${k}`, () => true);
    for (let k = 0; k < 25; k++) {
      c.add(row(`o${k}`, `Tell me something nice about day ${k}`, ['other'], 'openai:cheap', true, 0.0001));
      c.add(row(`o${k}`, `Tell me something nice about day ${k}`, ['other'], 'openai:dear', true, 0.01));
    }
    const s = c.suggest().find((x) => x.tag === 'billing')!;
    expect((s.rule.when as { keywords: string[] }).keywords).toEqual(expect.arrayContaining(['customer', 'disputes', 'invoice', 'refund']));
    expect(s.model).toBe('openai:cheap');
  });

  it('no rule from fewer than MIN_CASES cases, or when the cheap model is clearly worse it picks the best', () => {
    expect(collect(MIN_CASES - 1, 'math', (k) => `What is ${k} * 3?`, () => true).suggest()).toEqual([]);
    const [s] = collect(30, 'math', (k) => `What is ${k + 10} * 3?`, (k) => k % 2 === 0).suggest();
    expect(s.model).toBe('openai:dear');
    expect(s.comment).toMatch(/openai:dear 100% .*best;/);
  });
});
