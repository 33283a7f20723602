import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simpleCase } from '../../src/bench/case-fast.js';
import { loadPromptFile } from '../../src/bench/load.js';
import { normalizeCase } from '../../src/bench/normalize.js';

/** What either path gives: the case, or the error's message. */
function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (err) {
    return { error: (err as Error).message, name: (err as Error).name };
  }
}

// The fast path's shapes, and shapes next to them that it must hand to the general path.
const RAWS: unknown[] = [
  { prompt: 'Hi' },
  { prompt: '' },
  { id: 'a', prompt: 'Hi' },
  { id: '', prompt: 'Hi' },
  { prompt: 'Hi', id: 'late-id' },
  { id: 'a', prompt: 'Hi', expect: [{ type: 'number', value: '1,200' }, 'plain', { type: 'icontains', value: ['x', 'y'] }] },
  { id: 'a', prompt: 'Hi', expect: { type: 'regex', value: '^a', flags: 'i' } },
  { id: 'a', prompt: 'Hi', expect: [] },
  { id: 'a', prompt: 'Hi', tags: ['x', '', 'y', 'x'] },
  { id: 'a', prompt: 'Hi', tags: 'solo' },
  { id: 'a', prompt: 'Hi', tags: '' },
  { id: 'a', prompt: 'Hi', expect: [{ type: 'command', value: 'true' }] },
  { id: 'a', prompt: 'Hi', expect: [{ type: 'judge', rubric: 'good' }] },
  // Errors: both paths must say the same.
  { id: 'a', prompt: 'Hi', expect: [{ type: 'nope' }] },
  { id: 'a', prompt: 'Hi', expect: [{ type: 'number', value: 'many' }] },
  { id: 'a', prompt: 'Hi', expect: null },
  { id: 'a', prompt: 'Hi', expect: [{ type: 'regex', value: '(' }] },
  { id: 'a', prompt: 'Hi', expect: [{ type: 'contains', value: '{{missing}}' }] },
  { id: 'a', prompt: 'Hi', tags: [1, 2] },
  { id: 'a', prompt: 'Hi', tags: [{}] },
  { id: 'a', prompt: 'Hi', tags: null },
  { id: 'a', prompt: 'Hi {{x}}' },
  { id: '{{x}}', prompt: 'Hi' },
  { id: 7, prompt: 'Hi' },
  { id: null, prompt: 'Hi' },
  { prompt: 3 },
  { id: 'a' },
  { id: 'a', prompt: 'Hi', vars: { x: 1 } },
  { id: 'a', prompt: 'Hi {{x}}', vars: { x: 1 } },
  { id: 'a', prompt: 'Hi', system: 'Be brief' },
  { id: 'a', prompt: 'Hi', tag: 'x' },
  { id: 'a', prompt: 'Hi', images: [] },
  { id: 'a', prompt: 'Hi', grade: 'each' },
  { id: 'a', prompt: 'Hi', turns: ['more'] },
  { id: 'a', messages: [{ role: 'user', content: 'Hi' }] },
  'just text',
  ['a list'],
  null,
  42,
];

describe('simpleCase (the JSONL fast path)', () => {
  it('gives what normalizeCase gives, case or error, for every shape it takes', () => {
    let taken = 0;
    for (const raw of RAWS) {
      const general = outcome(() => normalizeCase(structuredClone(raw), 'f.jsonl:3', 'f#3'));
      const fast = outcome(() => simpleCase(structuredClone(raw), 'f.jsonl:3', 'f', 3));
      if ((fast as { ok?: unknown }).ok === undefined && !('error' in (fast as object))) continue;
      taken++;
      expect(fast, JSON.stringify(raw)).toEqual(general);
      // Same bytes in a rows file: same keys in the same order.
      if ('ok' in (fast as object)) expect(JSON.stringify((fast as { ok: unknown }).ok)).toBe(JSON.stringify((general as { ok: unknown }).ok));
    }
    expect(taken).toBeGreaterThanOrEqual(18);
  });

  it('hands other shapes to the general path', () => {
    for (const raw of [{ id: 'a', prompt: 'Hi {{x}}' }, { id: 'a', prompt: 'Hi', vars: {} }, { prompt: 'Hi', system: 's' }, { id: 7, prompt: 'Hi' }, { prompt: 'Hi', tags: [1] }, 'text', null]) {
      expect(simpleCase(raw, 'w', 'f', 1), JSON.stringify(raw)).toBeUndefined();
    }
  });

  describe('through a prompt file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mmr-case-fast-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('a JSONL file mixing both paths gives the cases in order, the fallback ids numbered by position', async () => {
      const file = path.join(dir, 'mixed.jsonl');
      writeFileSync(file, ['{"prompt":"one"}', '{"id":"b","prompt":"two","system":"s"}', '', '{"prompt":"three","tags":["t"]}'].join('\n'));
      const cases = await loadPromptFile(file, 'mixed.jsonl');
      expect(cases.map((c) => [c.id, c.where, c.system, c.tags])).toEqual([
        ['mixed#1', 'mixed.jsonl:1', undefined, []],
        ['b', 'mixed.jsonl:2', 's', []],
        ['mixed#3', 'mixed.jsonl:4', undefined, ['t']],
      ]);
    });

    it('a bad check on the fast path names the file and line, after the good cases', async () => {
      const file = path.join(dir, 'bad.jsonl');
      writeFileSync(file, ['{"id":"a","prompt":"x"}', '{"id":"b","prompt":"y","expect":[{"type":"number","value":"lots"}]}'].join('\n'));
      await expect(loadPromptFile(file, 'bad.jsonl')).rejects.toThrow('bad.jsonl:2: check "number" needs a numeric "value"');
    });

    it('a file with defaults never takes the fast path (its shared checks still apply)', async () => {
      const file = path.join(dir, 'defaults.yaml');
      writeFileSync(file, 'defaults:\n  tags: [shared]\n  expect: [{type: contains, value: ok}]\ncases:\n  - {id: a, prompt: hi}\n');
      const [c] = await loadPromptFile(file, 'defaults.yaml');
      expect(c.tags).toEqual(['shared']);
      expect(c.expect).toEqual([{ type: 'contains', value: 'ok' }]);
    });
  });
});
