/**
 * Every way `mmr bench` can end, against the built binary and the project's local provider
 * server: each ends with its summary and every finished row on disk, and a distinct exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockReply, type MockRequestInfo, type MockServer } from '../../src/mock-server/index.js';
import { isolatedEnv, mmr } from '../helpers/cli.js';

let server: MockServer;
const LONG = 'The answer is 42. '.repeat(20);

function reply(req: MockRequestInfo): MockReply {
  const q: string = req.body?.messages?.at(-1)?.content ?? '';
  if (req.model === 'no-key') return { status: 401, errorMessage: 'Incorrect API key provided: sk-te***' };
  if (req.model === 'busy') return { status: 529, errorMessage: 'Overloaded' };
  if (req.model === 'evil') return { status: 400, errorMessage: 'bad \u001b]52;c;aGk=\u0007request\u001b[2J' };
  if (req.model === 'flaky-server' && /#1\b|#3\b/.test(q)) return { status: 400, errorMessage: 'nope for now' };
  if (req.model === 'long') return { text: LONG, usage: { input: 10, output: 60 } };
  return { text: 'The answer is 42.', usage: { input: 10, output: 5 } };
}

beforeAll(async () => {
  server = await startMockServer({ reply });
});
afterAll(() => server.close());

async function setup(n: number, extra: Record<string, string> = {}) {
  const { env, home } = await isolatedEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrls.openai, ...extra });
  env.XDG_CACHE_HOME = path.join(home, '.cache');
  const file = path.join(home, 'cases.jsonl');
  writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `What is 6 times 7? #${i}`, expect: [{ type: 'number', value: 42 }] })).join('\n') + '\n');
  return { env, home, file, out: path.join(home, 'rows.jsonl') };
}
const rowsOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('mmr bench ends correctly (built binary)', () => {
  it('a fully cached re-run with --out keeps every row and prints its summary (was: exit 13, empty file)', async () => {
    const { env, file, out } = await setup(400);
    const args = ['bench', file, '-m', 'openai:long', '--out', out, '--json'];
    const first = await mmr(args, { env });
    expect(first.exitCode).toBe(0);
    expect(rowsOf(out)).toHaveLength(400);
    const before = server.requests.length;
    const again = await mmr(args, { env });
    expect(again.stderr).toBe('');
    expect(again.exitCode).toBe(0);
    expect(server.requests.length).toBe(before);
    const rows = rowsOf(out);
    expect(rows).toHaveLength(400);
    expect(rows.every((r) => r.cached === true && r.answer === LONG)).toBe(true);
    expect(JSON.parse(again.stdout).models[0]).toMatchObject({ n: 400, passed: 400, cached: 400 });
    // Rows hold prompts and answers: only the user may read them.
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const cacheDir = path.join(env.XDG_CACHE_HOME, 'mmr/bench');
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    // 400 answers: one segment file, not 400 files.
    const files = readdirSync(cacheDir);
    expect(files).toHaveLength(1);
    expect(statSync(path.join(cacheDir, files[0])).mode & 0o777).toBe(0o600);
  });

  it('-j 128 --no-cache --out on 2,000 cases writes all 2,000 rows', async () => {
    const { env, file, out } = await setup(2000);
    const r = await mmr(['bench', file, '-m', 'openai:long', '-j', '128', '--no-cache', '--out', out, '--json'], { env, timeout: 60_000 });
    expect(r.exitCode).toBe(0);
    const rows = rowsOf(out);
    expect(rows).toHaveLength(2000);
    expect(new Set(rows.map((x) => x.caseId)).size).toBe(2000);
    expect(JSON.parse(r.stdout).models[0]).toMatchObject({ n: 2000, passed: 2000, errors: 0 });
  }, 90_000);

  it('models failing every call (401, 529): exit 3, errors by kind with an example, no latency from failures', async () => {
    const { env, file, out } = await setup(4);
    const r = await mmr(['bench', file, '-m', 'openai:no-key', '-m', 'openai:busy', '--no-cache', '--retries', '0', '--out', out], { env });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain('Errors (by kind, with the first message):');
    expect(r.stdout).toMatch(/openai:no-key: 4 × auth \(HTTP 401\): .*Incorrect API key/);
    expect(r.stdout).toMatch(/openai:busy: 4 × overloaded \(HTTP 529\): .*Overloaded/);
    // mean, p50, p95, ttft are unknown: no call answered.
    expect(r.stdout).toMatch(/openai:no-key\s+0\/4 0% \[0–\d+\]\s+4\s+4\s+—\s+—\s+—\s+—/);
    const rows = rowsOf(out);
    expect(rows).toHaveLength(8);
    expect(rows.every((x) => x.error && x.costUsd === 0)).toBe(true);
  });

  it('some calls errored: exit 4, and the summary says which and why', async () => {
    const { env, file } = await setup(4);
    const r = await mmr(['bench', file, '-m', 'openai:ok', '-m', 'openai:flaky-server', '--no-cache', '--retries', '0', '--json'], { env });
    expect(r.exitCode).toBe(4);
    const doc = JSON.parse(r.stdout);
    expect(doc.models[1]).toMatchObject({ model: 'openai:flaky-server', n: 4, errors: 2, errorKinds: [{ kind: 'bad-request', count: 2, status: 400 }] });
    expect(doc.models[1].errorKinds[0].example).toContain('nope for now');
  });

  it('error messages from a server cannot drive the terminal', async () => {
    const { env, file } = await setup(1);
    const r = await mmr(['bench', file, '-m', 'openai:evil', '--no-cache', '--retries', '0'], { env });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain('request');
    expect(r.stdout).not.toMatch(/\u001b/);
    expect(r.stdout).not.toMatch(/\u0007/);
  });

  it('a corrupt cache entry is skipped with one counted warning, never a crash (was: exit 70)', async () => {
    const { env, file } = await setup(3);
    const args = ['bench', file, '-m', 'openai:ok', '--json'];
    expect((await mmr(args, { env })).exitCode).toBe(0);
    const dir = path.join(env.XDG_CACHE_HOME, 'mmr/bench');
    // Damage every entry's value, keeping each record's key: the entries are found, and refused.
    for (const f of readdirSync(dir)) {
      const lines = readFileSync(path.join(dir, f), 'utf8').trim().split('\n');
      writeFileSync(path.join(dir, f), lines.map((l, n) => l.replace(/"v":.*$/, n % 2 ? '"v":not json{}' : '"v":{"costUsd":"lots"}}')).join('\n') + '\n');
    }
    const before = server.requests.length;
    const r = await mmr(args, { env });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('mmr: skipped 3 corrupt cache entries (asked the model again)');
    expect(server.requests.length).toBe(before + 3);
    expect(JSON.parse(r.stdout).models[0]).toMatchObject({ passed: 3, cached: 0 });
  });

  it('the cache key includes the server: another base URL never returns the old answers', async () => {
    const other = await startMockServer({ reply: () => ({ text: 'The answer is 41.', usage: { input: 1, output: 1 } }) });
    try {
      const { env, file } = await setup(2);
      const args = ['bench', file, '-m', 'openai:ok', '--json'];
      expect(JSON.parse((await mmr(args, { env })).stdout).models[0].passed).toBe(2);
      const moved = await mmr(args, { env: { ...env, OPENAI_BASE_URL: other.baseUrls.openai } });
      expect(JSON.parse(moved.stdout).models[0]).toMatchObject({ passed: 0, cached: 0 });
      expect(other.requests).toHaveLength(2);
    } finally {
      await other.close();
    }
  });

  it('--out into a directory that does not exist creates it 0700; an unwritable --out is exit 2', async () => {
    const { env, home, file } = await setup(1);
    const out = path.join(home, 'runs/today/rows.jsonl');
    const r = await mmr(['bench', file, '-m', 'openai:ok', '--out', out], { env });
    expect(r.exitCode).toBe(0);
    expect(statSync(path.join(home, 'runs/today')).mode & 0o777).toBe(0o700);
    mkdirSync(path.join(home, 'adir'));
    const bad = await mmr(['bench', file, '-m', 'openai:ok', '--out', path.join(home, 'adir')], { env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('cannot write --out');
  });
});
