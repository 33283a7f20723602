import { describe, expect, it } from 'vitest';
import { execCommand, finalNumber, runChecks, runSyncCheck } from '../../src/bench/checks.js';
import { normalizeCheck } from '../../src/bench/normalize.js';
import { schemaProblem } from '../../src/bench/json-schema.js';
import { parseVerdict } from '../../src/bench/judge.js';
import type { Check } from '../../src/bench/types.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const check = (raw: unknown) => normalizeCheck(raw, 'test', {});
const run = (raw: unknown, answer: string) => runSyncCheck(check(raw), answer)!.pass;

describe('checks', () => {
  it('equals trims, optionally ignores case', () => {
    expect(run({ type: 'equals', value: 'Paris' }, ' Paris\n')).toBe(true);
    expect(run({ type: 'equals', value: 'Paris' }, 'paris')).toBe(false);
    expect(run({ type: 'equals', value: 'Paris', ignoreCase: true }, 'paris')).toBe(true);
  });

  it('contains: all by default, any on request; not-contains', () => {
    expect(run({ type: 'contains', value: ['a', 'b'] }, 'a only')).toBe(false);
    expect(run({ type: 'contains', value: ['a', 'zz'], mode: 'any' }, 'a only')).toBe(true);
    expect(run({ type: 'contains-any', value: ['x', 'only'] }, 'a only')).toBe(true);
    expect(run({ type: 'not-contains', value: 'sorry' }, 'Sure!')).toBe(true);
    expect(runSyncCheck(check({ type: 'not-contains', value: ['as an AI'] }), 'as an AI model')).toMatchObject({ pass: false, detail: 'contains "as an AI"' });
  });

  it('regex with flags; max-length', () => {
    expect(run({ type: 'regex', value: '^select', flags: 'i' }, 'SELECT 1')).toBe(true);
    expect(run({ type: 'max-length', value: 3 }, 'abcd')).toBe(false);
  });

  it('number: the final number, GSM8K style, with commas, $ and tolerance', () => {
    expect(finalNumber('She makes 9 * 2 = $18 every day.\n#### 18')).toBe(18);
    expect(finalNumber('The total is $1,234.50.')).toBe(1234.5);
    expect(finalNumber('16-3-4=9')).toBe(9);
    expect(finalNumber('It drops to -5 degrees')).toBe(-5);
    expect(finalNumber('no digits')).toBeNull();
    expect(run({ type: 'number', value: '1,300' }, 'Total: $1,300')).toBe(true);
    expect(run({ type: 'number', value: 3.14, tolerance: 0.01 }, 'about 3.141')).toBe(true);
    expect(run({ type: 'number', value: 42 }, '41')).toBe(false);
  });

  it('json: valid (fenced or not) and full JSON Schema', async () => {
    const schema = { type: 'object', required: ['name', 'age'], properties: { age: { type: 'integer', minimum: 0 }, tags: { type: 'array', items: { enum: ['a', 'b'] } } } };
    expect(run({ type: 'json' }, '```json\n{"a":1}\n```')).toBe(true);
    expect(run({ type: 'json' }, 'not json')).toBe(false);
    const json = async (s: object, answer: string) => (await runChecks([check({ type: 'json', schema: s })], answer, 'q'))[0];
    expect(await json(schema, '{"name":"Ada","age":36,"tags":["a"]}')).toMatchObject({ pass: true });
    expect(await json(schema, 'nope')).toMatchObject({ pass: false, detail: 'not valid JSON' });
    expect(await schemaProblem({ name: 'Ada', age: 3.5 }, schema)).toMatch(/^\$\.age: .*integer.* \(type\)$/);
    expect(await schemaProblem({ name: 'Ada' }, schema)).toMatch(/age.*\(required\)$/);
    expect(await schemaProblem({ name: 'A', age: 1, tags: ['c'] }, schema)).toMatch(/^\$\.tags\[0\]: .* \(enum\)$/);
    // What the old subset ignored, so those checks could never fail.
    expect(await schemaProblem({ name: 'A', age: -1 }, schema)).toMatch(/^\$\.age: .* \(minimum\)$/);
    expect(await schemaProblem({ id: 'x-1' }, { properties: { id: { pattern: '^[a-z]+$' } } })).toMatch(/\(pattern\)$/);
    expect(await schemaProblem({ a: 1, b: 2 }, { properties: { a: {} }, additionalProperties: false })).toMatch(/"b".*\(additionalProperties\)$/);
    expect(await schemaProblem(5, { oneOf: [{ type: 'integer' }, { minimum: 0 }] })).toMatch(/oneOf/);
    expect(await schemaProblem('x', { $schema: 'http://json-schema.org/draft-07/schema#', type: 'string', maxLength: 3 })).toBeNull();
  });

  it('latency (ms) and cost (USD) grade the call, not the text', async () => {
    const meta = { latencyMs: 850, costUsd: 0.002 };
    const grade = async (raw: unknown, m: { latencyMs: number | null; costUsd: number | null } = meta) => (await runChecks([check(raw)], 'answer', 'q', {}, m))[0];
    expect(await grade({ type: 'latency', value: 1000 })).toMatchObject({ type: 'latency', pass: true });
    expect(await grade({ type: 'latency', value: 500 })).toEqual({ type: 'latency', pass: false, detail: '850 ms > 500 ms' });
    expect(await grade({ type: 'cost', value: 0.01 })).toMatchObject({ pass: true });
    expect(await grade({ type: 'cost', value: '$0.001' })).toEqual({ type: 'cost', pass: false, detail: '$0.00200 > $0.00100' });
    expect(await grade({ type: 'cost', value: 1 }, { latencyMs: 1, costUsd: null })).toMatchObject({ pass: false, detail: expect.stringContaining('cost unknown') });
    expect(() => check({ type: 'latency', value: 'soon' })).toThrow(/needs a "value": the most ms allowed/);
  });

  it('command: answer on stdin, exit 0 passes', async () => {
    expect(await execCommand(check({ type: 'command', value: 'grep -q Paris' }), 'Paris!')).toEqual({ pass: true });
    expect((await execCommand(check({ type: 'command', value: ['sh', '-c', 'echo nope >&2; exit 3'] }), 'x'))).toEqual({ pass: false, detail: 'exit 3: nope' });
  });

  it('command: a case var reaches the command as $MMR_VAR_name, never as command text', async () => {
    const vars = { capital: 'Paris; touch pwned', 'the-city': 'x' };
    const c = normalizeCheck({ type: 'command', value: 'test "$(cat)" = "$MMR_VAR_capital"' }, 'f:1', vars);
    expect(c.env).toEqual({ MMR_VAR_capital: 'Paris; touch pwned', MMR_VAR_the_city: 'x' });
    expect(await execCommand(c, 'Paris; touch pwned')).toEqual({ pass: true });
    expect(() => normalizeCheck({ type: 'command', value: 'grep {{capital}}' }, 'f:1', vars)).toThrow(/f:1.*cannot use \{\{templates\}\}.*MMR_VAR_/);
    expect(() => normalizeCheck({ type: 'command', value: ['sh', '-c', 'grep {{capital}}'] }, 'f:1', vars)).toThrow(/cannot use \{\{templates\}\}/);
  });

  it('command: a timeout ends the whole process group, grandchildren included', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mmr-cmd-'));
    const pidFile = path.join(dir, 'pid');
    // The grandchild ignores SIGTERM and holds stdout open: only a group SIGKILL ends it.
    const c = normalizeCheck({ type: 'command', value: ['sh', '-c', `sh -c 'trap "" TERM; echo $$ > ${pidFile}; exec sleep 60' & wait`], timeoutMs: 200 }, 'f:1', {});
    const t0 = performance.now();
    const r = await execCommand(c, 'x');
    expect(r).toEqual({ pass: false, detail: 'timed out after 200 ms' });
    expect(performance.now() - t0).toBeLessThan(5_000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // The stubborn grandchild is gone too (a zombie left for a PID 1 that never reaps counts as gone).
    const running = () => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
      } catch {
        return false;
      }
    };
    await expect.poll(running, { timeout: 5_000 }).toBe(false);
  });

  it('judge: verdicts parsed, judge injected, cost carried apart', async () => {
    const pf = check({ type: 'judge', rubric: 'mentions Paris' });
    const sc = check({ type: 'judge', rubric: 'good', scale: 'score', threshold: 6 });
    expect(parseVerdict(pf, 'Reasoning... VERDICT: PASS')).toMatchObject({ pass: true });
    expect(parseVerdict(pf, 'answer PASS or FAIL. VERDICT: FAIL')).toMatchObject({ pass: false });
    expect(parseVerdict(sc, 'SCORE: 5')).toMatchObject({ pass: false, score: 5 });
    expect(parseVerdict(sc, 'Score: 8/10')).toMatchObject({ pass: true, score: 8 });
    const judge = async (c: Check) => ({ type: c.type, pass: true, costUsd: 0.001 });
    const out = await runChecks([pf, check({ type: 'contains', value: 'x' })], 'x', 'q', { judge });
    expect(out).toEqual([{ type: 'judge', pass: true, costUsd: 0.001 }, { type: 'contains', pass: true, detail: undefined }]);
    expect((await runChecks([pf], 'x', 'q'))[0]).toMatchObject({ pass: false });
  });

  it('invalid checks are refused at load time', () => {
    expect(() => check({ type: 'number', value: 'abc' })).toThrow(/needs a numeric "value"/);
    expect(() => check({ type: 'judge' })).toThrow(/needs a "rubric"/);
    expect(() => check({ value: 1 })).toThrow(/needs a "type"/);
  });
});
