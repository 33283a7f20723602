import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockReply, type MockRequestInfo, type MockServer } from '../../src/mock-server/index.js';
import { isolatedEnv, mmr, root } from '../helpers/cli.js';

let server: MockServer;
const fixtures = path.join(root, 'fixtures/bench');

/** `gpt-4o-mini` answers right, `gpt-4.1-nano` answers wrong, `broken` fails: checks pass or fail deterministically. */
function script(req: MockRequestInfo): MockReply {
  const q: string = req.body?.messages?.at(-1)?.content ?? '';
  if (req.model === 'broken') return { status: 400, errorMessage: 'bad model' };
  if (req.model === 'gpt-4.1-nano') return { text: 'no idea', usage: { input: 10, output: 2 } };
  const answers: [RegExp, string][] = [[/6 times 7/, 'It is 42.'], [/1,250/, 'Total: $1,300'], [/Half of 9/, '4.5'], [/capital/, 'Paris'], [/eggs/, '$72'], [/JSON/, '{"name":"Ada","age":36}'], [/hello/, 'Hello.']];
  return { text: answers.find(([re]) => re.test(q))?.[1] ?? 'ok', usage: { input: 10, output: 4 }, headerDelayMs: 5 };
}

beforeAll(async () => {
  server = await startMockServer({ reply: script });
});
afterAll(() => server.close());

const envFor = () => isolatedEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrls.openai, XDG_CACHE_HOME: '' });

describe('mmr bench (built binary, local provider server)', () => {
  it('runs files × models, prints JSON, streams rows, then serves a re-run from the cache', async () => {
    const { env, home } = await envFor();
    env.XDG_CACHE_HOME = path.join(home, '.cache');
    const out = path.join(home, 'rows.jsonl');
    const args = ['bench', path.join(fixtures, 'math.jsonl'), path.join(fixtures, 'basics.yaml'), '-m', 'openai:gpt-4o-mini', '-m', 'openai:gpt-4.1-nano', '--json', '--out', out];
    const r = await mmr(args, { env });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.models.map((m: { model: string; passed: number; graded: number }) => [m.model, m.passed, m.graded])).toEqual([['openai:gpt-4o-mini', 7, 7], ['openai:gpt-4.1-nano', 0, 7]]);
    expect(doc.frontier.map((p: { model: string }) => p.model)).toEqual(['openai:gpt-4.1-nano', 'openai:gpt-4o-mini']);
    expect(doc.disagreements.total).toBe(7);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(14);
    const m1 = rows.find((x) => x.caseId === 'm1' && x.model === 'openai:gpt-4o-mini');
    expect(m1).toMatchObject({ answer: 'It is 42.', pass: true, cached: false, inputTokens: 10, outputTokens: 4 });
    // Rows alone are evidence routing can learn from: they carry what was asked.
    expect(m1).toMatchObject({ prompt: 'What is 6 times 7?', messages: [{ role: 'user', content: 'What is 6 times 7?' }], system: null });
    expect(m1.costUsd).toBeGreaterThan(0);
    const before = server.requests.length;

    const again = await mmr(args, { env });
    expect(again.exitCode).toBe(0);
    expect(server.requests.length).toBe(before);
    const cachedRows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const m1again = cachedRows.find((x) => x.caseId === 'm1' && x.model === 'openai:gpt-4o-mini');
    expect(m1again).toMatchObject({ cached: true, latencyMs: m1.latencyMs, costUsd: m1.costUsd });
    expect(JSON.parse(again.stdout).spentUsd).toBe(0);

    const fresh = await mmr([...args, '--no-cache'], { env });
    expect(fresh.exitCode).toBe(0);
    expect(server.requests.length).toBe(before + 14);
    const clear = await mmr(['cache', 'clear'], { env });
    expect(clear.exitCode).toBe(0);
    expect(clear.stderr).toContain(path.join(home, '.cache/mmr/bench'));
    expect(existsSync(path.join(home, '.cache/mmr/bench'))).toBe(false);
  });

  it('table output with tags and Pareto; --threshold exits 1; errors are rows, not crashes', async () => {
    const { env } = await envFor();
    const r = await mmr(['bench', path.join(fixtures, 'math.jsonl'), '-m', 'openai:gpt-4o-mini', '-m', 'openai:broken', '--no-cache', '--retries', '0', '--threshold', '90'], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/openai:gpt-4o-mini\s+3\/3 100%/);
    expect(r.stdout).toMatch(/openai:broken\s+0\/3 0% \[0–56\]\s+3\s+3/);
    expect(r.stdout).toContain('By tag:');
    expect(r.stderr).toContain('below --threshold 90%: openai:broken 0%');
  });

  it('--write-rules saves the suggested rule per tag through the rule writer', async () => {
    const { env, home } = await envFor();
    // A rule needs at least 20 cases behind it (src/learn/suggest.ts): 3 are not enough.
    const few = await mmr(['bench', path.join(fixtures, 'math.jsonl'), '-m', 'openai:gpt-4.1-nano', '-m', 'openai:gpt-4o-mini', '--no-cache', '--write-rules', '--format', 'md'], { env });
    expect(few.exitCode).toBe(0);
    expect(existsSync(path.join(home, '.routerrc.yaml'))).toBe(false);
    const many = Array.from({ length: 24 }, (_, k) => JSON.stringify({ id: `m${k}`, prompt: `Case ${k}: what is 6 times 7?`, tags: ['math'], expect: [{ type: 'number', value: 42 }] }));
    writeFileSync(path.join(home, 'many.jsonl'), `${many.join('\n')}\n`);
    const r = await mmr(['bench', 'many.jsonl', '-m', 'openai:gpt-4.1-nano', '-m', 'openai:gpt-4o-mini', '--no-cache', '--write-rules', '--format', 'md'], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('| model | pass |');
    const cfg = readFileSync(path.join(home, '.routerrc.yaml'), 'utf8');
    expect(cfg).toContain('bench-math');
    expect(cfg).toContain('openai:gpt-4o-mini');
    const route = await mmr(['route', '--json', 'Solve for x: 3x + 5 = 20. What is x?'], { env });
    expect(JSON.parse(route.stdout)).toMatchObject({ source: 'rule', rule: 'bench-math', models: ['openai:gpt-4o-mini'] });
  });

  it('a bad prompt file exits 2 naming the file and line; --max-cost prints an estimate', async () => {
    const { env, home } = await envFor();
    writeFileSync(path.join(home, 'bad.yaml'), '- prompt: ok\n- prompt: also\n  expect: [{type: number, value: x}]\n');
    const bad = await mmr(['bench', 'bad.yaml', '-m', 'openai:gpt-4o-mini'], { env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('bad.yaml:2: check "number" needs a numeric "value"');
    const est = await mmr(['bench', path.join(fixtures, 'math.jsonl'), '-m', 'openai:gpt-4o-mini', '--no-cache', '--max-cost', '5', '--max-tokens', '100'], { env });
    expect(est.exitCode).toBe(0);
    expect(est.stderr).toMatch(/estimated cost \$0\.\d+ for 3 calls \(cap \$5\.00\)/);
  });
});
