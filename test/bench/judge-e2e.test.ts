import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { isolatedEnv, mmr } from '../helpers/cli.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({
    reply: (req) => {
      const q: string = req.body.messages.at(-1).content;
      // The judge model grades: it passes answers that mention leaves, and says so the way the rubric asks.
      if (req.model === 'gpt-4o-mini') return { text: q.includes('leaves fall') ? 'Vivid and on topic.\nVERDICT: PASS' : 'Off topic.\nVERDICT: FAIL', usage: { input: 200, output: 10 } };
      return { text: req.model === 'poet' ? 'red leaves fall softly\nthe maple lets go\nautumn wind' : 'I like trains.', usage: { input: 10, output: 12 } };
    },
  });
});
afterAll(() => server.close());

describe('judge checks end to end', () => {
  it('asks the judge model, grades by its verdict and reports judge spend apart', async () => {
    const { env, home } = await isolatedEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrls.openai });
    env.XDG_CACHE_HOME = path.join(home, '.cache');
    const file = path.join(home, 'cases.yaml');
    writeFileSync(file, '- id: autumn\n  prompt: Write a haiku about autumn.\n  expect:\n    - type: judge\n      rubric: A haiku about autumn.\n');
    const out = path.join(home, 'rows.jsonl');
    const r = await mmr(['bench', file, '-m', 'openai:poet', '-m', 'openai:bore', '--judge', 'openai:gpt-4o-mini', '--json', '--out', out, '--no-cache'], {
      env,
    });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.models.map((m: { model: string; passed: number }) => [m.model, m.passed])).toEqual([['openai:poet', 1], ['openai:bore', 0]]);
    // Judge spend (gpt-4o-mini, priced) is kept apart from the models under test (unpriced here).
    expect(doc.judgeCostUsd).toBeGreaterThan(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(2);
    expect(rows.every((x: { judgeCostUsd: number }) => x.judgeCostUsd > 0)).toBe(true);
    expect(rows.find((x: { model: string }) => x.model === 'openai:poet')).toMatchObject({ pass: true });
    const judgeRequests = server.requests.filter((q) => q.model === 'gpt-4o-mini');
    expect(judgeRequests).toHaveLength(2);
    expect(judgeRequests[0].body.messages.at(-1).content).toMatch(/\[Rubric\]\nA haiku about autumn\./);
  });
});
