import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { isolatedEnv, mmr } from '../helpers/cli.js';
import { synthetic } from './synthetic.js';

const KEY = 'sk-learn-test-0123456789';
let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ apiKey: KEY, reply: (req) => ({ text: `answer from ${req.model}`, usage: { input: 5, output: 4 } }) });
});
afterAll(() => server.close());

// The synthetic models, as bench rows of providers mmr knows: openai is usable (key set), anthropic is not.
const NAMES: Record<string, string> = { 'cheap:math': 'openai:cheap-math', 'dear:code': 'anthropic:dear-code', 'mid:both': 'openai:mid-both' };
function benchRows(): string {
  return synthetic().map((o, i) => JSON.stringify({
    caseId: `c${Math.floor(i / 3)}`, where: 'cases.jsonl:1', tags: [], prompt: o.prompt, messages: [{ role: 'user', content: o.prompt }], system: null,
    model: NAMES[o.model], answer: '', pass: o.quality === 1, checks: [{ type: 'equals', pass: o.quality === 1 }], error: null, latencyMs: 900, ttftMs: 200,
    inputTokens: 20, outputTokens: 30, costUsd: o.costUsd, judgeCostUsd: 0, cached: false, attempts: 1,
  })).join('\n');
}
const MATH = 'Compute 321 * 328 and then add 9; what is the total?';
const CODE = 'Write a Python function that handles graphs and returns a sorted result; include tests';

async function trained() {
  const { env, home } = await isolatedEnv({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrls.openai });
  writeFileSync(path.join(home, 'rows.jsonl'), benchRows());
  writeFileSync(path.join(home, 'package.json'), '{"name": "p"}');
  const r = await mmr(['learn', 'rows.jsonl'], { env, timeout: 60_000 });
  return { env, home, r };
}

describe('mmr learn → route → ask (built binary)', () => {
  it('learn prints the cross-validated report and writes .mmr/router.json beside the project', async () => {
    const { home, r } = await trained();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/evidence: 160 prompts \(160 with every model's outcome\), 3 models; 4-fold cross-validation/);
    expect(r.stdout).toMatch(/openai:cheap-math +160 +\d+\.\d% \(/);
    expect(r.stdout).toMatch(/tradeoff 0\.5 +quality/);
    expect(r.stdout).toMatch(/area under the quality–cost curve: [\d.]+ vs zero-router [\d.]+ \(\+/);
    expect(r.stderr).toMatch(/rows\.jsonl: 480 bench rows/);
    expect(r.stderr).toMatch(/wrote \.mmr\/router\.json/);
    const doc = JSON.parse(readFileSync(path.join(home, '.mmr/router.json'), 'utf8'));
    expect(doc).toMatchObject({ format: 'mmr-router', version: 2, models: ['anthropic:dear-code', 'openai:cheap-math', 'openai:mid-both'] });
  });

  it('route --batch writes one decision per line, only usable providers win, and --tradeoff moves along the curve', async () => {
    const { env, home } = await trained();
    writeFileSync(path.join(home, 'prompts.jsonl'), [{ id: 'm', prompt: MATH }, { id: 'c', prompt: CODE }, { prompt: 'no id' }].map((x) => JSON.stringify(x)).join('\n') + '\nnot json\n');
    const at = async (t: number) => {
      const r = await mmr(['route', '--batch', 'prompts.jsonl', '--router', '.mmr/router.json', '--tradeoff', String(t)], { env });
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toMatch(/prompts\.jsonl:4: skipped/);
      // Said once, before the decisions: which models the batch cannot choose, and why.
      expect(r.stderr).toMatch(/1 of the learned router's 3 models is not usable here, so it chooses among the other 2: anthropic:dear-code \(ANTHROPIC_API_KEY is not set\)\n/);
      return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    };
    const best = await at(1);
    expect(best.map((d) => d.id)).toEqual(['m', 'c', 3]);
    expect(best[0]).toMatchObject({ source: 'learned', models: ['openai:cheap-math'], category: 'math', learned: { tradeoff: 1 } });
    // dear-code would win on code, but anthropic has no key here: the best usable model is chosen, and the reason says why.
    expect(best[1].models).toEqual(['openai:mid-both']);
    expect(best[1].learned.candidates.find((c: { model: string }) => c.model === 'anthropic:dear-code')).toMatchObject({ usable: false, unusable: 'ANTHROPIC_API_KEY is not set' });
    const cheap = await at(0);
    expect(cheap[1].models).toEqual(['openai:cheap-math']);
    // With the key set, the dear model wins the code prompt at T=1.
    const r = await mmr(['route', '--json', '--router', '.mmr/router.json', '--tradeoff', '1', CODE], { env: { ...env, ANTHROPIC_API_KEY: 'x' } });
    expect(JSON.parse(r.stdout)).toMatchObject({ source: 'learned', models: ['anthropic:dear-code'] });
    expect(r.stderr).not.toMatch(/usable/);
  });

  it('route --batch streams a long batch in input order, and with no usable model decides as if all were', async () => {
    const { env, home } = await trained();
    // Enough prompts that the output is written in several pieces; every line whole, none lost or reordered.
    const items = Array.from({ length: 600 }, (_, i) => ({ id: `p${i}`, prompt: i % 2 ? `${MATH} (${i})` : `${CODE} number ${i}` }));
    writeFileSync(path.join(home, 'many.jsonl'), `${items.map((x) => JSON.stringify(x)).join('\r\n')}\r\n`);
    const r = await mmr(['route', '--batch', 'many.jsonl', '--router', '.mmr/router.json', '--tradeoff', '1'], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(300 * 1024);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((d) => d.id)).toEqual(items.map((x) => x.id));
    expect(lines[1]).toMatchObject({ source: 'learned', models: ['openai:cheap-math'] });
    // No key at all: nothing is usable, and the dry run still shows each prompt's choice (once, with a note).
    const noKey = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('OPENAI_')));
    const none = await mmr(['route', '--batch', 'many.jsonl', '--router', '.mmr/router.json', '--tradeoff', '1'], { env: noKey });
    const d = JSON.parse(none.stdout.split('\n')[0]);
    expect(d.source).toBe('learned');
    expect(d.learned.candidates).toHaveLength(3);
    for (const k of d.learned.candidates) expect(k).toMatchObject({ usable: false, unusable: expect.stringMatching(/\S/) });
    expect(d.reason).toMatch(/none of its models is usable here, so this shows the choice as if all were/);
    expect(none.stderr.match(/usable here/g)).toHaveLength(1);
    expect(none.stderr).toMatch(/none of the learned router's 3 models is usable here \(anthropic:dear-code \(ANTHROPIC_API_KEY is not set\), openai:cheap-math \(OPENAI_API_KEY is not set\), openai:mid-both \(OPENAI_API_KEY is not set\)\): decisions show its choice as if all were/);
    expect(d.models).toEqual(['anthropic:dear-code']);
  });

  it('config learned: routes ask after the rules, and a rule still wins', async () => {
    const { env, home } = await trained();
    writeFileSync(path.join(home, '.routerrc.yaml'), 'learned:\n  file: .mmr/router.json\n  tradeoff: 1\nrules:\n  - name: sql\n    when: {keywords: [sql]}\n    use: openai:sql-model\n');
    const a = await mmr(['ask', '--json', MATH], { env });
    expect(a.exitCode).toBe(0);
    const doc = JSON.parse(a.stdout);
    expect(doc.routing).toMatchObject({ source: 'learned', models: ['openai:cheap-math'], learned: { tradeoff: 1 } });
    expect(doc.results[0].text).toBe('answer from cheap-math');
    const rule = await mmr(['ask', 'write an SQL query'], { env });
    expect(rule.stdout).toBe('answer from sql-model');
    const text = await mmr(['route', MATH], { env });
    expect(text.stdout).toMatch(/✖ sql: keywords any \[sql\]/);
    expect(text.stdout).toMatch(/learned +\S*router\.json · tradeoff 1/);
    expect(text.stdout).toMatch(/→ openai:cheap-math/);
  });

  it('a missing configured router file warns and falls back; a missing --router file is an error', async () => {
    const { env, home } = await isolatedEnv({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrls.openai });
    writeFileSync(path.join(home, '.routerrc.yaml'), 'default: [openai:fallback]\nlearned: {file: nowhere.json}\n');
    const a = await mmr(['ask', 'hello'], { env });
    expect(a.stdout).toBe('answer from fallback');
    expect(a.stderr).toMatch(/learned router not used: router file .*nowhere\.json: no such file/);
    const b = await mmr(['route', '--router', 'missing.json', 'hello'], { env });
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/router file .*missing\.json: no such file/);
    expect(existsSync(path.join(home, '.mmr'))).toBe(false);
  });

  it('learns from the vote log with --votes, and the leaderboard marks blind votes and counts "none good" against all', async () => {
    const { env, home } = await isolatedEnv({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrls.openai });
    const votes = Array.from({ length: 60 }, (_, i) => {
      const math = i % 2 === 0;
      const prompt = math ? `Compute ${100 + i} * ${7 + i} exactly` : `Write a Python function number ${i} that parses dates`;
      const winner = i % 10 === 9 ? null : math ? 'openai:cheap-math' : 'openai:mid-both';
      const results = ['openai:cheap-math', 'openai:mid-both'].map((model) => ({ model, costUsd: model === 'openai:cheap-math' ? 0.001 : 0.004, latencyMs: 900, ttftMs: 100, outputTokens: 40, error: null }));
      const v1 = { time: '2026-01-01T00:00:00Z', prompt, models: ['openai:cheap-math', 'openai:mid-both'], winner, blind: i % 3 === 0, results };
      return JSON.stringify(i % 4 === 0 ? { ...v1, v: 2, conversation: `c${i}`, turn: 1, system: null, context: [] } : v1);
    });
    const dir = path.join(home, '.local/share/mmr');
    (await import('node:fs')).mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'votes.jsonl'), `${votes.join('\n')}\n{"prompt": null}\n`);
    const r = await mmr(['learn', '--votes', '--out', 'router.json'], { env, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/votes\.jsonl: 60 votes/);
    expect(r.stderr).toMatch(/1 line skipped: not evidence/);
    const d = await mmr(['route', '--json', '--router', 'router.json', '--tradeoff', '1', 'Compute 321 * 17 exactly'], { env });
    expect(JSON.parse(d.stdout).models).toEqual(['openai:cheap-math']);
    const lb = await mmr(['leaderboard', '--json'], { env });
    const board = JSON.parse(lb.stdout);
    expect(board.fromVotes).toBe(54 + 12); // 54 votes with a winner (one game each), 6 "none good" (a loss for both)
    expect(board.fromBlind).toBeGreaterThan(0);
    expect(board.overall.map((x: { model: string }) => x.model).sort()).toEqual(['openai:cheap-math', 'openai:mid-both']);
    const text = await mmr(['leaderboard'], { env });
    expect(text.stdout).toMatch(/\d+ blind/);
  });

  it('leaderboard rates bench pairs; learn refuses evidence it cannot learn from', async () => {
    const { env, home } = await trained();
    const lb = await mmr(['leaderboard', 'rows.jsonl', '--no-votes', '--json'], { env });
    expect(lb.exitCode).toBe(0);
    const board = JSON.parse(lb.stdout);
    expect(board.overall.map((r: { model: string }) => r.model)).toContain('openai:cheap-math');
    expect(board.fromBench).toBe(480);
    writeFileSync(path.join(home, 'one.jsonl'), JSON.stringify({ prompt: 'p', model: 'a:b', quality: 1 }));
    const bad = await mmr(['learn', 'one.jsonl'], { env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/not enough evidence to learn from: 1 prompt and 1 model/);
  });
});
