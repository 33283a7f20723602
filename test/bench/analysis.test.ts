import { describe, expect, it } from 'vitest';
import { Summary, percentile } from '../../src/bench/summary.js';
import { paretoFrontier, suggestRules } from '../../src/bench/analysis.js';
import { chart, formatCsv, formatMarkdown, formatTable, type BenchReport } from '../../src/bench/report.js';
import { Pacer, Semaphore } from '../../src/bench/limiter.js';
import { DirCache, cacheKey, userCacheDir } from '../../src/bench/cache.js';
import type { ResolvedModel } from '../../src/core/model.js';
import type { BenchRow } from '../../src/bench/types.js';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const row = (model: string, caseId: string, pass: boolean | null, extra: Partial<BenchRow> = {}): BenchRow => ({
  caseId, where: `f:${caseId}`, tags: ['math'], prompt: `question ${caseId}`, messages: [{ role: 'user', content: `question ${caseId}` }], system: null, model, answer: '', pass, checks: [], error: null,
  latencyMs: 100, ttftMs: 10, inputTokens: 10, outputTokens: 5, costUsd: 0.01, judgeCostUsd: 0, cached: false, attempts: 1, turn: 1, sample: 1, ...extra,
});

describe('summary and analysis', () => {
  const s = new Summary(['a:cheap', 'b:good', 'c:pricey']);
  for (let i = 0; i < 10; i++) {
    s.add(row('a:cheap', `q${i}`, i < 7, { costUsd: 0.001, latencyMs: 50 + i }));
    s.add(row('b:good', `q${i}`, i < 9, { costUsd: 0.01 }));
    s.add(row('c:pricey', `q${i}`, i < 9, { costUsd: 0.1, tags: ['math', 'code'] }));
  }
  // A failed call: its (fast) latency must not count, it costs $0, and its kind is reported.
  s.add(row('a:cheap', 'q10', null, { error: { kind: 'server', message: 'boom', status: 500 }, costUsd: 0, latencyMs: 1 }));
  const stats = s.modelStats();

  it('per-model pass rate with n, errors, latency percentiles, cost per pass', () => {
    expect(stats[0]).toMatchObject({ model: 'a:cheap', n: 11, graded: 10, passed: 7, errors: 1, latencyP50: 54, latencyP95: 59, latencyMean: 54.5 });
    expect(stats[0].errorKinds).toEqual([{ kind: 'server', count: 1, example: 'boom', status: 500 }]);
    // Wilson 95% interval for 7/10.
    expect(stats[0].passLow).toBeCloseTo(0.3968, 3);
    expect(stats[0].passHigh).toBeCloseTo(0.8922, 3);
    expect(stats[0].costUsd).toBeCloseTo(0.01);
    expect(stats[0].costPerPass).toBeCloseTo(0.01 / 7);
    expect(percentile([5, 1, 3], 50)).toBe(3);
  });

  it('Pareto frontier drops dominated models; disagreements list mixed cases', () => {
    expect(paretoFrontier(stats).map((p) => p.model)).toEqual(['a:cheap', 'b:good']);
    const d = s.disagreements();
    expect(d.total).toBe(2);
    expect(d.cases[0]).toMatchObject({ caseId: 'q7', passed: ['b:good', 'c:pricey'], failed: ['a:cheap'] });
  });

  it('suggested rules: cheapest within tolerance of the best per tag; categories become category conditions', () => {
    const rules = suggestRules(s.tagStats(), 2);
    expect(rules.map((r) => [r.tag, r.model])).toEqual([['code', 'c:pricey'], ['math', 'b:good']]);
    expect(rules[1].rule).toEqual({ name: 'bench-math', when: { category: 'math' }, use: 'b:good' });
    expect(suggestRules(s.tagStats(), 25).find((r) => r.tag === 'math')!.model).toBe('a:cheap');
  });

  it('reports render in every form', () => {
    const r: BenchReport = { models: stats, tags: s.tagStats(), disagreements: s.disagreements(10), frontier: paretoFrontier(stats), cases: 11, spentUsd: 1, judgeCostUsd: 0, wallMs: 1000, stopped: null, skipped: 0, repeat: 1 };
    const t = formatTable(r);
    expect(t).toMatch(/a:cheap\s+7\/10 70% \[40–89\]\s+11\s+1/);
    expect(t).toContain('Errors (by kind, with the first message):\n  a:cheap: 1 × server (HTTP 500): boom');
    expect(t).toContain('Pareto: a:cheap');
    expect(chart(r).split('\n')).toHaveLength(10);
    expect(formatCsv(r).split('\n')[1]).toMatch(/^a:cheap,11,10,7,0.7,0.39\d+,0.89\d+,0.7,0,1,/);
    expect(formatMarkdown(r)).toContain('| model | pass |');
  });
});

describe('limits and cache', () => {
  it('a semaphore never lets more than its limit through', async () => {
    const sem = new Semaphore(2);
    let active = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      const release = await sem.acquire();
      peak = Math.max(peak, ++active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      release();
    }));
    expect(peak).toBe(2);
  });

  it('a pacer spaces starts evenly for requests per minute', async () => {
    let t = 0;
    const waits: number[] = [];
    const p = new Pacer(600, () => t, async (ms) => { waits.push(ms); });
    await p.wait();
    await p.wait();
    await p.wait();
    expect(waits).toEqual([100, 200]);
  });

  it('cache: keyed by everything that decides the answer, never a secret; XDG_CACHE_HOME honoured', async () => {
    const req = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
    const model = (over: Partial<ResolvedModel['provider']> = {}, id = 'openai:m'): ResolvedModel => ({
      id, model: 'm', options: {}, provider: { id: id.split(':')[0], protocol: 'openai', baseUrl: 'http://a/v1', keyEnv: ['K'], needsKey: true, apiKey: 'sk-1', ...over },
    });
    const key = cacheKey(model(), req);
    expect(key).not.toBe(cacheKey(model(), { ...req, temperature: 0 }));
    expect(key).not.toBe(cacheKey(model({}, 'anthropic:m'), req));
    expect(key).not.toBe(cacheKey(model({ baseUrl: 'http://b/v1' }), req));
    expect(key).not.toBe(cacheKey(model({ protocol: 'anthropic' }), req));
    expect(key).not.toBe(cacheKey(model(), { ...req, system: 'be brief' }));
    expect(key).not.toBe(cacheKey(model(), req, 2));
    expect(key).toBe(cacheKey(model(), req, 1));
    const cmd = (argv: string[]) => cacheKey(model({ protocol: 'command', command: argv, baseUrl: '' }), req);
    expect(cmd(['llm', '-m', 'a'])).not.toBe(cmd(['llm', '-m', 'b']));
    // The key never depends on the API key; header values matter only through a hash.
    expect(cacheKey(model({ apiKey: 'sk-2' }), req)).toBe(key);
    expect(cacheKey(model({ headers: { 'X-Org': 'a' } }), req)).not.toBe(cacheKey(model({ headers: { 'X-Org': 'b' } }), req));
    expect(userCacheDir({ XDG_CACHE_HOME: '/x' }, 'linux')).toBe('/x/mmr');
    expect(userCacheDir({ HOME: '/h' }, 'linux')).toBe('/h/.cache/mmr');
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'mmr-cache-')), 'bench');
    const cache = new DirCache(dir);
    const value = { text: 'x', finishReason: 'stop', usage: null, costUsd: 1, latencyMs: 2, ttftMs: 1, attempts: 1 };
    await cache.set('abcd', value);
    expect(await cache.get('abcd')).toEqual(value);
    expect(await cache.get('ffff')).toBeNull();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'ab')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'ab', 'abcd.json')).mode & 0o777).toBe(0o600);
    expect(cache.corrupt).toBe(0);
  });

  it('cache: a corrupt entry is a miss, counted, never trusted', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mmr-cache-'));
    const cache = new DirCache(dir);
    mkdirSync(path.join(dir, 'ee'));
    const bad = ['{"costUsd":"lots"}', 'not json', '{"text":"x","finishReason":null,"usage":{"inputTokens":"9"},"costUsd":0,"latencyMs":1,"ttftMs":1,"attempts":1}', '[]', '{"text":"x","finishReason":null,"usage":null,"costUsd":-1,"latencyMs":1,"ttftMs":1,"attempts":1}'];
    bad.forEach((b, i) => writeFileSync(path.join(dir, 'ee', `ee${i}.json`), b));
    for (let i = 0; i < bad.length; i++) expect(await cache.get(`ee${i}`)).toBeNull();
    expect(cache.corrupt).toBe(bad.length);
  });
});
