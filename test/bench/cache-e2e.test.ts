/**
 * The cache store through the built binary: several `mmr bench` runs writing one cache at once,
 * a run killed mid-write, and `mmr cache stats|prune|clear`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { bin, isolatedEnv, mmr } from '../helpers/cli.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ reply: (req) => ({ text: `Answer to ${req.body.messages.at(-1).content}`, usage: { input: 10, output: 5 }, headerDelayMs: 2 }) });
});
afterAll(() => server.close());

async function setup() {
  const { env, home } = await isolatedEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrls.openai });
  env.XDG_CACHE_HOME = path.join(home, '.cache');
  const cases = (from: number, to: number, name: string) => {
    const file = path.join(home, name);
    writeFileSync(file, Array.from({ length: to - from }, (_, i) => JSON.stringify({ id: `c${from + i}`, prompt: `question ${from + i}` })).join('\n') + '\n');
    return file;
  };
  return { env, home, cases, cacheDir: path.join(env.XDG_CACHE_HOME, 'mmr/bench') };
}
const served = (from: number) => server.requests.length - from;

describe('the bench cache store (built binary)', () => {
  it('four runs writing the cache at once lose nothing: a run over all their cases asks no model', async () => {
    const { env, cases, cacheDir } = await setup();
    // Overlapping slices: 0-150, 100-250, 200-350, 300-450.
    const files = [0, 1, 2, 3].map((i) => cases(i * 100, i * 100 + 150, `part${i}.jsonl`));
    const before = server.requests.length;
    const runs = await Promise.all(files.map((f) => mmr(['bench', f, '-m', 'openai:gpt-4o-mini', '-j', '16', '--json'], { env, timeout: 60_000 })));
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    // Overlaps may be asked twice (the runs were concurrent), never less than once.
    expect(served(before)).toBeGreaterThanOrEqual(450);
    expect(served(before)).toBeLessThanOrEqual(600);
    const all = cases(0, 450, 'all.jsonl');
    const again = server.requests.length;
    const r = await mmr(['bench', all, '-m', 'openai:gpt-4o-mini', '--json'], { env, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(served(again)).toBe(0);
    expect(JSON.parse(r.stdout).models[0]).toMatchObject({ n: 450, cached: 450 });
    // One segment per writing run, no more.
    expect(readdirSync(cacheDir).length).toBeLessThanOrEqual(4);
  });

  it('a run killed mid-write leaves answers the next run reuses, and no corrupt-entry warning', async () => {
    const { env, cases, cacheDir } = await setup();
    const file = cases(0, 3000, 'many.jsonl');
    const child = execa(process.execPath, [bin, 'bench', file, '-m', 'openai:gpt-4o-mini', '-j', '32', '--json'], { env, extendEnv: false, reject: false, stdin: 'ignore' });
    // Wait until the cache has answers on disk, then kill without a chance to flush.
    const deadline = Date.now() + 30_000;
    let bytes = 0;
    while (Date.now() < deadline && bytes < 60_000) {
      await new Promise((r) => setTimeout(r, 25));
      try {
        bytes = readdirSync(cacheDir).reduce((a, f) => a + readFileSync(path.join(cacheDir, f)).length, 0);
      } catch {
        bytes = 0;
      }
    }
    child.kill('SIGKILL');
    await child;
    expect(bytes).toBeGreaterThanOrEqual(60_000);
    const before = server.requests.length;
    const r = await mmr(['bench', file, '-m', 'openai:gpt-4o-mini', '-j', '32', '--json'], { env, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc.models[0].n).toBe(3000);
    expect(doc.models[0].cached).toBeGreaterThan(100);
    expect(served(before)).toBe(3000 - doc.models[0].cached);
  });

  it('with no cache directory (fresh machine, or just cleared) prune and stats say there is nothing, exit 0', async () => {
    const { env, cacheDir } = await setup();
    for (let round = 0; round < 2; round++) {
      const prune = await mmr(['cache', 'prune'], { env });
      expect(prune.exitCode, prune.stderr).toBe(0);
      expect(prune.stdout).toBe(`nothing to prune: no bench cache at ${cacheDir} yet`);
      expect(prune.stderr).toBe('');
      expect(JSON.parse((await mmr(['cache', 'prune', '--json'], { env })).stdout)).toMatchObject({ missing: true, busy: false, kept: 0 });
      const stats = await mmr(['cache', 'stats'], { env });
      expect(stats.exitCode).toBe(0);
      expect(stats.stdout).toMatch(/entries +0 answers \(no cache yet/);
      expect(JSON.parse((await mmr(['cache', 'stats', '--json'], { env })).stdout)).toMatchObject({ exists: false, entries: 0 });
      const clear = await mmr(['cache', 'clear'], { env });
      expect([clear.exitCode, clear.stderr]).toEqual([0, `mmr: the bench cache (${cacheDir}) is already empty`]);
    }
  });

  it('stats, prune and clear', async () => {
    const { env, cases } = await setup();
    const file = cases(0, 40, 'some.jsonl');
    for (const model of ['openai:gpt-4o-mini', 'openai:gpt-4.1-nano']) expect((await mmr(['bench', file, '-m', model], { env })).exitCode).toBe(0);
    const stats = await mmr(['cache', 'stats', '--json'], { env });
    expect(stats.exitCode).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ entries: 80, segments: 2, corrupt: 0, torn: 0, openSegments: 0 });
    const text = await mmr(['cache', 'stats'], { env });
    expect(text.stdout).toMatch(/entries +80 answers \([\d.]+ KB in 2 segment files\)/);

    const bad = await mmr(['cache', 'prune', '--older-than', '30'], { env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--older-than takes a duration such as 30s, 10m, 12h or 30d, got "30"/);
    const kept = await mmr(['cache', 'prune', '--older-than', '1d', '--json'], { env });
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout)).toMatchObject({ merged: 2, kept: 80, expired: 0 });
    expect(JSON.parse((await mmr(['cache', 'stats', '--json'], { env })).stdout)).toMatchObject({ entries: 80, segments: 1 });
    // Still served from the cache after compaction.
    const before = server.requests.length;
    expect(JSON.parse((await mmr(['bench', file, '-m', 'openai:gpt-4o-mini', '--json'], { env })).stdout).models[0].cached).toBe(40);
    expect(served(before)).toBe(0);

    const clear = await mmr(['cache', 'clear'], { env });
    expect(clear.exitCode).toBe(0);
    expect(clear.stderr).toMatch(/cleared the bench cache \(.*: 1 file, [\d.]+ KB\)/);
    expect(JSON.parse((await mmr(['cache', 'stats', '--json'], { env })).stdout)).toMatchObject({ entries: 0, segments: 0 });
    // Right after a clear there is no directory: an empty cache, not a busy one.
    const after = await mmr(['cache', 'prune'], { env });
    expect([after.exitCode, after.stdout]).toEqual([0, expect.stringMatching(/^nothing to prune/)]);
  });
});
