import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planCases, shardOf } from '../../src/bench/plan.js';
import type { BenchCase } from '../../src/bench/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mmr-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'cases.jsonl');
writeFileSync(file, Array.from({ length: 40 }, (_, i) => JSON.stringify(i % 5 === 0 ? { id: `c${i}`, turns: ['a', 'b'] } : { id: `c${i}`, prompt: `q${i}` })).join('\n'));

async function streamed(s: Iterable<BenchCase> | AsyncIterable<BenchCase>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of s) out.push(c.id);
  return out;
}

describe('planCases', () => {
  // keep 1000: the cases are kept (ids made on demand); keep 10: they stop being kept part-way.
  for (const keep of [1000, 10]) {
    it(`the ids and cases taken are the same whether the cases are kept or streamed again (keep ${keep})`, async () => {
      const all = await planCases([file], dir, {}, {}, undefined, keep);
      const ids = Array.from({ length: 40 }, (_, i) => `c${i}`);
      expect([...all.ids]).toEqual(ids);
      expect(all.ids.size).toBe(40);
      expect(await streamed(all.stream())).toEqual(ids);
      expect([all.read, all.cases, all.turns, all.multiTurn.size]).toEqual([40, 40, 48, 8]);
      // q1…q39 less the multi-turn ones (88 chars), and each two-turn case sends "a", then "a" + "b" (3).
      expect([all.promptChars, all.resentAnswers]).toEqual([88 + 8 * 3, 8]);
      // --system counts once per request: twice for a two-turn case.
      const withSystem = await planCases([file], dir, {}, { system: 'SYS' }, undefined, keep);
      expect(withSystem.promptChars).toBe(88 + 8 * 3 + 32 * 3 + 8 * 6);

      const limited = await planCases([file], dir, { limit: 15 }, {}, undefined, keep);
      expect([...limited.ids]).toEqual(ids.slice(0, 15));
      expect(await streamed(limited.stream())).toEqual(ids.slice(0, 15));

      const shard = { index: 2, count: 3 };
      const sharded = await planCases([file], dir, { shard }, {}, undefined, keep);
      const mine = ids.filter((id) => shardOf(id, 3) === 2);
      expect(mine.length).toBeGreaterThan(5);
      expect([...sharded.ids]).toEqual(mine);
      expect(await streamed(sharded.stream())).toEqual(mine);
    });
  }
});
