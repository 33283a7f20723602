/**
 * `mmr report rows.jsonl` in a real terminal (tmux, built binary): the grid opens, a number key
 * votes, and the vote lands in the vote log as a version-2 line with source "report".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bin, isolatedEnv } from '../helpers/cli.js';
import { hasTmux, privateTmux, type Tmux } from '../helpers/tmux.js';

const row = (caseId: string, model: string, pass: boolean, answer: string) => JSON.stringify({
  caseId, where: 'cases.yaml:1', tags: ['geo'], prompt: `Capital of ${caseId}?`, messages: [{ role: 'user', content: `Capital of ${caseId}?` }], system: null, model, answer, pass,
  checks: [{ type: 'contains', pass, detail: pass ? undefined : 'missing "Paris"' }], error: null, latencyMs: 120, ttftMs: 40, inputTokens: 5, outputTokens: 2, costUsd: 0.00001, judgeCostUsd: 0, cached: false, attempts: 1, turn: 1, sample: 1,
});

describe.skipIf(!hasTmux)('mmr report in a real terminal (tmux)', () => {
  let tm: Tmux;
  const tmux = (...args: string[]) => tm.run(...args);
  const waitFor = (session: string, test: (s: string) => boolean, what: string) => tm.waitFor(session, test, what, 10_000);
  beforeAll(() => {
    tm = privateTmux();
  });
  afterAll(() => tm?.close());

  it('pages through answers and writes a vote to the vote log', async () => {
    const { env, home } = await isolatedEnv({ TERM: 'xterm-256color' });
    const rows = path.join(home, 'rows.jsonl');
    writeFileSync(rows, [row('france', 'openai:good', true, 'Paris'), row('france', 'openai:bad', false, 'London'), row('japan', 'openai:good', true, 'Tokyo'), row('japan', 'openai:bad', true, 'Tokyo')].join('\n'));
    const session = `mmr-report-${process.pid}-${Date.now()}`;
    // Ink renders nothing until exit when CI is set, so the binary runs without it.
    const cmd = ['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, bin, 'report', rows];
    tmux('new-session', '-d', '-x', '110', '-y', '30', '-s', session, '-c', home, ...cmd);
    const first = await waitFor(session, (s) => s.includes('case 1/2') && s.includes('London'), 'the first case');
    expect(first).toContain('✖ contains: missing "Paris"');
    tmux('send-keys', '-t', session, 'Right');
    await waitFor(session, (s) => s.includes('case 2/2') && s.includes('Capital of japan?'), 'the second case');
    tmux('send-keys', '-t', session, 'Left');
    await waitFor(session, (s) => s.includes('case 1/2'), 'back to the first');
    tmux('send-keys', '-t', session, '1');
    await waitFor(session, (s) => s.includes('voted: openai:good'), 'the vote');
    tmux('send-keys', '-t', session, 'q');
    const log = path.join(home, '.local/share/mmr/votes.jsonl');
    const end = Date.now() + 5000;
    while (!existsSync(log) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const entries = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ v: 2, source: 'report', prompt: 'Capital of france?', winner: 'openai:good', models: ['openai:good', 'openai:bad'], turn: 1 });
    expect(entries[0].results[1]).toMatchObject({ model: 'openai:bad', answer: 'London' });
  });
});
