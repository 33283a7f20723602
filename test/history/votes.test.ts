import { appendFile, mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyResult } from '../../src/core/results.js';
import { appendVote, readVotes, toVoteEntry, votesDir, votesFile, type VoteEntry } from '../../src/history/votes.js';
import { historyLines, runHistory } from '../../src/commands/history.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mmr-votes-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (prompt: string, winner: string | null = 'openai:gpt-4o-mini'): VoteEntry => ({
  time: '2025-06-01T12:00:00.000Z',
  prompt,
  models: ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'],
  winner,
  blind: false,
  results: [
    { model: 'openai:gpt-4o-mini', costUsd: 0.00012, latencyMs: 1900, ttftMs: 412, outputTokens: 184, error: null },
    { model: 'anthropic:claude-haiku-4-5', costUsd: null, latencyMs: 30, ttftMs: null, outputTokens: null, error: 'HTTP 529' },
  ],
});

const sink = () => {
  const chunks: string[] = [];
  return { stream: { write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WritableStream, text: () => chunks.join('') };
};

describe('appendVote', () => {
  it('appends one JSON line per vote to votes.jsonl, creating the directory, mode 0600', async () => {
    const nested = path.join(dir, 'data', 'mmr');
    const file = await appendVote(entry('first'), { dir: nested });
    await appendVote(entry('second', null), { dir: nested });
    expect(file).toBe(path.join(nested, 'votes.jsonl'));
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    // Written as version 2: the entry, plus where it sits in a conversation (a new one of one turn).
    expect(JSON.parse(lines[0])).toEqual({ v: 2, ...entry('first'), conversation: expect.stringMatching(/^[0-9a-f]{8}$/), turn: 1, system: null, context: [] });
    expect(JSON.parse(lines[1]).winner).toBeNull();
    if (process.platform !== 'win32') {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(nested)).mode & 0o777).toBe(0o700);
    }
  });

  it('tightens a log another tool left world-readable', async () => {
    if (process.platform === 'win32') return;
    const file = path.join(dir, 'votes.jsonl');
    await writeFile(file, '');
    await chmod(file, 0o644);
    await appendVote(entry('x'), { dir });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('does not interleave lines when many processes append at once', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => appendVote(entry(`p${i} ${'x'.repeat(2000)}`), { dir })));
    const votes = await readVotes({ dir });
    expect(votes).toHaveLength(50);
    expect(new Set(votes.map((v) => v.prompt.split(' ')[0])).size).toBe(50);
  });

  it('starts a fresh line after a torn one, so only the torn vote is lost', async () => {
    await appendVote(entry('kept'), { dir });
    await appendFile(path.join(dir, 'votes.jsonl'), '{"time":"2025-06-01T12:0');
    await appendVote(entry('after'), { dir });
    expect((await readVotes({ dir })).map((v) => v.prompt)).toEqual(['kept', 'after']);
  });
});

describe('readVotes', () => {
  it('skips a torn last line', async () => {
    await appendVote(entry('one'), { dir });
    await appendVote(entry('two'), { dir });
    await appendFile(path.join(dir, 'votes.jsonl'), '{"time":"2025-06-01T12:00:00.000Z","prompt":"thr');
    expect((await readVotes({ dir })).map((v) => v.prompt)).toEqual(['one', 'two']);
  });

  it('returns the most recent `limit` entries, oldest first; nothing when there is no log', async () => {
    for (const p of ['a', 'b', 'c', 'd']) await appendVote(entry(p), { dir });
    expect((await readVotes({ dir, limit: 2 })).map((v) => v.prompt)).toEqual(['c', 'd']);
    expect(await readVotes({ dir: path.join(dir, 'none') })).toEqual([]);
  });
});

describe('where votes live', () => {
  it('honours XDG_DATA_HOME, else the platform data dir', () => {
    expect(votesDir({ XDG_DATA_HOME: '/xdg/data' })).toBe(path.join('/xdg/data', 'mmr'));
    expect(votesFile({ env: { XDG_DATA_HOME: '/xdg/data' } })).toBe(path.join('/xdg/data', 'mmr', 'votes.jsonl'));
    expect(votesDir({ XDG_DATA_HOME: 'relative' })).toMatch(/mmr$/);
  });
});

describe('toVoteEntry', () => {
  it('records every model with its cost, latency and tokens, and the winner by id', () => {
    const a = emptyResult('openai:gpt-4o-mini');
    Object.assign(a, { done: true, costUsd: 0.001, latencyMs: 900, ttftMs: 200, usage: { inputTokens: 5, outputTokens: 50 } });
    const b = emptyResult('ollama:llama3.2');
    Object.assign(b, { done: true, error: { kind: 'network', message: 'connection refused', status: null, retryable: false } });
    const e = toVoteEntry('hi', [a, b], 0, true, new Date('2025-01-02T03:04:05Z'));
    expect(e).toEqual({
      time: '2025-01-02T03:04:05.000Z',
      prompt: 'hi',
      models: ['openai:gpt-4o-mini', 'ollama:llama3.2'],
      winner: 'openai:gpt-4o-mini',
      blind: true,
      results: [
        { model: 'openai:gpt-4o-mini', costUsd: 0.001, latencyMs: 900, ttftMs: 200, outputTokens: 50, error: null, answer: '' },
        { model: 'ollama:llama3.2', costUsd: null, latencyMs: null, ttftMs: null, outputTokens: null, error: 'connection refused', answer: '' },
      ],
    });
    expect(toVoteEntry('hi', [a, b], null, false).winner).toBeNull();
  });
});

describe('mmr history', () => {
  it('prints one line per vote: time, winner, the others, the prompt', async () => {
    await appendVote(entry('Write a SQL query for the top 5 customers by revenue'), { dir });
    await appendVote({ ...entry('second   prompt\nwith lines', null), blind: true }, { dir });
    const out = sink();
    Object.assign(out.stream, { columns: 160 });
    await runHistory({ limit: 10 }, { dir, stdout: out.stream, stderr: sink().stream });
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d {2}[0-9a-f]{8} {2}✔ openai:gpt-4o-mini over anthropic:claude-haiku-4-5 {2}"Write a SQL query/);
    expect(lines[1]).toContain('✖ none good over openai:gpt-4o-mini, anthropic:claude-haiku-4-5 (blind)');
    expect(lines[1]).toContain('"second prompt with lines"');
  });

  it('--json prints the stored entries as JSONL', async () => {
    await appendVote(entry('a'), { dir });
    await appendVote(entry('b'), { dir });
    const out = sink();
    await runHistory({ json: true, limit: 1 }, { dir, stdout: out.stream });
    expect(out.text().trimEnd().split('\n').map((l) => JSON.parse(l).prompt)).toEqual(['b']);
  });

  it('says where votes will be kept when there are none, on stderr', async () => {
    const out = sink();
    const err = sink();
    await runHistory({}, { dir, stdout: out.stream, stderr: err.stream });
    expect(out.text()).toBe('');
    expect(err.text()).toContain(path.join(dir, 'votes.jsonl'));
  });

  it('reads version 1 lines as they were written', async () => {
    await writeFile(path.join(dir, 'votes.jsonl'), `${JSON.stringify(entry('an old vote'))}\n`);
    const [v] = await readVotes({ dir });
    expect(v).toEqual(entry('an old vote'));
    const out = sink();
    await runHistory({}, { dir, stdout: out.stream, stderr: sink().stream });
    // No conversation id to show: version 1 had none.
    expect(out.text()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d {2}✔ openai:gpt-4o-mini over/);
  });

  it('skips lines that are not votes (issue 9: "prompt": null) with one counted warning, and lists the rest', async () => {
    await appendVote(entry('good one'), { dir });
    await appendFile(path.join(dir, 'votes.jsonl'), '{"time":"2025-06-01T12:00:00.000Z","prompt":null,"models":[],"winner":null}\n[1,2]\n"text"\n{"prompt":"p","models":"x","winner":null}\n{"prompt":"p","models":[],"winner":3}\n');
    await appendVote(entry('good two'), { dir });
    const warnings: string[] = [];
    expect((await readVotes({ dir, warn: (m) => warnings.push(m) })).map((v) => v.prompt)).toEqual(['good one', 'good two']);
    expect(warnings).toEqual([`skipped 5 lines of ${path.join(dir, 'votes.jsonl')} that are not a vote (first at line 2)`]);
    const out = sink();
    const err = sink();
    await runHistory({}, { dir, stdout: out.stream, stderr: err.stream });
    expect(out.text().trimEnd().split('\n')).toHaveLength(2);
    expect(err.text().match(/skipped 5 lines/g)).toHaveLength(1);
  });

  it('cuts long prompts to the width', () => {
    const [line] = historyLines([entry('word '.repeat(100))], 140);
    expect(Array.from(line).length).toBeLessThanOrEqual(140);
    expect(line).toMatch(/…"$/);
  });
});
