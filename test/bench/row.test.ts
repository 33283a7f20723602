/**
 * A row's `--out` line built from its case-turn's shared head is the bytes `JSON.stringify` gives
 * for the row, for every field `makeRow` sets and every kind of value they hold.
 */
import { describe, expect, it } from 'vitest';
import { makeRow, rowLine, type RowFields, type RowHead } from '../../src/bench/row.js';

const head = (over: Partial<RowHead> = {}): RowHead => ({
  caseId: 'c1',
  where: 'cases.jsonl:1',
  tags: ['math', 'ünï'],
  prompt: 'What is 2+2?',
  messages: [{ role: 'user', content: 'What is 2+2?' }],
  system: null,
  ...over,
});

const fields = (over: Partial<RowFields> = {}): RowFields => ({
  answer: 'The answer is 4.',
  pass: true,
  checks: [{ type: 'number', pass: true }],
  error: null,
  latencyMs: 7.0687730000000215,
  ttftMs: 6.658480999999995,
  inputTokens: 30,
  outputTokens: 8,
  costUsd: 0.000009299999999999999,
  judgeCostUsd: 0,
  cached: true,
  attempts: 1,
  ...over,
});

describe('rowLine', () => {
  const heads: [string, RowHead][] = [
    ['plain', head()],
    ['a system prompt, quotes, control characters and a lone surrogate', head({ system: 'Be "brief".\n\t\u0001', prompt: 'a\ud800b \u2028 \\ </script>', tags: [] })],
    ['a multi-turn history', head({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'more' }] })],
  ];
  const rows: [string, RowFields][] = [
    ['a cached pass', fields()],
    ['a failed call', fields({ answer: '', pass: false, checks: [], error: { kind: 'http', message: 'bad "gateway"', status: 502 }, costUsd: 0, latencyMs: null, ttftMs: null, inputTokens: null, outputTokens: null, cached: false, attempts: 3 })],
    ['no checks, unknown price, a judge score, a batch answer', fields({ pass: null, checks: [{ type: 'judge', pass: true, detail: 'score 8', score: 8, costUsd: 0.0001 }], costUsd: null, judgeCostUsd: 0.0001, batch: true })],
    ['numbers JSON writes as null or without a sign', fields({ latencyMs: Number.NaN, ttftMs: Number.POSITIVE_INFINITY, costUsd: -0, inputTokens: 1e21 })],
    ['fields left undefined', fields({ ttftMs: undefined as unknown as null, checks: undefined as unknown as [] })],
  ];
  for (const [hn, h] of heads) {
    for (const [rn, r] of rows) {
      it(`is JSON.stringify of the row: ${hn}, ${rn}`, () => {
        const row = makeRow(h, 'openai:gpt-4o-mini', 2, 3, 4, r);
        expect(rowLine(row, h)).toBe(JSON.stringify(row));
        // The head is serialised once and reused by the next model's row.
        const next = makeRow(h, 'anthropic:claude', 0, 3, 4, r);
        expect(rowLine(next, h)).toBe(JSON.stringify(next));
      });
    }
  }

  it('covers every field makeRow sets, in its order', () => {
    const row = makeRow(head(), 'm', 0, 1, 1, fields({ batch: true }));
    const line = rowLine(row, head());
    expect(Object.keys(JSON.parse(line))).toEqual(Object.keys(row));
  });

  it('serialises a row whose head fields were changed after it was made as a whole', () => {
    const h = head();
    const row = { ...makeRow(h, 'm', 0, 1, 1, fields()), caseId: 'other', tags: ['x'] };
    expect(rowLine(row, h)).toBe(JSON.stringify(row));
    expect(rowLine(row)).toBe(JSON.stringify(row));
  });
});
