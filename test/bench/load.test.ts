import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPromptFile, loadPromptFiles } from '../../src/bench/load.js';
import { parseCsv } from '../../src/bench/csv.js';
import { expandFiles } from '../../src/bench/glob.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mmr-bench-load-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const fixtures = path.resolve(import.meta.dirname, '../../fixtures/bench');

describe('prompt file loaders', () => {
  it('YAML: cases with vars, tags, defaults and messages; the line of each case', async () => {
    const cases = await loadPromptFile(path.join(fixtures, 'basics.yaml'), 'basics.yaml');
    expect(cases.map((c) => c.id)).toEqual(['capital', 'sum', 'json-user', 'polite']);
    expect(cases[0].messages[0].content).toBe('What is the capital of France? Answer in one word.');
    expect(cases[0].tags).toEqual(['demo', 'geography']);
    expect(cases[0].where).toBe('basics.yaml:5');
    expect(cases[3].system).toBe('You are terse.');
    expect(cases[3].messages).toEqual([{ role: 'user', content: 'Say hello without using the word "hi".' }]);
  });

  it('JSONL: a plain line works as is', async () => {
    const f = write('plain.jsonl', '{"id":"q1","prompt":"What is 6*7?","expect":[{"type":"number","value":42}]}\n\n{"prompt":"hi"}\n');
    const cases = await loadPromptFile(f, 'plain.jsonl');
    expect(cases[0]).toMatchObject({ id: 'q1', where: 'plain.jsonl:1', expect: [{ type: 'number', value: 42 }] });
    expect(cases[1]).toMatchObject({ id: 'plain#2', where: 'plain.jsonl:3' });
  });

  it('JSON: a list or {cases}', async () => {
    const cases = await loadPromptFile(path.join(fixtures, 'judged.json'));
    expect(cases[0].expect.map((c) => c.type)).toEqual(['judge', 'command']);
    const list = await loadPromptFile(write('l.json', '[{"prompt":"a"},"b"]'));
    expect(list.map((c) => c.messages[0].content)).toEqual(['a', 'b']);
  });

  it('CSV: prompt column, vars from other columns, expect_<type> columns, quoted fields', async () => {
    const cases = await loadPromptFile(path.join(fixtures, 'translate.csv'));
    expect(cases[0].messages[0].content).toBe('Translate "good morning" into French. Answer with the phrase only.');
    expect(cases[0].expect).toEqual([{ type: 'contains', value: 'bonjour' }]);
    expect(cases[1].tags).toEqual(['translation']);
    expect(await parseCsv('a,"b\nc",d\r\n1,2,3', 'x.csv')).toEqual([{ line: 1, fields: ['a', 'b\nc', 'd'] }, { line: 3, fields: ['1', '2', '3'] }]);
    // An unclosed quote is an error naming the file, not the rest of the file swallowed into one field.
    await expect(parseCsv('prompt,id\n"open,1\nnext,2\n', 'q.csv')).rejects.toThrow(/q\.csv:\d+: invalid CSV: .*[Qq]uote/);
    await expect(loadPromptFile(write('q.csv', 'prompt,id\n"open,1\nnext,2\n'), 'q.csv')).rejects.toThrow(/q\.csv/);
  });

  it('plain text: blocks split on --- when present, else on blank lines', async () => {
    const dashed = await loadPromptFile(path.join(fixtures, 'prompts.txt'));
    expect(dashed).toHaveLength(3);
    expect(dashed[1].messages[0].content).toBe('Give three names for a grey cat.\n\nOne per line, no commentary.');
    const blank = await loadPromptFile(write('b.txt', 'one\n\n\ntwo\nstill two\n'));
    expect(blank.map((c) => [c.messages[0].content, c.where])).toEqual([['one', `${path.join(dir, 'b.txt')}:1`], ['two\nstill two', `${path.join(dir, 'b.txt')}:4`]]);
  });

  it('errors name the file and line', async () => {
    await expect(loadPromptFile(write('bad.jsonl', '{"prompt":"a"}\n{nope\n'), 'bad.jsonl')).rejects.toThrow(/bad\.jsonl:2: invalid JSON/);
    await expect(loadPromptFile(write('bad.yaml', '- prompt: a\n- prompt: b\n  expect: [{type: frobnicate}]\n'), 'bad.yaml')).rejects.toThrow(/bad\.yaml:2: unknown check type "frobnicate"/);
    await expect(loadPromptFile(write('var.yaml', '- prompt: "hi {{name}}"\n'), 'var.yaml')).rejects.toThrow(/var\.yaml:1: .*no var "name"/);
    await expect(loadPromptFile(write('re.yaml', '- prompt: a\n  expect: [{type: regex, value: "("}]\n'), 're.yaml')).rejects.toThrow(/re\.yaml:1: invalid regex/);
    await expect(loadPromptFile(write('np.yaml', '- id: x\n'), 'np.yaml')).rejects.toThrow(/np\.yaml:1: the case has no "prompt"/);
  });

  it('several files: duplicate ids are refused', async () => {
    const a = write('a.jsonl', '{"id":"x","prompt":"a"}\n');
    const b = write('b.jsonl', '{"id":"x","prompt":"b"}\n');
    await expect(loadPromptFiles([a, b], dir)).rejects.toThrow(/b\.jsonl:1: case id "x" is also used at a\.jsonl:1/);
  });

  it('globs: *, **, ?, [..] and {a,b} expand relative to cwd; an existing path is literal', async () => {
    const g = mkdtempSync(path.join(tmpdir(), 'mmr-glob-'));
    mkdirSync(path.join(g, 'sub/deep'), { recursive: true });
    for (const f of ['a.yaml', 'b.yaml', 'c.json', '[ab].yaml', 'sub/d.yaml', 'sub/deep/e.yaml', 'math.jsonl']) writeFileSync(path.join(g, f), '- prompt: x\n');
    const names = async (args: string[]) => (await expandFiles(args, g)).files.map((f) => path.relative(g, f));
    expect(await names(['*.yaml'])).toEqual(['[ab].yaml', 'a.yaml', 'b.yaml']);
    expect(await names(['**/*.yaml'])).toEqual(['[ab].yaml', 'a.yaml', 'b.yaml', 'sub/d.yaml', 'sub/deep/e.yaml'].sort());
    expect(await names(['[ab].yaml'])).toEqual(['[ab].yaml']);
    expect(await names(['{a,c}.*'])).toEqual(['a.yaml', 'c.json']);
    expect(await names(['m?th.jsonl'])).toEqual(['math.jsonl']);
    expect(await names(['sub'])).toEqual(['sub/d.yaml', 'sub/deep/e.yaml']);
    expect(await names([path.join(g, 'sub', '*.yaml')])).toEqual(['sub/d.yaml']);
    const { unmatched } = await expandFiles(['nothing/*.csv', 'missing.yaml'], g);
    expect(unmatched).toEqual(['nothing/*.csv', 'missing.yaml']);
  });
});
