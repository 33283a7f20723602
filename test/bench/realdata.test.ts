import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { normalizeCase } from '../../src/bench/normalize.js';
import { runBench } from '../../src/bench/runner.js';
import { Summary } from '../../src/bench/summary.js';
import { openSession } from '../../src/session/open.js';
import type { BenchCase, BenchRow } from '../../src/bench/types.js';

// Real prompt sets live beside the project (CI has them); a fresh clone skips these tests.
const shared = path.resolve(import.meta.dirname, '../../../shared/realdata/prompts');
const gsm8k = path.join(shared, 'gsm8k/test_first200.jsonl');
const mtBench = path.join(shared, 'mt_bench/question.jsonl');
const lines = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l, i) => ({ rec: JSON.parse(l), line: i + 1 }));

let server: MockServer;
const answers = new Map<string, string>();
beforeAll(async () => {
  // "right" replies with the reference's final line (#### n), "wrong" with n + 1.
  server = await startMockServer({
    reply: (req) => {
      const q: string = req.body.messages.at(-1).content;
      const n = answers.get(q);
      if (n === undefined) return { text: 'A thoughtful answer.', usage: { input: 50, output: 20 } };
      return { text: req.model === 'right' ? `Step by step...\n#### ${n}` : `The answer is ${Number(n.replace(/,/g, '')) + 1}.`, usage: { input: 80, output: 40 } };
    },
  });
});
afterAll(() => server?.close());

async function run(cases: BenchCase[]) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'mmr-real-'));
  const env = { HOME: cwd, XDG_CONFIG_HOME: path.join(cwd, '.config'), OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrls.openai };
  const session = await openSession({ model: ['openai:right', 'openai:wrong'] }, { env, cwd });
  const summary = new Summary(session.models.map((m) => m.id));
  const rows: BenchRow[] = [];
  await runBench(cases, { models: session.models, options: {}, engine: { ...session.engine, prices: undefined }, concurrency: 16, onRow: (r) => { summary.add(r); rows.push(r); } });
  return { summary, rows };
}

describe.skipIf(!existsSync(gsm8k))('real prompt sets from ../shared', () => {
  it('GSM8K slice: numeric answers graded by the final number', async () => {
    const recs = lines(gsm8k);
    expect(recs.length).toBe(200);
    const cases = recs.map(({ rec, line }) => {
      answers.set(rec.question, rec.numeric_answer);
      return normalizeCase({ id: `gsm8k-${rec.idx}`, prompt: rec.question, tags: ['math'], expect: [{ type: 'number', value: rec.numeric_answer }] }, `gsm8k:${line}`, `gsm8k#${line}`);
    });
    // The reference solutions themselves must grade as correct under the number check.
    const { finalNumber } = await import('../../src/bench/checks.js');
    for (const { rec } of recs) expect(finalNumber(rec.answer)).toBe(Number(rec.numeric_answer.replace(/,/g, '')));
    const { summary } = await run(cases);
    const [right, wrong] = summary.modelStats();
    expect([right.passed, right.graded]).toEqual([200, 200]);
    expect(wrong.passed).toBe(0);
    expect(summary.disagreements().total).toBe(200);
  });

  it.skipIf(!existsSync(mtBench))('MT-Bench: first turns load as cases tagged by category', async () => {
    const cases = lines(mtBench).map(({ rec, line }) =>
      normalizeCase({ id: `mt-${rec.question_id}`, prompt: rec.turns[0], tags: [rec.category], expect: [{ type: 'max-length', value: 20_000 }] }, `mt_bench:${line}`, `mt#${line}`),
    );
    expect(cases.length).toBe(80);
    const { summary, rows } = await run(cases);
    expect(rows).toHaveLength(160);
    expect(new Set(summary.tagStats().map((t) => t.tag)).size).toBe(8);
    expect(summary.modelStats().every((s) => s.passRate === 1)).toBe(true);
  });
});
