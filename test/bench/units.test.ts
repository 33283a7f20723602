/**
 * Unit tests for the pieces under the bench command: case templates and turns, intervals, the
 * exit code, the rows writer and reader, JUnit escaping, the cached-entry shape.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { normalizeCase } from '../../src/bench/normalize.js';
import { fillValue } from '../../src/bench/templates.js';
import { passAt1, wilson } from '../../src/bench/stats.js';
import { Samples, select } from '../../src/bench/summary-parts.js';
import { benchExitCode, belowThreshold } from '../../src/bench/exit.js';
import { RowWriter } from '../../src/bench/row-writer.js';
import { asRow, readRows } from '../../src/bench/rows-file.js';
import { JunitCollector, xmlEscape } from '../../src/bench/junit.js';
import { validEntry } from '../../src/bench/cache.js';
import { jsonSafe } from '../../src/bench/report.js';
import type { ModelStats } from '../../src/bench/summary-types.js';
import type { BenchRow } from '../../src/bench/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mmr-bench-units-'));
const row = (extra: Partial<BenchRow> = {}): BenchRow => ({
  caseId: 'c1', where: 'f:1', tags: [], prompt: 'p', messages: [{ role: 'user', content: 'p' }], system: null, model: 'a:m', answer: 'x', pass: true, checks: [], error: null,
  latencyMs: 1500, ttftMs: 10, inputTokens: 1, outputTokens: 1, costUsd: 0, judgeCostUsd: 0, cached: false, attempts: 1, turn: 1, sample: 1, ...extra,
});

describe('cases: templates, turns and grading', () => {
  it('templates: whole-value fields keep their type; filters; dotted paths; unknown names and filters are errors', () => {
    const vars = { n: 7, turns: ['a', 'b'], answer: 'so 3 + 4 = 7\n#### 1,200', meta: { src: 'x' }, name: ' Ada ' };
    expect(fillValue('{{n}}', vars, 'w')).toBe(7);
    expect(fillValue('{{turns}}', vars, 'w')).toEqual(['a', 'b']);
    expect(fillValue('n is {{n}}', vars, 'w')).toBe('n is 7');
    expect(fillValue('{{answer | last-number}}', vars, 'w')).toBe(1200);
    expect(fillValue('{{ name | trim }}!', vars, 'w')).toBe('Ada!');
    expect(fillValue('{{meta.src}}/{{turns.1}}', vars, 'w')).toBe('x/b');
    expect(() => fillValue('{{nope}}', vars, 'f:3')).toThrow(/f:3: template uses \{\{nope\}\} but the case has no var "nope"/);
    expect(() => fillValue('{{n | shout}}', vars, 'f:3')).toThrow(/unknown template filter "shout"/);
  });

  it('a dataset record becomes a case through the file\'s templates', () => {
    const defaults = { id: 'gsm-{{idx}}', tags: ['math', '{{level}}'], prompt: '{{question}}', expect: [{ type: 'number', value: '{{answer | last-number}}' }] };
    const c = normalizeCase({ vars: { idx: 4, level: 'easy', question: 'How many?', answer: 'He has 2 + 3 = 5.\n#### 5' } }, 'data.jsonl:5', 'data#5', defaults);
    expect(c).toMatchObject({ id: 'gsm-4', where: 'data.jsonl:5', tags: ['math', 'easy'], messages: [{ role: 'user', content: 'How many?' }], expect: [{ type: 'number', value: 5 }], followUps: [] });
    // Numeric fields still work where text is expected.
    const year = normalizeCase({ vars: { y: 1969, grade: 3 } }, 'd:2', 'd#2', { prompt: 'When?', tags: '{{grade}}', expect: [{ type: 'contains', value: '{{y}}' }] });
    expect(year).toMatchObject({ tags: ['3'], expect: [{ type: 'contains', value: '1969' }] });
  });

  it('turns: the first is the case\'s message, later ones follow; case checks grade the last turn, or each', () => {
    const last = normalizeCase({ turns: ['one', { prompt: 'two', expect: [{ type: 'contains', value: 'x' }] }, 'three'], expect: [{ type: 'max-length', value: 9 }] }, 'w', 'id');
    expect(last.messages).toEqual([{ role: 'user', content: 'one' }]);
    expect(last.expect).toEqual([]);
    expect(last.followUps.map((f) => [f.content, f.expect.map((e) => e.type)])).toEqual([['two', ['contains']], ['three', ['max-length']]]);
    const each = normalizeCase({ turns: ['one', 'two'], grade: 'each', expect: ['ok'] }, 'w', 'id');
    expect([each.expect.length, each.followUps[0].expect.length]).toEqual([1, 1]);
    // Fixed earlier turns in messages, then the turns to send.
    const prefixed = normalizeCase({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }], turns: ['next'] }, 'w', 'id');
    expect(prefixed).toMatchObject({ system: 'S', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'next' }], followUps: [] });
    expect(() => normalizeCase({ turns: [] }, 'f:2', 'id')).toThrow(/f:2: "turns" must be a non-empty list/);
    expect(() => normalizeCase({ turns: ['a'], grade: 'first' }, 'f:2', 'id')).toThrow(/"grade" must be last/);
    expect(() => normalizeCase({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }, 'f:2', 'id')).toThrow(/must end with a user turn/);
  });
});

describe('intervals', () => {
  it('Wilson: known values, sane at 0% and 100%', () => {
    const [lo, hi] = wilson(0.5, 10);
    expect(lo).toBeCloseTo(0.2366, 3);
    expect(hi).toBeCloseTo(0.7634, 3);
    expect(wilson(1, 20)[1]).toBe(1);
    expect(wilson(1, 20)[0]).toBeCloseTo(0.8389, 3);
    expect(wilson(0, 20)[0]).toBe(0);
  });

  it('pass@1 under repeats: correlated samples widen the interval toward the number of cases', () => {
    // 10 cases × 4 samples. Independent-looking (every case 2/4) vs fully correlated (5 cases 4/4, 5 cases 0/4).
    const spread = passAt1(Array.from({ length: 10 }, () => [2, 4] as [number, number]))!;
    const clustered = passAt1(Array.from({ length: 10 }, (_, i) => [i < 5 ? 4 : 0, 4] as [number, number]))!;
    expect(spread.rate).toBe(0.5);
    expect(clustered.rate).toBe(0.5);
    const width = (x: { low: number; high: number }) => x.high - x.low;
    expect(width(spread)).toBeCloseTo(width({ low: wilson(0.5, 40)[0], high: wilson(0.5, 40)[1] }), 6);
    expect(width(clustered)).toBeCloseTo(width({ low: wilson(0.5, 10)[0], high: wilson(0.5, 10)[1] }), 1);
    expect(passAt1([])).toBeNull();
  });
});

describe('percentiles', () => {
  it('selection gives what a sort gives, for random, sorted, constant and few-valued samples, asked in any order', () => {
    // A fixed-seed generator: the same cases every run.
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 800; trial++) {
      const n = 1 + Math.floor(rand() * 300);
      const kind = trial % 5;
      const a = new Float64Array(n).map((_, i) => [rand() * 100, i, n - i, 5, Math.floor(rand() * 3)][kind]);
      const sorted = a.slice().sort();
      const work = a.slice();
      for (const k of [n >> 1, n - 1, 0, Math.floor(rand() * n), Math.ceil(0.95 * n) - 1]) expect(select(work, k)).toBe(sorted[k]);
    }
    const s = new Samples();
    for (const v of [30, 10, 20, 50, 40]) s.push(v);
    expect([s.percentile(50), s.percentile(95), s.percentile(0), s.percentile(100), s.percentile(50)]).toEqual([30, 50, 10, 50, 30]);
    s.push(5);
    expect(s.percentile(50)).toBe(20);
    expect(new Samples().percentile(50)).toBeNull();
  });
});

describe('exit codes', () => {
  const stats = (n: number, errors: number, passRate: number | null = 1) => ({ model: 'm', n, errors, passRate } as ModelStats);
  const code = (o: Partial<Parameters<typeof benchExitCode>[0]>) => benchExitCode({ models: [stats(4, 0)], stopped: null, signal: null, belowThreshold: [], ...o });
  it('0/1/3/4/5/130/143 in their order of precedence', () => {
    expect(code({})).toBe(0);
    expect(code({ models: [stats(4, 1)] })).toBe(4);
    expect(code({ models: [stats(4, 1)], belowThreshold: ['m'] })).toBe(1);
    expect(code({ models: [stats(4, 4)], belowThreshold: ['m'] })).toBe(3);
    expect(code({ stopped: 'budget', belowThreshold: ['m'] })).toBe(5);
    expect(code({ models: [stats(0, 0)], stopped: 'budget' })).toBe(5);
    expect(code({ signal: 'SIGINT', models: [stats(4, 4)] })).toBe(130);
    expect(code({ signal: 'SIGTERM' })).toBe(143);
    expect(belowThreshold([stats(4, 0, 0.85)], 0.9).models).toHaveLength(1);
    expect(belowThreshold([stats(4, 0, 0.9)], 90).models).toHaveLength(0);
  });
});

describe('rows on disk', () => {
  it('the writer batches rows, keeps order under backpressure, and creates the file 0600', async () => {
    const file = path.join(dir, 'rows.jsonl');
    writeFileSync(file, 'old content\n', { mode: 0o644 });
    const w = await RowWriter.open(file);
    const big = 'y'.repeat(10_000);
    for (let i = 0; i < 500; i++) await w.write(row({ caseId: `c${i}`, answer: big }));
    await w.close();
    const { rows, skipped } = await readRows(file);
    expect(skipped).toBe(0);
    expect(rows.map((r) => r.caseId)).toEqual(Array.from({ length: 500 }, (_, i) => `c${i}`));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('rows reach the file byte for byte as JSON lines: multi-byte text, lines longer than the write chunk, many flushes', async () => {
    const file = path.join(dir, 'bytes.jsonl');
    const w = await RowWriter.open(file);
    const small = ['plain', 'naïve café — 日本語 🙂'.repeat(50), 'end\u2028\u0000"\\'];
    // Longer than a chunk (~2 MB): ASCII, and 4-byte characters whose UTF-16 length undercounts their bytes.
    const big = new Map([[1000, 'z'.repeat(3 * 1024 * 1024)], [1100, '🙂'.repeat(700_000)], ...[1300, 1600, 1900, 2200, 2500].map((i) => [i, '日'.repeat(650_000)] as const)]);
    const want: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const r = row({ caseId: `c${i}`, answer: big.get(i) ?? small[i % small.length] });
      want.push(`${JSON.stringify(r)}\n`);
      await w.write(r);
    }
    await w.close();
    expect(readFileSync(file).equals(Buffer.from(want.join('')))).toBe(true);
  });

  it('replace mode (--rerun-failed into its own rows file): the old rows stay until the new file is whole', async () => {
    const file = path.join(dir, 'replace.jsonl');
    writeFileSync(file, `${JSON.stringify(row({ caseId: 'old' }))}\n`);
    const w = await RowWriter.open(file, { replace: true });
    await w.write(row({ caseId: 'new' }));
    await w.flush();
    expect(readFileSync(file, 'utf8')).toContain('"old"');
    await w.close();
    expect((await readRows(file)).rows.map((r) => r.caseId)).toEqual(['new']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('rows still buffered when the process exits at once (a second Ctrl-C) reach the file whole', () => {
    const file = path.join(dir, 'exit.jsonl');
    const script = `
      import { RowWriter } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../src/bench/row-writer.ts'))};
      const w = await RowWriter.open(${JSON.stringify(file)});
      for (let i = 0; i < 3; i++) await w.write({ caseId: 'c' + i, model: 'm', pass: null });
      process.exit(130);`;
    const mod = path.join(dir, 'exit-script.mts');
    writeFileSync(mod, script);
    let status = 0;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', mod], { stdio: 'pipe' });
    } catch (err) {
      status = (err as { status: number }).status;
    }
    expect(status).toBe(130);
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).caseId)).toEqual(['c0', 'c1', 'c2']);
  });

  it('the reader skips what is not a row and fills turn/sample of older rows', async () => {
    const file = path.join(dir, 'mixed.jsonl');
    const { turn: _t, sample: _s, ...old } = row();
    writeFileSync(file, [JSON.stringify(old), '{"caseId":1}', 'not json', JSON.stringify({ ...row(), costUsd: 'lots' }), JSON.stringify(row({ turn: 2, sample: 3 })), '{"caseId":"torn'].join('\n'));
    const { rows, skipped } = await readRows(file);
    expect(skipped).toBe(4);
    expect(rows.map((r) => [r.turn, r.sample])).toEqual([[1, 1], [2, 3]]);
    expect(asRow(null)).toBeNull();
    await expect(readRows(path.join(dir, 'missing.jsonl'), '--compare')).rejects.toThrow(/cannot read --compare .*ENOENT/);
  });
});

describe('escaping for machines', () => {
  it('JUnit: XML-escaped, characters XML cannot carry dropped; failures and errors', () => {
    expect(xmlEscape('a<b & "c"\u0000\u001b[31m\u0085')).toBe('a&lt;b &amp; &quot;c&quot;[31m');
    const j = new JunitCollector(['a:m']);
    j.add(row({ pass: false, checks: [{ type: 'contains', pass: false, detail: 'missing "<x>"' }] }));
    j.add(row({ caseId: 'c2', pass: null, error: { kind: 'auth', message: 'bad key', status: 401 } }));
    j.add(row({ caseId: 'c3', pass: null }));
    const xml = j.format(2000);
    expect(xml).toContain('<testsuites name="mmr bench" tests="2" failures="1" errors="1" time="2.000">');
    expect(xml).toContain('<failure type="check" message="contains: missing &quot;&lt;x&gt;&quot;">');
    expect(xml).toContain('<error type="auth" message="bad key"/>');
  });

  it('JSON output escapes C1 controls, which JSON.stringify leaves raw, without changing the data', () => {
    const text = jsonSafe(JSON.stringify({ m: 'a\u009b2Jb\u001b' }));
    expect(text).not.toMatch(/[\u007f-\u009f\u001b]/);
    expect(JSON.parse(text)).toEqual({ m: 'a\u009b2Jb\u001b' });
  });

  it('cache entries: only the exact shape is accepted', () => {
    const ok = { text: 'x', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: null }, costUsd: null, latencyMs: 3, ttftMs: null, attempts: 1 };
    expect(validEntry(ok)).toEqual(ok);
    expect(validEntry({ ...ok, attempts: 0 })).toBeNull();
    expect(validEntry({ ...ok, latencyMs: Infinity })).toBeNull();
    expect(validEntry({ ...ok, text: 5 })).toBeNull();
  });
});
