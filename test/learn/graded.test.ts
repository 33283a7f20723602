import { describe, expect, it } from 'vitest';
import { rng, type Outcome } from '../../src/learn/dataset.js';
import { lineOutcomes } from '../../src/learn/evidence.js';
import { fitRouter } from '../../src/learn/fit.js';
import { decide } from '../../src/learn/policy.js';
import { buildReport } from '../../src/learn/report.js';

// Judge-scored evidence (1–10, as `mmr bench` writes it for judge checks) for six models on two
// kinds of prompt, with the spread real judges show: scores cluster near the top, differ by a
// point or two between models, and are noisy (±1). Nothing is 0/1: routing must work on graded
// quality alone.
const KINDS = {
  story: (i: number) => `Write a short story about a ${['lighthouse', 'fox', 'train', 'garden', 'storm'][i % 5]} keeper who finds a letter; keep it warm and vivid (${i})`,
  code: (i: number) => `Implement a thread-safe LRU cache in ${['Rust', 'Go', 'C++', 'Java'][i % 4]} with O(1) get and put, and explain the locking (${i})`,
};
// Mean judge score per kind and USD per answer.
const MODELS: Record<string, { story: number; code: number; usd: number }> = {
  'tiny:writer': { story: 8.4, code: 3.5, usd: 0.0002 },
  'small:chat': { story: 7.6, code: 5.0, usd: 0.0004 },
  'mid:coder': { story: 7.4, code: 8.3, usd: 0.002 },
  'mid:general': { story: 8.0, code: 7.0, usd: 0.003 },
  'big:all': { story: 8.8, code: 8.9, usd: 0.02 },
  'big:older': { story: 8.3, code: 7.8, usd: 0.03 },
};

function judgedRows(n: number, seed: number): Outcome[] {
  const r = rng(seed);
  const noise = () => (r() + r() + r() - 1.5) * 1.4;
  const out: Outcome[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 2 ? 'code' : 'story';
    const prompt = KINDS[kind](i);
    for (const [model, m] of Object.entries(MODELS)) {
      const score = Math.max(1, Math.min(10, Math.round(m[kind] + noise())));
      const row = { caseId: `c${i}`, where: 'cases.yaml:1', tags: [], prompt, messages: [{ role: 'user', content: prompt }], system: null, model, answer: '…', pass: score >= 7, checks: [{ type: 'judge', pass: score >= 7, score }], error: null, latencyMs: 900, ttftMs: 200, inputTokens: 40, outputTokens: 300, costUsd: m.usd * (0.8 + 0.4 * r()), judgeCostUsd: 0.0001, cached: false, attempts: 1 };
      const parsed = lineOutcomes(row);
      if (!parsed || typeof parsed === 'string') throw new Error('row not read');
      out.push(...parsed.outcomes);
    }
  }
  return out;
}

describe('learned router on judge scores (graded quality)', () => {
  const rows = judgedRows(240, 11);
  const fit = fitRouter(rows, { seed: 1 });

  it('reads judge scores as graded quality, not pass/fail', () => {
    const qs = new Set(rows.map((o) => o.quality));
    expect(qs.size).toBeGreaterThan(5);
    expect([...qs].every((q) => q >= 0.1 && q <= 1)).toBe(true);
  });

  it('predicts each model’s mean score per kind of prompt, and routes by kind and cost', () => {
    const story = 'Write a short story about a lighthouse keeper who finds a letter; keep it warm and vivid';
    const code = 'Implement a thread-safe LRU cache in Go with O(1) get and put, and explain the locking';
    const q = (p: string, model: string) => decide(fit.router, p, { tradeoff: 1 })!.candidates.find((c) => c.model === model)!.quality;
    // Graded targets: predictions near the true mean score / 10, not pushed toward 0 or 1.
    expect(Math.abs(q(story, 'tiny:writer') - 0.84)).toBeLessThan(0.08);
    expect(Math.abs(q(code, 'tiny:writer') - 0.35)).toBeLessThan(0.1);
    expect(Math.abs(q(code, 'mid:coder') - 0.83)).toBeLessThan(0.08);
    // A low tradeoff (T = 0.2 spends 4% of the way to the best routing's cost) sends stories to the
    // cheap writer and code to the coder; T = 1 buys the best.
    expect(decide(fit.router, story, { tradeoff: 0.2 })!.model).toBe('tiny:writer');
    expect(decide(fit.router, code, { tradeoff: 0.2 })!.model).toBe('mid:coder');
    expect(decide(fit.router, code, { tradeoff: 1 })!.model).toBe('big:all');
    expect(decide(fit.router, story, { tradeoff: 0 })!.model).toBe('tiny:writer');
  });

  it('beats the zero-router out of fold, with costs rising with T', () => {
    const r = buildReport(fit);
    expect(r.figures!.auc).toBeGreaterThan(r.figures!.zeroAuc + 0.02);
    expect(r.useSingle).toBeNull();
    const costs = fit.oofCurve.map((p) => p.cost);
    for (let i = 1; i < costs.length; i++) expect(costs[i]).toBeGreaterThanOrEqual(costs[i - 1] * 0.98);
    expect(costs[10]).toBeGreaterThan(costs[0] * 10);
  });
});
