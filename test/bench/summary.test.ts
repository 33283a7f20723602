import { describe, expect, it } from 'vitest';
import { Summary } from '../../src/bench/summary.js';
import type { BenchRow } from '../../src/bench/types.js';

/** A deterministic pseudo-random stream, so the test is the same every run. */
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const models = ['p:a', 'p:b', 'p:c'];
function rows(cases: number, repeat: number): BenchRow[] {
  const r = rng(7);
  const out: BenchRow[] = [];
  for (let i = 0; i < cases; i++) {
    for (let s = 1; s <= repeat; s++) {
      models.forEach((model, mi) => {
        const failed = r() < 0.1;
        out.push({
          caseId: `c${i}`, where: `cases.jsonl:${i + 1}`, tags: [i % 2 ? 'odd' : 'even', `t${i % 5}`], prompt: 'q', messages: [], system: null, model,
          answer: 'a', pass: failed ? false : r() < 0.4 + 0.2 * mi, checks: [], error: failed ? { kind: r() < 0.5 ? 'server' : 'rate-limit', message: `boom ${i}`, status: 500 } : null,
          latencyMs: failed ? 1 : 10 + r() * 1000, ttftMs: r() * 100, inputTokens: 10 + i, outputTokens: 5, costUsd: failed ? 0 : r() * 1e-3, judgeCostUsd: r() < 0.1 ? 1e-4 * r() : 0,
          cached: r() < 0.2, attempts: 1, turn: 1, sample: s, modelIndex: mi,
        });
      });
    }
  }
  return out;
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const r = rng(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const everything = (s: Summary) => ({ models: s.modelStats(), tags: s.tagStats(), disagreements: s.disagreements(), flaky: models.map((m) => s.flakyCases(m)) });

describe('the bench summary', () => {
  it('is the same in any order rows arrive (a single run, or a merge of shards), down to the last bit', () => {
    const all = rows(300, 3);
    const inOrder = new Summary(models, { expectedMarks: models.length * 3, keep: 25 });
    for (const r of all) inOrder.add(r);
    const want = everything(inOrder);
    expect(want.disagreements.total).toBeGreaterThan(25);
    expect(want.disagreements.cases).toHaveLength(25);
    expect(want.models[0].flaky).toBeGreaterThan(0);
    for (const seed of [1, 2, 3]) {
      const s = new Summary([], { keep: 25 });
      for (const r of shuffled(all, seed)) s.add(r);
      s.orderModels(models);
      expect(everything(s)).toEqual(want);
    }
  });

  it('keeps only the case-turns still missing rows: memory follows the rows in flight, not the run', () => {
    const s = new Summary(models, { expectedMarks: models.length * 2 });
    let most = 0;
    for (const r of rows(2000, 2)) {
      s.add(r);
      most = Math.max(most, s.open);
    }
    expect(most).toBe(1);
    expect(s.open).toBe(0);
    expect(s.modelStats()[0].graded).toBe(4000);
  });
});
