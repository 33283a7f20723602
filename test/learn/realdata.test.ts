import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedEnv, mmr } from '../helpers/cli.js';
import { curveFigures } from '../../src/learn/curve.js';
import { bucket, REALDATA, zeroeval } from '../../bench/realdata.js';

// The unseen-data check's path, on the real 14-model table: bench --out rows of four fifths of the
// prompts → `mmr learn` → `mmr route --batch --router FILE --tradeoff T` for T = 0, 0.1, …, 1 on the
// other fifth, scored with the outcomes the router never saw. Deterministic (hash split, seed 1).
describe.skipIf(!existsSync(REALDATA))('learned routing on held-out ZeroEval prompts (built binary)', () => {
  it('beats the zero-router and matches the best model for less', async () => {
    const { env, home } = await isolatedEnv();
    const all = await zeroeval();
    const ids = new Map<string, string>();
    for (const o of all) if (!ids.has(o.prompt)) ids.set(o.prompt, `c${ids.size}`);
    const held = (p: string) => bucket(p) % 5 === 0;
    const rows = all.filter((o) => !held(o.prompt)).map((o) => JSON.stringify({
      caseId: ids.get(o.prompt), where: 'zeroeval.jsonl:1', tags: [], prompt: o.prompt, messages: [{ role: 'user', content: o.prompt }], system: null,
      model: o.model, answer: '', pass: o.quality === 1, checks: [{ type: 'equals', pass: o.quality === 1 }], error: null,
      latencyMs: null, ttftMs: null, inputTokens: null, outputTokens: null, costUsd: o.costUsd, judgeCostUsd: 0, cached: false, attempts: 1,
    }));
    writeFileSync(path.join(home, 'rows.jsonl'), `${rows.join('\n')}\n`);
    const test = [...ids].filter(([p]) => held(p));
    writeFileSync(path.join(home, 'prompts.jsonl'), `${test.map(([prompt, id]) => JSON.stringify({ id, prompt })).join('\n')}\n`);
    const learn = await mmr(['learn', 'rows.jsonl', '--out', 'router.json'], { env, timeout: 170_000 });
    expect(learn.exitCode, learn.stderr).toBe(0);

    const truth = new Map(all.filter((o) => held(o.prompt)).map((o) => [`${ids.get(o.prompt)} ${o.model}`, o]));
    const models = [...new Set(all.map((o) => o.model))];
    const singles = models.map((m) => {
      const os = test.map(([, id]) => truth.get(`${id} ${m}`)!);
      return { cost: os.reduce((s, o) => s + o.costUsd!, 0) / os.length, quality: os.reduce((s, o) => s + o.quality, 0) / os.length };
    });
    const points = [];
    for (let t = 0; t <= 10; t++) {
      const r = await mmr(['route', '--batch', 'prompts.jsonl', '--router', 'router.json', '--tradeoff', String(t / 10)], { env, timeout: 60_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      const decisions = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; models: string[]; source: string });
      expect(decisions).toHaveLength(test.length);
      expect(decisions.every((d) => d.source === 'learned')).toBe(true);
      const os = decisions.map((d) => truth.get(`${d.id} ${d.models[0]}`)!);
      points.push({ cost: os.reduce((s, o) => s + o.costUsd!, 0) / os.length, quality: os.reduce((s, o) => s + o.quality, 0) / os.length });
    }
    const f = curveFigures(points, singles);
    const best = singles.reduce((a, b) => (b.quality > a.quality ? b : a));
    console.log(`held-out ZeroEval (${test.length} prompts): AUC ${f.auc.toFixed(4)} vs zero-router ${f.zeroAuc.toFixed(4)}; best single ${best.quality.toFixed(3)} at ${best.cost.toExponential(2)}`);
    expect(f.auc).toBeGreaterThan(f.zeroAuc + 0.01);
    // Some tradeoff reaches the best single model's quality at no more than half its cost.
    expect(points.some((p) => p.quality >= best.quality && p.cost <= best.cost / 2)).toBe(true);
    // Costs rise with T.
    expect(points[10].cost).toBeGreaterThan(points[0].cost * 5);
  }, 300_000);
});
