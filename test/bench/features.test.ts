/**
 * Datasets, multi-turn cases, --repeat, --rerun-failed, junit and `mmr report`, end to end
 * against the built binary and the local provider server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockReply, type MockRequestInfo, type MockServer } from '../../src/mock-server/index.js';
import { isolatedEnv, mmr, root } from '../helpers/cli.js';

let server: MockServer;
const fixtures = path.join(root, 'fixtures/bench');
const shared = path.resolve(root, '../shared/realdata/prompts');
const CAPITALS: Record<string, string> = { France: 'Paris', Japan: 'Tokyo', Kenya: 'Nairobi', Peru: 'Lima' };
/** Prompts that fail once for model "once", then succeed (for --rerun-failed). */
const failedOnce = new Set<string>();
let coin = 0;
const gsm = new Map<string, string>();

function reply(req: MockRequestInfo): MockReply {
  const msgs: { role: string; content: string }[] = req.body?.messages ?? [];
  const q = msgs.at(-1)?.content ?? '';
  if (req.model === 'judge') return { text: 'Reasonable. SCORE: 8', usage: { input: 50, output: 5 } };
  if (req.model === 'once' && /#[13]\b/.test(q) && !failedOnce.has(q)) {
    failedOnce.add(q);
    return { status: 400, errorMessage: 'transient trouble' };
  }
  if (/6 times 7\? #/.test(q)) return { text: 'It is 42.', usage: { input: 5, output: 3 } };
  if (req.model === 'coin') return { text: coin++ % 2 ? 'It is 42.' : 'It is 41.', usage: { input: 5, output: 3 } };
  const country = /capital of (\w+)/.exec(q)?.[1];
  if (country) return { text: req.model === 'wrong' ? 'London' : CAPITALS[country], usage: { input: 12, output: 1 } };
  if (gsm.has(q)) return { text: req.model === 'wrong' ? 'The answer is 1.' : `Reasoning...\n#### ${gsm.get(q)}`, usage: { input: 80, output: 30 } };
  // Multi-turn: the answer names the model and how many turns it has seen, so context is visible.
  const turn = msgs.filter((m) => m.role === 'user').length;
  if (/fruit|spell|2 \+ 2|Add 3/.test(q)) {
    const answers: Record<string, string> = { 'Name one fruit. One word.': 'apple', 'Now spell that fruit backwards. Only the reversed word.': 'elppa', 'What is 2 + 2? Only the number.': '4', 'Add 3 to your previous answer. Only the number.': '7' };
    return { text: req.model === 'wrong' ? `${req.model} turn ${turn}` : answers[q], usage: { input: 5, output: 1 } };
  }
  return { text: `answer ${turn} from ${req.model}`, usage: { input: 5, output: 5 } };
}

beforeAll(async () => {
  server = await startMockServer({ reply });
});
afterAll(() => server.close());

async function envFor() {
  const { env, home } = await isolatedEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrls.openai });
  env.XDG_CACHE_HOME = path.join(home, '.cache');
  return { env, home };
}
const rowsOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const requestsFor = (model: string, from: number) => server.requests.slice(from).filter((r) => r.model === model);

describe('datasets as they are', () => {
  it('a CSV dataset: records become cases through templates; checks take values from fields', async () => {
    const { env, home } = await envFor();
    const out = path.join(home, 'rows.jsonl');
    const r = await mmr(['bench', path.join(fixtures, 'capitals.yaml'), '-m', 'openai:right', '-m', 'openai:wrong', '--json', '--out', out], { env });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.models.map((m: { passed: number; graded: number }) => [m.passed, m.graded])).toEqual([[4, 4], [0, 4]]);
    const rows = rowsOf(out);
    const fr = rows.find((x) => x.caseId === 'capital-fr' && x.model === 'openai:right');
    expect(fr).toMatchObject({ prompt: 'What is the capital of France? One word.', answer: 'Paris', tags: ['geography', 'europe'], turn: 1, sample: 1 });
    expect(fr.where).toMatch(/fixtures\/bench\/data\/capitals\.csv:2$/);
    expect(doc.tags.map((t: { tag: string }) => t.tag)).toEqual(expect.arrayContaining(['africa', 'americas', 'asia', 'europe', 'geography']));
  });

  it('a missing dataset or a template naming no field is exit 2 naming the file', async () => {
    const { env, home } = await envFor();
    writeFileSync(path.join(home, 'd.yaml'), 'dataset: nope.csv\ndefaults: {prompt: "{{x}}"}\n');
    const missing = await mmr(['bench', 'd.yaml', '-m', 'openai:right'], { env });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('d.yaml: cannot read the dataset nope.csv (ENOENT)');
    writeFileSync(path.join(home, 'data.csv'), 'a,b\n1,2\n');
    writeFileSync(path.join(home, 'e.yaml'), 'dataset: data.csv\ndefaults: {prompt: "{{c}}"}\n');
    const noField = await mmr(['bench', 'e.yaml', '-m', 'openai:right'], { env });
    expect(noField.exitCode).toBe(2);
    expect(noField.stderr).toContain('data.csv:2: template uses {{c}} but the case has no var "c"');
  });

  it.skipIf(!existsSync(path.join(shared, 'gsm8k')))('GSM8K from ../shared as published: the reference\'s "#### N" is the expected number', async () => {
    for (const l of readFileSync(path.join(shared, 'gsm8k/test_first200.jsonl'), 'utf8').trim().split('\n')) {
      const rec = JSON.parse(l);
      gsm.set(rec.question, rec.numeric_answer);
    }
    const { env } = await envFor();
    const r = await mmr(['bench', path.join(fixtures, 'gsm8k.yaml'), '-m', 'openai:right', '-m', 'openai:wrong', '-j', '32', '--json', '--no-cache'], { env, timeout: 60_000 });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.models.map((m: { passed: number; graded: number }) => [m.passed, m.graded])).toEqual([[200, 200], [0, 200]]);
    expect(doc.disagreements.total).toBe(200);
  }, 60_000);

  it.skipIf(!existsSync(path.join(shared, 'mt_bench')))('MT-Bench from ../shared: both turns, each model with its own first answer, judged per turn', async () => {
    const { env, home } = await envFor();
    const out = path.join(home, 'rows.jsonl');
    const from = server.requests.length;
    const r = await mmr(['bench', path.join(fixtures, 'mt-bench.yaml'), '-m', 'openai:a', '-m', 'openai:b', '--judge', 'openai:judge', '-j', '16', '--json', '--out', out, '--no-cache'], { env, timeout: 60_000 });
    expect(r.exitCode).toBe(0);
    const rows = rowsOf(out);
    expect(rows).toHaveLength(80 * 2 * 2);
    expect(rows.filter((x) => x.turn === 2)).toHaveLength(160);
    const second = requestsFor('a', from).find((q) => q.body.messages.length === 3)!;
    expect(second.body.messages[1]).toEqual({ role: 'assistant', content: 'answer 1 from a' });
    expect(requestsFor('b', from).find((q) => q.body.messages.length === 3)!.body.messages[1].content).toBe('answer 1 from b');
    const doc = JSON.parse(r.stdout);
    expect(doc.models[0]).toMatchObject({ graded: 160, passed: 160 });
    // One judge call per answered turn.
    expect(requestsFor('judge', from)).toHaveLength(320);
    expect(new Set(doc.tags.map((t: { tag: string }) => t.tag)).size).toBe(8);
  }, 60_000);
});

describe('multi-turn cases, --repeat, --rerun-failed', () => {
  it('turns are sent in order with each model\'s own answers; checks grade the last turn or each', async () => {
    const { env, home } = await envFor();
    const out = path.join(home, 'rows.jsonl');
    const from = server.requests.length;
    const r = await mmr(['bench', path.join(fixtures, 'multi-turn.yaml'), '-m', 'openai:right', '-m', 'openai:wrong', '--json', '--out', out, '--no-cache'], { env });
    expect(r.exitCode).toBe(0);
    const rows = rowsOf(out);
    expect(rows).toHaveLength(8);
    const spell = rows.find((x) => x.caseId === 'recipe' && x.turn === 2 && x.model === 'openai:right');
    expect(spell).toMatchObject({ answer: 'elppa', pass: true, prompt: 'Now spell that fruit backwards. Only the reversed word.' });
    expect(spell.messages).toEqual([
      { role: 'user', content: 'Name one fruit. One word.' },
      { role: 'assistant', content: 'apple' },
      { role: 'user', content: 'Now spell that fruit backwards. Only the reversed word.' },
    ]);
    const wrongTurn2 = requestsFor('wrong', from).find((q) => q.body.messages.at(-1).content.startsWith('Add 3'))!;
    expect(wrongTurn2.body.messages[1]).toEqual({ role: 'assistant', content: 'wrong turn 1' });
    // grade: each → both turns of "count" are graded; "wrong" fails both.
    const count = rows.filter((x) => x.caseId === 'count' && x.model === 'openai:wrong');
    expect(count.map((x) => [x.turn, x.pass])).toEqual([[1, false], [2, false]]);
    const doc = JSON.parse(r.stdout);
    expect(doc.models[0]).toMatchObject({ graded: 4, passed: 4 });
    expect(doc.disagreements.cases.map((d: { caseId: string; turn: number }) => `${d.caseId}/${d.turn}`).sort()).toEqual(['count/1', 'count/2', 'recipe/2']);
  });

  it('--repeat 4: a row per sample, pass@1 with its interval, pass^4 and flaky cases; cached per sample', async () => {
    const { env, home } = await envFor();
    const file = path.join(home, 'c.jsonl');
    writeFileSync(file, ['a', 'b', 'c'].map((id) => JSON.stringify({ id, prompt: `6 times 7, case ${id}?`, expect: [{ type: 'number', value: 42 }] })).join('\n'));
    const out = path.join(home, 'rows.jsonl');
    coin = 0;
    const r = await mmr(['bench', file, '-m', 'openai:coin', '--repeat', '4', '-j', '1', '--json', '--out', out], { env });
    expect(r.exitCode).toBe(0);
    const rows = rowsOf(out);
    expect(rows).toHaveLength(12);
    expect(rows.map((x) => x.sample).sort()).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    const m = JSON.parse(r.stdout).models[0];
    // Alternating answers: every case passes 2 of its 4 samples.
    expect(m).toMatchObject({ n: 12, passed: 6, passRate: 0.5, passAllRate: 0, flaky: 3 });
    expect(m.passLow).toBeLessThan(0.5);
    expect(m.passHigh).toBeGreaterThan(0.5);
    expect(JSON.parse(r.stdout).flaky['openai:coin'].sort()).toEqual(['a', 'b', 'c']);
    const table = await mmr(['bench', file, '-m', 'openai:coin', '--repeat', '4'], { env });
    expect(table.stdout).toMatch(/pass\^4\s+flaky/);
    expect(table.stdout).toContain('Flaky (passed some of 4 samples):');
    const before = server.requests.length;
    const again = await mmr(['bench', file, '-m', 'openai:coin', '--repeat', '4', '--json'], { env });
    expect(server.requests.length).toBe(before);
    expect(JSON.parse(again.stdout).models[0]).toMatchObject({ cached: 12, passed: 6 });
  });

  it('--rerun-failed runs only the cells that errored and keeps the other rows', async () => {
    const { env, home } = await envFor();
    const file = path.join(home, 'c.jsonl');
    writeFileSync(file, Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `What is 6 times 7? #${i}`, expect: [{ type: 'number', value: 42 }] })).join('\n'));
    const out = path.join(home, 'rows.jsonl');
    const args = ['bench', file, '-m', 'openai:once', '-m', 'openai:steady', '--retries', '0', '--no-cache', '--out', out, '--json'];
    const first = await mmr(args, { env });
    expect(first.exitCode).toBe(4);
    expect(rowsOf(out).filter((x) => x.error).map((x) => x.caseId).sort()).toEqual(['q1', 'q3']);
    const from = server.requests.length;
    const again = await mmr([...args, '--rerun-failed'], { env });
    expect(again.exitCode).toBe(0);
    expect(server.requests.slice(from).map((q) => `${q.model} ${q.body.messages[0].content}`).sort()).toEqual(['once What is 6 times 7? #1', 'once What is 6 times 7? #3']);
    const rows = rowsOf(out);
    expect(rows).toHaveLength(10);
    expect(rows.every((x) => !x.error && x.pass)).toBe(true);
    expect(JSON.parse(again.stdout).models.map((m: { passed: number }) => m.passed)).toEqual([5, 5]);
    expect(again.stderr, again.stderr).toContain('rerunning 2 failed cells');
    const none = await mmr(['bench', file, '-m', 'openai:once', '--rerun-failed'], { env });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('--rerun-failed needs the rows of the last run');
  });
});

describe('outputs for CI and for people', () => {
  it('--format junit: a testsuite per model, failures with the reason, errors with the message', async () => {
    const { env } = await envFor();
    const r = await mmr(['bench', path.join(fixtures, 'capitals.yaml'), '-m', 'openai:right', '-m', 'openai:wrong', '--format', 'junit'], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="mmr bench" tests="8" failures="4" errors="0"/);
    expect(r.stdout).toContain('<testsuite name="openai:wrong" tests="4" failures="4" errors="0"');
    expect(r.stdout).toMatch(/<testcase classname="openai:wrong" name="capital-fr" time="[\d.]+">\n\s+<failure type="check" message="contains: missing &quot;Paris&quot;">/);
  });

  it('mmr report rows.jsonl: the summary from a rows file, a comparison of two runs, the HTML file', async () => {
    const { env, home } = await envFor();
    const now = path.join(home, 'now.jsonl');
    const old = path.join(home, 'old.jsonl');
    await mmr(['bench', path.join(fixtures, 'capitals.yaml'), '-m', 'openai:right', '--out', now], { env });
    // The "old" run: same cases, where the model was wrong.
    writeFileSync(old, rowsOf(now).map((x) => JSON.stringify({ ...x, answer: 'London', pass: x.caseId === 'capital-fr', checks: [] })).join('\n') + '\n{"torn":\n');
    const r = await mmr(['report', now, '--compare', old], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/openai:right\s+4\/4 100%/);
    expect(r.stdout).toMatch(/openai:right: 3 better: capital-jp, capital-ke, capital-pe · 0 worse \(of 4 in both runs\)/);
    expect(r.stderr).toContain('skipped 1 line of');
    const html = path.join(home, 'r.html');
    const h = await mmr(['report', now, '--html', html, '--compare', old], { env });
    expect(h.exitCode).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('openai:right');
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/);
    const missing = await mmr(['report', path.join(home, 'nope.jsonl')], { env });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('cannot read the rows file');
  });
});
