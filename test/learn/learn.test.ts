import { describe, expect, it } from 'vitest';
import { synthetic } from './synthetic.js';
import { DENSE_BASE, DENSE_NAMES, featurize, type SparseVec } from '../../src/learn/features.js';
import { fitRouter } from '../../src/learn/fit.js';
import { decide } from '../../src/learn/policy.js';
import { buildReport, formatReport } from '../../src/learn/report.js';
import { parseRouter, serializeRouter } from '../../src/learn/router-file.js';
import { curveFigures, qualityAt, upperHull } from '../../src/learn/curve.js';
import { lambdaFor, pick } from '../../src/learn/tradeoff.js';

/** Cosine similarity of the hashed parts of two feature vectors (ids ascending; dense features excluded). */
function cosine(a: SparseVec, b: SparseVec): number {
  let i = 0, j = 0, s = 0;
  while (i < a.idx.length && j < b.idx.length && a.idx[i] < DENSE_BASE && b.idx[j] < DENSE_BASE) {
    if (a.idx[i] === b.idx[j]) s += a.val[i++] * b.val[j++];
    else if (a.idx[i] < b.idx[j]) i++;
    else j++;
  }
  return s;
}

describe('features', () => {
  it('are deterministic, unit length on the hashed part, and similar prompts are close', () => {
    const a = featurize('Write a Python function to reverse a list');
    expect(featurize('Write a Python function to reverse a list')).toEqual(a);
    // Counts are kept in a table shared between prompts: nothing of one prompt leaks into the next.
    featurize('list list list reverse Python Python 写一首诗');
    expect(featurize('Write a Python function to reverse a list')).toEqual(a);
    expect(cosine(a, a)).toBeCloseTo(1, 5);
    expect(cosine(a, featurize('Write a Python function to sort a list'))).toBeGreaterThan(cosine(a, featurize('写一首关于秋天的诗')));
  });
});

describe('word-problem signals', () => {
  const dense = (p: string) => {
    const x = featurize(p);
    return Object.fromEntries(DENSE_NAMES.map((name, j) => [name, x.val[[...x.idx].indexOf(DENSE_BASE + j)]]));
  };
  it('count decimals, fractions and multipliers, percentages, money and distinct numbers', () => {
    const d = dense('A shirt costs $12.50 and is 20% off. Half of the 12 boys pay twice, 3/4 of the rest pay $1,250.75 each; 12 percent tip.');
    const log = (n: number, k: number) => Math.fround(Math.log1p(n) / k);
    expect(d.decimals).toBe(log(2, 2)); // 12.50 and 1,250.75 (the thousands comma is not a decimal)
    expect(d.fractions).toBe(log(3, 2)); // 3/4, half, twice
    expect(d.percent).toBe(log(2, 2)); // % and "percent"
    expect(d.money).toBe(log(2, 2));
    // 12.50, 20, 12, 3, 4, 1,250.75 and 12 again
    expect(d['distinct numbers']).toBe(log(6, 4));
    const plain = dense('Tell me a story about a cat');
    for (const k of ['decimals', 'fractions', 'percent', 'money', 'distinct numbers']) expect(plain[k]).toBe(0);
    // Existing signals keep their ids: a router file's weights mean what they meant.
    expect(DENSE_NAMES.slice(0, 9)).toEqual(['length', 'digits', 'lines', 'code', 'numbers', 'sentences', 'words', 'question', 'longest number']);
  });
});

describe('feature counting', () => {
  it('a prompt with thousands of distinct n-grams (the count table grows) gives sorted, distinct, unit-length ids with sublinear counts', () => {
    const long = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ');
    const x = featurize(long);
    const hashed = [...x.idx].filter((id) => id < 1 << 20);
    expect(hashed.length).toBeGreaterThan(4096);
    for (let i = 1; i < x.idx.length; i++) expect(x.idx[i]).toBeGreaterThan(x.idx[i - 1]);
    expect(hashed.reduce((s, _, i) => s + x.val[i] ** 2, 0)).toBeCloseTo(1, 4);
    // The table is reused: a short prompt after the long one is what it is on its own, and so is the long one again.
    const short = 'zebra zebra zebra quagga';
    const once = featurize(short);
    expect(featurize(long)).toEqual(x);
    expect(featurize(short)).toEqual(once);
    // A word seen three times weighs 1 + ln 3 against 1 for a word seen once (before normalising).
    const only = (p: string) => featurize(p).val.slice(0, [...featurize(p).idx].filter((id) => id < 1 << 20).length);
    const [thrice, single] = [only('zebra x zebra y zebra'), only('zebra')];
    expect(Math.max(...thrice) / Math.min(...thrice)).toBeCloseTo(1 + Math.log(3), 4);
    expect(Math.max(...single)).toBeCloseTo(Math.min(...single), 6);
  });
});

describe('learned router on synthetic evidence', () => {
  const fit = fitRouter(synthetic(), { seed: 1 });
  const math = 'Compute 321 * 328 and then add 9; what is the total?';
  const code = 'Write a Python function that handles graphs and returns a sorted result; include tests';

  it('sends each kind of prompt to the model that is good at it when quality matters, and to the cheapest at 0', () => {
    expect(decide(fit.router, math, { tradeoff: 0.5 })!.model).toBe('cheap:math');
    expect(decide(fit.router, code, { tradeoff: 1 })!.model).toBe('dear:code');
    expect(decide(fit.router, code, { tradeoff: 0 })!.model).toBe('cheap:math');
    const d = decide(fit.router, code, { tradeoff: 1 })!;
    expect(d.candidates.map((c) => c.model)).toEqual(['dear:code', expect.any(String), expect.any(String)]);
    expect(d.candidates[0].quality).toBeGreaterThan(0.7);
    expect(d.candidates.find((c) => c.model === 'cheap:math')!.quality).toBeLessThan(0.5);
    expect(d.reason).toMatch(/^learned router: dear:code predicted \d+%/);
  });

  it('chooses only usable models, and says why the others are not', () => {
    const d = decide(fit.router, code, { tradeoff: 1, unusable: (m) => (m === 'dear:code' ? 'DEAR_API_KEY is not set' : null) })!;
    expect(d.model).not.toBe('dear:code');
    expect(d.candidates.at(-1)).toMatchObject({ model: 'dear:code', usable: false, unusable: 'DEAR_API_KEY is not set' });
    expect(decide(fit.router, code, { unusable: () => 'no key' })).toBeNull();
  });

  it('the out-of-fold report beats the zero-router and recommends a tradeoff', () => {
    const r = buildReport(fit);
    expect(r.models.map((m) => m.model)).toEqual(['cheap:math', 'dear:code', 'mid:both']);
    expect(r.models[0]).toMatchObject({ n: 160 });
    expect(r.models[0].low).toBeLessThan(r.models[0].quality);
    expect(r.figures!.auc).toBeGreaterThan(r.figures!.zeroAuc + 0.05);
    expect(r.figures!.apgr).toBeGreaterThan(0.6);
    expect(r.useSingle).toBeNull();
    expect(r.warnings).toEqual([]);
    const text = formatReport(r);
    expect(text).toMatch(/learned router, out of fold/);
    expect(text).toMatch(/← recommended/);
    expect(text).toMatch(/oracle \(best model per prompt, in hindsight\)/);
  });

  it('is deterministic given the seed, and survives the file round trip', () => {
    const again = fitRouter(synthetic(), { seed: 1 });
    const meta = { createdAt: 'x', seed: 1, evidence: [], prompts: 160, outcomes: 480, stats: [] };
    const text = serializeRouter(fit.router, meta);
    expect(serializeRouter(again.router, meta)).toBe(text);
    const { router } = parseRouter(text);
    for (const t of [0, 0.3, 1]) for (const p of [math, code]) expect(decide(router, p, { tradeoff: t })!.model).toBe(decide(fit.router, p, { tradeoff: t })!.model);
  });

  it('reads a version 1 file (no word-problem signals) and predicts as the same weights do in version 2', () => {
    const text = serializeRouter(fit.router, { createdAt: 'x', seed: 1, evidence: [], prompts: 1, outcomes: 1, stats: [] });
    const doc = JSON.parse(text);
    const ids = new Int32Array(new Uint8Array(Buffer.from(doc.ids, 'base64')).buffer);
    const F = ids.length, M = doc.models.length;
    const keep = [...ids.keys()].filter((c) => ids[c] < (1 << 20) + 21);
    const w = (b64: string) => new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer);
    const cut = (W: Float32Array) => Float32Array.from({ length: (keep.length + 1) * M }, (_, k) => {
      const m = Math.floor(k / (keep.length + 1)), j = k % (keep.length + 1);
      return W[m * (F + 1) + (j === keep.length ? F : keep[j])];
    });
    const b64 = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    const v1 = { ...doc, version: 1, ids: b64(Int32Array.from(keep.map((c) => ids[c]))), quality: { W: b64(cut(w(doc.quality.W))) }, cost: { W: b64(cut(w(doc.cost.W))) } };
    const v2 = { ...v1, version: 2 };
    const [a, b] = [parseRouter(JSON.stringify(v1)).router, parseRouter(JSON.stringify(v2)).router];
    for (const p of [math, code, 'Half of 12.5 is what percent of $40?']) expect(decide(a, p, { tradeoff: 0.5 })).toEqual(decide(b, p, { tradeoff: 0.5 }));
  });

  it('refuses router files that are not, or not this version', () => {
    const text = serializeRouter(fit.router, { createdAt: 'x', seed: 1, evidence: [], prompts: 1, outcomes: 1, stats: [] });
    expect(() => parseRouter('{')).toThrow(/not JSON/);
    expect(() => parseRouter('{"format":"other"}')).toThrow(/not an mmr router file/);
    expect(() => parseRouter(text.replace('"version":2', '"version":99'))).toThrow(/version 99 is not supported \(this mmr reads versions 1 and 2\)/);
    // Version 1 had no word-problem signals: a file that says so but has weights for them is refused.
    expect(() => parseRouter(text.replace('"version":2', '"version":1'))).toThrow(/"ids" has a signal version 1 does not have \(25 ≥ 21\)/);
    expect(() => parseRouter(text.replace('"cheap:math"', '"cheap:\\u001b]52;c;x\\u0007"'))).toThrow(/printable/);
    const doc = JSON.parse(text);
    doc.quality.W = doc.quality.W.slice(0, 12);
    expect(() => parseRouter(JSON.stringify(doc))).toThrow(/"quality.W" has [\d.]+ numbers, expected \d+/);
  });

  it('warns when evidence is thin and when the router does not beat one model', () => {
    const noise = synthetic(30, 3).map((o) => ({ ...o, quality: o.model === 'mid:both' ? 1 : 0 }));
    const r = buildReport(fitRouter(noise, { seed: 1 }));
    expect(r.warnings.join('\n')).toMatch(/thin evidence: 30 prompts/);
    expect(r.useSingle).toBe('mid:both');
    expect(r.warnings.join('\n')).toMatch(/does not beat the zero-router .* use mid:both alone/);
  });
});

describe('curves and the tradeoff', () => {
  it('T spends T² of the way from the cheapest routing to the best-quality one (out of fold)', async () => {
    const { calibrate, realise } = await import('../../src/learn/tradeoff.js');
    // Two models, costs 0 and 1; the dear one gains i/n on prompt i, so λ sends a share 1 − λ to it.
    const n = 400;
    const [pq, pc, tq, tc] = [new Float64Array(2 * n), new Float64Array(2 * n), new Float64Array(2 * n), new Float64Array(2 * n)];
    for (let i = 0; i < n; i++) {
      pq.set([0.2, 0.2 + (i + 0.5) / n], 2 * i);
      tq.set([0, 1], 2 * i);
      pc.set([0, 1], 2 * i);
      tc.set([0, 1], 2 * i);
    }
    const rows = Array.from({ length: n }, (_, i) => i);
    const { table } = calibrate(pq, pc, tq, tc, 2, rows);
    const spend = (t: number) => realise(pq, pc, tq, tc, 2, lambdaFor(t, table), rows).cost;
    expect(spend(0)).toBe(0);
    expect(spend(0.5)).toBeCloseTo(0.25, 1);
    expect(spend(0.9)).toBeCloseTo(0.81, 1);
    expect(spend(1)).toBe(1);
    for (let t = 0.1; t < 1; t += 0.1) expect(spend(t + 0.1)).toBeGreaterThanOrEqual(spend(t));
  });


  it('the zero-router is the upper hull of single models; AUC and APGR follow RouteLLM for two models', () => {
    const singles = [{ cost: 0, quality: 0.6 }, { cost: 1, quality: 0.8 }, { cost: 0.5, quality: 0.65 }];
    expect(upperHull(singles)).toEqual([{ cost: 0, quality: 0.6 }, { cost: 1, quality: 0.8 }]); // 0.65 is under the mixture
    expect(qualityAt(upperHull(singles), 0.25)).toBeCloseTo(0.65);
    const random = curveFigures([{ cost: 0, quality: 0.6 }, { cost: 1, quality: 0.8 }], singles);
    expect(random.apgr).toBeCloseTo(0.5, 2);
    expect(random.auc).toBeCloseTo(random.zeroAuc, 6);
    expect(random.cpt50).toBeCloseTo(0.5, 2);
    const good = curveFigures([{ cost: 0, quality: 0.6 }, { cost: 0.2, quality: 0.78 }, { cost: 1, quality: 0.8 }], singles);
    expect(good.apgr).toBeGreaterThan(0.8);
    expect(good.auc - good.zeroAuc).toBeGreaterThan(0.05);
    expect(good.cpt80).toBeLessThan(0.2);
  });

  it('pick: best quality − λ·cost, unknown cost counts as the dearest, ties to the cheaper', () => {
    expect(pick([0.5, 0.9], [0.001, 0.01], 0)).toBe(1);
    expect(pick([0.5, 0.9], [0.001, 0.01], 1000)).toBe(0);
    expect(pick([0.9, 0.9], [0.01, 0.001], 0)).toBe(1);
    expect(pick([0.5, 0.6, 0.9], [0.001, 0.01, NaN], 100)).toBe(0);
    expect(pick([0.5, 0.9], [0.001, 0.01], 0, [true, false])).toBe(0);
    expect(lambdaFor(1, [[0, 50], [0.5, 10], [1, 0]])).toBe(0);
    expect(lambdaFor(0.25, [[0, 100], [0.5, 1], [1, 0]])).toBeCloseTo(10);
  });
});

describe('fast prediction', () => {
  it('predictFast (float32, feature-major) agrees with the training-time predictor', async () => {
    const { predictFast, predictPrompt } = await import('../../src/learn/policy.js');
    const { predictRow } = await import('../../src/learn/train.js');
    const { encode } = await import('../../src/learn/linear.js');
    const fit = fitRouter(synthetic(60, 5), { seed: 2 });
    const p = fit.router.predictor;
    for (const prompt of ['Compute 12 * 14 then add 3', 'Write a Python function for dates', 'hello there']) {
      const [q1, c1, q2, c2] = [new Float64Array(3), new Float64Array(3), new Float64Array(3), new Float64Array(3)];
      predictRow(p.quality, p.cost, p.meanCostUsd, encode(featurize(prompt), fit.router.vocab), q1, c1);
      predictFast(fit.router, featurize(prompt), q2, c2);
      // The decision path: straight from the prompt, no vector built.
      const [q3, c3] = [new Float64Array(3), new Float64Array(3)];
      predictPrompt(fit.router, prompt, undefined, q3, c3);
      for (let m = 0; m < 3; m++) {
        expect(q2[m]).toBeCloseTo(q1[m], 5);
        expect(c2[m]).toBeCloseTo(c1[m], 8);
        expect(q3[m]).toBeCloseTo(q2[m], 9);
        expect(c3[m]).toBeCloseTo(c2[m], 12);
      }
    }
  });
});

describe('tokenizer paths', () => {
  it('the ASCII scan splits text exactly as the Unicode pattern does', () => {
    const ascii = 'def f(x):\n    return x**2 + 3 # square_it, then add 3!\tDone?';
    // A trailing non-ASCII word sends the same text down the Unicode path; every ASCII id must be there too.
    const a = [...featurize(ascii).idx].filter((id) => id < 1 << 20);
    const u = new Set(featurize(`${ascii} é`).idx);
    for (const id of a) expect(u.has(id)).toBe(true);
  });
});
