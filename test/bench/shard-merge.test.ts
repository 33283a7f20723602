/**
 * `--shard I/N` and `mmr bench merge` through the built binary: shards partition the cases, and
 * merging rows gives exactly the summary one run over the same rows gives, whatever files they
 * are split into and in whatever order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockReply, type MockRequestInfo, type MockServer } from '../../src/mock-server/index.js';
import { shardOf } from '../../src/bench/plan.js';
import { isolatedEnv, mmr } from '../helpers/cli.js';

let server: MockServer;
function reply(req: MockRequestInfo): MockReply {
  const q: string = req.body.messages.at(-1).content;
  const n = Number(/(\d+)/.exec(q)?.[1] ?? 0);
  if (req.model === 'broken' && n % 7 === 0) return { status: 400, errorMessage: `no case ${n}` };
  if (req.model === 'broken' && n % 11 === 0) return { status: 429, errorMessage: `slow down ${n}`, headers: { 'retry-after': '0' } };
  const right = req.model === 'good' ? n % 5 !== 0 : n % 3 !== 0;
  return { text: right ? `The answer is ${n * 2}.` : 'I do not know.', usage: { input: 20 + (n % 9), output: 5 + (n % 4) }, headerDelayMs: n % 3 };
}
beforeAll(async () => {
  server = await startMockServer({ reply });
});
afterAll(() => server.close());

async function setup() {
  const { env, home } = await isolatedEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrls.openai });
  env.XDG_CACHE_HOME = path.join(home, '.cache');
  const cases = path.join(home, 'cases.jsonl');
  const lines = Array.from({ length: 60 }, (_, i) =>
    JSON.stringify(
      i % 10 === 9
        ? { id: `conv${i}`, tags: ['chat'], turns: [`Say ${i}`, { prompt: `Double ${i}?`, expect: [{ type: 'number', value: i * 2 }] }] }
        : { id: `q${i}`, tags: [i % 2 ? 'odd' : 'even', 'math'], prompt: `What is ${i} doubled?`, expect: [{ type: 'number', value: i * 2 }] },
    ),
  );
  writeFileSync(cases, `${lines.join('\n')}\n`);
  return { env, home, cases };
}
const models = ['-m', 'openai:good', '-m', 'openai:meh', '-m', 'openai:broken'];
const rowsOf = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const withoutWall = (doc: Record<string, unknown>) => ({ ...doc, wallMs: 0 });

describe('--shard and mmr bench merge', () => {
  it('merging a run\'s rows, split and shuffled into files, prints exactly the summary the run printed', async () => {
    const { env, home, cases } = await setup();
    const all = path.join(home, 'all.jsonl');
    const single = await mmr(['bench', cases, ...models, '--no-cache', '--retries', '0', '--json', '--out', all], { env, timeout: 60_000 });
    expect(single.exitCode, single.stderr).toBe(4); // some calls errored
    const doc = JSON.parse(single.stdout);
    expect(doc.models.map((m: { errors: number }) => m.errors)[2]).toBeGreaterThan(0);
    expect(doc.disagreements.total).toBeGreaterThan(0);
    const rows = rowsOf(all);
    // Three files by shard, each in reverse order: the merge must not depend on either.
    const parts = [1, 2, 3].map((i) => path.join(home, `part-${i}.jsonl`));
    parts.forEach((p, i) => writeFileSync(p, rows.filter((r) => shardOf(r.caseId, 3) === i + 1).reverse().map((r) => JSON.stringify(r)).join('\n') + '\n'));
    const merged = await mmr(['bench', 'merge', ...parts.reverse(), '--json'], { env });
    expect(merged.exitCode, merged.stderr).toBe(4);
    expect(merged.stderr).toBe('');
    expect(withoutWall(JSON.parse(merged.stdout))).toEqual(withoutWall(doc));

    const tableRun = await mmr(['report', all, '--no-tui'], { env });
    const tableMerged = await mmr(['bench', 'merge', path.join(home, 'part-*.jsonl')], { env });
    expect(tableMerged.stdout).toBe(tableRun.stdout);
    expect(tableMerged.stdout).toMatch(/Disagreements \(\d+ cases, first 10\)/);

    // The same rows in two files (a shard copied twice): they count once, and the merge says so.
    const copy = path.join(home, 'copy.jsonl');
    writeFileSync(copy, readFileSync(parts[0]));
    const twice = await mmr(['bench', 'merge', parts[0], copy, parts[1], parts[2], '--json', '--out', path.join(home, 'merged.jsonl')], { env });
    expect(twice.stderr).toMatch(/skipped \d+ duplicate rows \(the same case, model, turn and sample in more than one file\)/);
    expect(withoutWall(JSON.parse(twice.stdout))).toEqual(withoutWall(doc));
    expect(rowsOf(path.join(home, 'merged.jsonl'))).toHaveLength(rows.length);
  });

  it('shards partition the cases: every case runs in exactly one, and their merge covers the whole run', async () => {
    const { env, home, cases } = await setup();
    const outs: string[] = [];
    const runs = await Promise.all(
      [1, 2, 3].map((i) => {
        const out = path.join(home, `rows-${i}.jsonl`);
        outs.push(out);
        return mmr(['bench', cases, ...models, '--no-cache', '--retries', '0', '--shard', `${i}/3`, '--json', '--out', out], { env, timeout: 60_000 });
      }),
    );
    const ids = outs.map((o) => new Set(rowsOf(o).map((r) => r.caseId)));
    runs.forEach((r, i) => expect(r.stderr).toContain(`mmr: shard ${i + 1}/3: ${ids[i].size} of 60 cases`));
    const union = new Set(ids.flatMap((s) => [...s]));
    expect(union.size).toBe(60);
    expect(ids.reduce((a, s) => a + s.size, 0)).toBe(60);
    for (const [i, s] of ids.entries()) for (const id of s) expect(shardOf(id, 3)).toBe(i + 1);

    const single = JSON.parse((await mmr(['bench', cases, ...models, '--no-cache', '--retries', '0', '--json'], { env, timeout: 60_000 })).stdout);
    const merged = JSON.parse((await mmr(['bench', 'merge', ...outs, '--json'], { env })).stdout);
    // Timing differs between runs; what was asked and answered does not.
    const counts = (d: { models: Record<string, unknown>[] }) => d.models.map((m) => [m.model, m.n, m.graded, m.passed, m.errors, m.costUsd, m.inputTokens, m.outputTokens]);
    expect(counts(merged)).toEqual(counts(single));
    expect(merged.tags).toEqual(single.tags);
    expect(merged.disagreements).toEqual(single.disagreements);
    expect(merged.cases).toBe(60);
  });

  it('bad --shard values and empty inputs are exit 2 with the flag named', async () => {
    const { env, home, cases } = await setup();
    for (const bad of ['0/3', '4/3', '2', 'a/b', '1/0']) {
      const r = await mmr(['bench', cases, '-m', 'openai:good', '--shard', bad], { env });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`--shard takes I/N with 1 <= I <= N, got "${bad}"`);
    }
    writeFileSync(path.join(home, 'empty.jsonl'), 'not a row\n');
    const empty = await mmr(['bench', 'merge', path.join(home, 'empty.jsonl')], { env });
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/skipped 1 line of .*empty\.jsonl that are not bench rows/);
    expect(empty.stderr).toMatch(/holds? no bench rows/);
    const none = await mmr(['bench', 'merge', path.join(home, 'nothing-*.jsonl')], { env });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no rows file matches');
  });
});
