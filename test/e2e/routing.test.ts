import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { isolatedEnv, mmr } from '../helpers/cli.js';

const KEY = 'sk-routing-test-0123456789';
let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({
    apiKey: KEY,
    reply: (req) =>
      req.model === 'down'
        ? { status: 503, errorMessage: 'The server is overloaded' }
        : { text: `answer from ${req.model}`, usage: { input: 5, output: 4 } },
  });
});
afterAll(() => server.close());

async function project(config: string) {
  const { env, home } = await isolatedEnv({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrls.openai });
  writeFileSync(path.join(home, '.routerrc.yaml'), config);
  return env;
}

const CONFIG = `aliases:
  coder: openai:coder
  cheap: openai:cheap
default: [cheap]
retries:
  maxRetries: 0
rules:
  - name: sql
    when:
      keywords: [sql, query]
    use: openai:down
    fallback: [coder]
  - name: math
    when:
      category: math
    use: coder
`;

describe('routing at run time', () => {
  it('routes a piped prompt by the first matching rule and prints only the answer', async () => {
    const env = await project(CONFIG);
    const r = await mmr(['ask', 'What is 17 * 23? Show the arithmetic.'], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('answer from coder');
    const d = await mmr(['ask', 'tell me a joke about cats'], { env });
    expect(d.stdout).toBe('answer from cheap');
  });

  it('falls back when the routed model is unavailable, and says which model answered and why', async () => {
    const env = await project(CONFIG);
    const r = await mmr(['ask', 'write an SQL query for top customers'], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('answer from coder');
    expect(r.stderr).toMatch(/↪ openai:down unavailable \(.*overloaded.*\); openai:coder answers instead/);
    const j = await mmr(['ask', '--json', 'write an SQL query for top customers'], { env });
    const doc = JSON.parse(j.stdout);
    expect(doc.routing).toMatchObject({ source: 'rule', rule: 'sql', models: ['openai:down'], fallback: ['coder'] });
    expect(doc.routing.matched.join(' ')).toMatch(/sql/);
    expect(doc.results[0]).toMatchObject({ model: 'openai:coder', text: 'answer from coder', fallbackFrom: [{ model: 'openai:down', status: 503 }] });
  });

  it("refuses to call a model whose estimated cost exceeds the rule's maxCostUsd", async () => {
    const env = await project('rules:\n  - name: capped\n    when:\n      keywords: [essay]\n    use: openai:gpt-4o\n    maxCostUsd: 0.001\n');
    const before = server.requests.length;
    const r = await mmr(['ask', '--json', '--max-tokens', '4000', 'write an essay'], { env });
    expect(r.exitCode).toBe(3);
    expect(JSON.parse(r.stdout).results[0].error.message).toMatch(/exceeds the rule's maxCostUsd \$0\.001; not sent/);
    expect(server.requests.length).toBe(before);
    const ok = await mmr(['ask', '--max-tokens', '10', 'write an essay'], { env });
    expect(ok.stdout).toBe('answer from gpt-4o');
  });

  it('lets -m override every rule, and says so in --json', async () => {
    const env = await project(CONFIG);
    const r = await mmr(['ask', '--json', '-m', 'cheap', 'an SQL query please'], { env });
    const doc = JSON.parse(r.stdout);
    expect(doc.routing.source).toBe('override');
    expect(doc.results[0].text).toBe('answer from cheap');
  });

  it('reports a rule that names an unknown model as a config error naming the rule', async () => {
    const env = await project('rules:\n  - name: broken\n    when:\n      keywords: [x]\n    use: nosuch:model\n');
    const r = await mmr(['ask', 'x marks the spot'], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/broken/);
    expect(r.stderr).toMatch(/nosuch/);
  });
});
