import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { bin, isolatedEnv } from '../helpers/cli.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const KEY = 'sk-tui-test-key-0123456789';

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = (s: string) => tmux('capture-pane', '-p', '-t', s);

async function waitFor(session: string, test: (screen: string) => boolean, what: string, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    last = screen(session);
    if (test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; screen was:\n${last}`);
}

describe.skipIf(!hasTmux)('mmr ask in a real terminal (tmux, built binary)', () => {
  let server: MockServer;
  const sessions: string[] = [];
  beforeAll(async () => {
    server = await startMockServer({
      apiKey: KEY,
      reply: (req) =>
        req.model === 'writer'
          ? { text: 'SELECT name, SUM(total) AS revenue FROM orders GROUP BY name ORDER BY revenue DESC LIMIT 5;', usage: { input: 20, output: 30 }, chunkDelayMs: 5 }
          : { text: 'Here is a query that ranks customers by revenue.', usage: { input: 20, output: 12 }, chunkDelayMs: 5 },
    });
  });
  afterAll(async () => {
    for (const s of sessions) spawnSync('tmux', ['kill-session', '-t', s]);
    await server.close();
  });

  it('streams answers side by side, picks a winner with a number key, and saves the rule to .routerrc', async () => {
    const { env, home } = await isolatedEnv({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrls.openai, TERM: 'xterm-256color' });
    const config = path.join(home, '.routerrc.yaml');
    writeFileSync(config, '# my routing config\naliases:\n  w: openai:writer\n');
    const session = `mmr-tui-${process.pid}-${Date.now()}`;
    sessions.push(session);
    // Ink renders nothing until exit when CI is set, so the binary runs without it.
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const cmd = ['env', '-i', ...envArgs, process.execPath, bin, 'ask', '-m', 'w', '-m', 'openai:other', 'Write a SQL query for the top 5 customers by revenue'];
    tmux('new-session', '-d', '-x', '120', '-y', '30', '-s', session, '-c', home, ...cmd);

    const shown = await waitFor(session, (s) => s.includes('GROUP BY') && s.includes('ranks customers') && (s.match(/✔/g) ?? []).length >= 2, 'both answers');
    expect(shown).toMatch(/1 w .*✔ done/); // the alias the user typed
    expect(shown).toMatch(/-m → 2 models/);
    expect(shown).toMatch(/2.*openai:other/);
    expect(shown).toMatch(/ttft \d+ms/);

    tmux('send-keys', '-t', session, '1');
    const dialog = await waitFor(session, (s) => /save/i.test(s) && s.includes('.routerrc.yaml'), 'the rule dialog');
    expect(dialog).toMatch(/keywords/i);
    tmux('send-keys', '-t', session, 'Enter');
    await waitFor(session, (s) => /saved/i.test(s), 'the saved confirmation');

    const saved = readFileSync(config, 'utf8');
    expect(saved.startsWith('# my routing config\naliases:\n  w: openai:writer\n')).toBe(true);
    expect(saved).toMatch(/rules:/);
    expect(saved).toMatch(/use: w\b/);

    const votes = path.join(home, '.local/share/mmr/votes.jsonl');
    expect(existsSync(votes)).toBe(true);
    expect(statSync(votes).mode & 0o777).toBe(0o600);
    const vote = JSON.parse(readFileSync(votes, 'utf8').trim().split('\n').at(-1)!);
    expect(vote).toMatchObject({ winner: 'openai:writer', blind: false, models: ['openai:writer', 'openai:other'] });

    tmux('send-keys', '-t', session, 'q');
    await waitFor(session, (s) => !s.includes('pick winner'), 'exit', 5_000).catch(() => undefined);
  });
});
