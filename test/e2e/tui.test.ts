import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { bin, isolatedEnv, mmr } from '../helpers/cli.js';
import { hasTmux, privateTmux, type Tmux } from '../helpers/tmux.js';

const KEY = 'sk-tui-test-key-0123456789';

const done = (n: number) => (s: string) => (s.match(/✔ done/g) ?? []).length >= n;
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe.skipIf(!hasTmux)('mmr ask in a real terminal (tmux, built binary)', () => {
  let server: MockServer;
  let started = 0;
  let tm: Tmux;
  const tmux = (...args: string[]) => tm.run(...args);
  const screen = (session: string) => tm.screen(session);
  const waitFor = (...args: Parameters<Tmux['waitFor']>) => tm.waitFor(...args);
  beforeAll(async () => {
    tm = privateTmux();
    server = await startMockServer({
      apiKey: KEY,
      reply: (req) => {
        const turns = (req.body?.messages ?? []).filter((m: { role: string }) => m.role === 'user').length;
        if (req.model === 'writer') return { text: turns > 1 ? `Turn ${turns} from writer.` : 'SELECT name, SUM(total) AS revenue FROM orders GROUP BY name ORDER BY revenue DESC LIMIT 5;', usage: { input: 20, output: 30 }, chunkDelayMs: 5 };
        return { text: turns > 1 ? `Turn ${turns} from other.` : 'Here is a query that **ranks** customers by revenue.', usage: { input: 20, output: 12 }, chunkDelayMs: 5 };
      },
    });
  });
  afterAll(async () => {
    tm?.close();
    await server.close();
  });

  /** Starts `command` (a shell line) in a new tmux session of the given size, in `home`. */
  function start(env: Record<string, string>, home: string, command: string, size = { x: 120, y: 34 }) {
    const session = `tui-${++started}`;
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    // Ink renders nothing until exit when CI is set, so the binary runs without it (env -i).
    tmux('new-session', '-d', '-x', String(size.x), '-y', String(size.y), '-s', session, '-c', home, 'env', '-i', ...envArgs, 'sh', '-c', command);
    return session;
  }
  const keysEnv = () => isolatedEnv({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrls.openai, TERM: 'xterm-256color' });
  const mmrCmd = (args: string) => `${sh(process.execPath)} ${sh(bin)} ${args}`;

  it('streams answers side by side, picks a winner with a number key, and saves the rule to .routerrc', async () => {
    const { env, home } = await keysEnv();
    const config = path.join(home, '.routerrc.yaml');
    writeFileSync(config, '# my routing config\naliases:\n  w: openai:writer\n');
    const session = start(env, home, mmrCmd(`ask -m w -m openai:other ${sh('Write a SQL query for the top 5 customers by revenue')}`));

    const shown = await waitFor(session, (s) => s.includes('GROUP BY') && s.includes('ranks customers') && done(2)(s), 'both answers');
    expect(shown).toMatch(/1 w .*✔ done/); // the alias the user typed
    expect(shown).toMatch(/-m → 2 models/);
    expect(shown).toMatch(/2.*openai:other/);
    expect(shown).toMatch(/ttft \d+ms/);
    // Markdown is rendered: the emphasis markers are gone.
    expect(shown).not.toContain('**ranks**');

    tmux('send-keys', '-t', session, '1');
    const dialog = await waitFor(session, (s) => /save a routing rule/i.test(s) && s.includes('.routerrc.yaml'), 'the rule dialog');
    expect(dialog).toMatch(/saves: when keywords any \[/);
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
    expect(vote).toMatchObject({ v: 2, turn: 1, winner: 'openai:writer', blind: false, models: ['openai:writer', 'openai:other'], source: 'ask', context: [] });
    expect(vote.conversation).toMatch(/^[0-9a-f]{8}$/);

    tmux('send-keys', '-t', session, 'q');
  });

  it('opens the side-by-side view on piped stdin, reading keys from the terminal itself', async () => {
    const { env, home } = await keysEnv();
    const before = server.requests.length;
    const session = start(env, home, `printf 'diff --git a/app.js b/app.js\\n+const x = 1;\\n' | ${mmrCmd(`ask -m openai:writer -m openai:other ${sh('review this')}`)}; echo EXIT=$?; sleep 5`);
    await waitFor(session, done(2), 'both answers');
    const asked = server.requests.slice(before).map((r) => r.body.messages.at(-1).content);
    expect(asked).toEqual(['review this\n\ndiff --git a/app.js b/app.js\n+const x = 1;', 'review this\n\ndiff --git a/app.js b/app.js\n+const x = 1;']);
    // Keys work although stdin is the pipe: pick, skip the rule, quit.
    tmux('send-keys', '-t', session, '2');
    await waitFor(session, (s) => /save a routing rule/i.test(s), 'the rule dialog');
    tmux('send-keys', '-t', session, 'Escape');
    await waitFor(session, (s) => s.includes('rule skipped'), 'the dialog closing');
    tmux('send-keys', '-t', session, 'q');
    await waitFor(session, (s) => s.includes('EXIT=0'), 'exit 0');
  });

  it('with piped stdin and no terminal to read keys from, prints plain output and says why', async () => {
    const { env, home } = await keysEnv();
    // setsid: a new session with no controlling terminal, so /dev/tty cannot be opened; stdout is still the pane.
    const session = start(env, home, `printf 'material' | setsid ${mmrCmd(`ask -m openai:writer ${sh('review this')}`)}; echo EXIT=$?; sleep 5`);
    const shown = await waitFor(session, (s) => s.includes('EXIT='), 'the plain run');
    expect(shown).toContain('no terminal to read keys from');
    expect(shown).toContain('SELECT name, SUM(total)');
    expect(shown).toContain('EXIT=0');
  });

  it('a follow-up reaches every model with its own conversation, and history keeps the whole conversation', async () => {
    const { env, home } = await keysEnv();
    const before = server.requests.length;
    const session = start(env, home, mmrCmd(`ask -m openai:writer -m openai:other ${sh('Top customers query?')}`));
    await waitFor(session, done(2), 'the first turn');
    tmux('send-keys', '-t', session, 'f');
    await waitFor(session, (s) => s.includes('follow-up ›'), 'the follow-up box');
    tmux('send-keys', '-t', session, '-l', 'Only for 2024');
    tmux('send-keys', '-t', session, 'Enter');
    const shown = await waitFor(session, (s) => s.includes('Turn 2 from writer.') && s.includes('Turn 2 from other.') && done(2)(s), 'the second turn');
    expect(shown).toContain('› Only for 2024');
    const second = server.requests.slice(before).filter((r) => r.body.messages.length > 1);
    expect(second.map((r) => r.model).sort()).toEqual(['other', 'writer']);
    const byModel = Object.fromEntries(second.map((r) => [r.model, r.body.messages]));
    expect(byModel.writer).toEqual([
      { role: 'user', content: 'Top customers query?' },
      { role: 'assistant', content: 'SELECT name, SUM(total) AS revenue FROM orders GROUP BY name ORDER BY revenue DESC LIMIT 5;' },
      { role: 'user', content: 'Only for 2024' },
    ]);
    expect(byModel.other[1]).toEqual({ role: 'assistant', content: 'Here is a query that **ranks** customers by revenue.' });
    tmux('send-keys', '-t', session, '1');
    await waitFor(session, (s) => /save a routing rule/i.test(s), 'the rule dialog');
    tmux('send-keys', '-t', session, 'Escape');
    await waitFor(session, (s) => s.includes('rule skipped'), 'the dialog closing');
    tmux('send-keys', '-t', session, 'q');

    // The vote is turn 2 of the conversation, with the turn before as its context.
    const votes = readFileSync(path.join(home, '.local/share/mmr/votes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(votes).toHaveLength(1);
    expect(votes[0]).toMatchObject({ turn: 2, prompt: 'Only for 2024', winner: 'openai:writer', context: byModel.writer.slice(0, 2) });
    const id = votes[0].conversation;
    const list = await mmr(['history'], { env });
    expect(list.stdout).toMatch(new RegExp(`${id} {2}✔ openai:writer over openai:other · 2 turns {2}"Top customers query\\?"`));
    const show = await mmr(['history', 'show', id.slice(0, 5)], { env });
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toMatch(/── turn 1 · no vote ──\n› Top customers query\?/);
    expect(show.stdout).toMatch(/── turn 2 · ✔ openai:writer won ──\n› Only for 2024/);
    expect(show.stdout).toContain('Turn 2 from other.');

    // --continue in a pipe: every model gets its whole side back, and the turn is stored.
    const n = server.requests.length;
    const cont = await mmr(['ask', '--continue', id, '--json', 'And 2023?'], { env });
    expect(cont.exitCode).toBe(0);
    const third = server.requests.slice(n);
    expect(third.map((r) => r.body.messages.length)).toEqual([5, 5]);
    expect(third.find((r) => r.model === 'other')!.body.messages.at(3)).toEqual({ role: 'assistant', content: 'Turn 2 from other.' });
    const after = await mmr(['history', 'show', id, '--json'], { env });
    expect(JSON.parse(after.stdout).turns.map((t: { prompt: string }) => t.prompt)).toEqual(['Top customers query?', 'Only for 2024', 'And 2023?']);
  });

  it('with CI set in a terminal, prints plain output and says why; --tui opens the UI anyway', async () => {
    const { env, home } = await keysEnv();
    const plain = start({ ...env, CI: 'true' }, home, `${mmrCmd(`ask -m openai:writer ${sh('q?')}`)}; echo EXIT=$?; sleep 5`);
    const shown = await waitFor(plain, (s) => s.includes('EXIT='), 'the plain run');
    expect(shown).toContain('CI is set, so the terminal UI is off');
    expect(shown).toContain('SELECT name, SUM(total)');
    expect(shown).toContain('EXIT=0');
    const ui = start({ ...env, CI: 'true' }, home, mmrCmd(`ask --tui -m openai:writer ${sh('q?')}`));
    await waitFor(ui, (s) => done(1)(s) && s.includes('1-9 pick'), 'the UI');
    tmux('send-keys', '-t', ui, 'q');
  });

  it('the demo in a terminal records no vote', async () => {
    const { env, home } = await isolatedEnv({ TERM: 'xterm-256color', MMR_DEMO_TIME_SCALE: '0' });
    const session = start(env, home, `${mmrCmd('demo')}; echo EXIT=$?; sleep 5`);
    // Four columns at 120 are tabs: every tab marked done.
    await waitFor(session, (s) => (s.match(/✔/g) ?? []).length >= 5, 'the recorded answers');
    expect(screen(session)).toContain('votes and rules are not saved');
    tmux('send-keys', '-t', session, '1');
    await waitFor(session, (s) => /save a routing rule/i.test(s) && s.includes('the demo saves nothing'), 'the dialog');
    tmux('send-keys', '-t', session, 'Escape');
    // (Esc and a key sent together read as Alt+key, as in any terminal.)
    await waitFor(session, (s) => s.includes('rule skipped'), 'the dialog closing');
    tmux('send-keys', '-t', session, 'f');
    await waitFor(session, (s) => s.includes('no follow-ups'), 'no follow-ups in the demo');
    tmux('send-keys', '-t', session, 'q');
    await waitFor(session, (s) => s.includes('EXIT=0'), 'exit');
    expect(existsSync(path.join(home, '.local/share/mmr/votes.jsonl'))).toBe(false);
    expect(existsSync(path.join(home, '.local/share/mmr/conversations.jsonl'))).toBe(false);
  });

  it('the rule dialog shows its whole sentence at 80 and 140 columns (wrapped inside the border, never cut)', async () => {
    const { env, home } = await isolatedEnv({ TERM: 'xterm-256color', MMR_DEMO_TIME_SCALE: '0' });
    for (const x of [80, 140]) {
      const session = start(env, home, `${mmrCmd('demo')}; sleep 5`, { x, y: 34 });
      await waitFor(session, (s) => s.includes('votes and rules are not saved') && (s.match(/✔/g) ?? []).length >= 2, 'the recorded answers');
      tmux('send-keys', '-t', session, '1');
      const dialog = await waitFor(session, (s) => /save a routing rule/i.test(s) && s.includes('esc skip'), 'the dialog');
      // The dialog's rows, border to border, joined back into its text.
      const rows = dialog.split('\n').slice(dialog.split('\n').findIndex((l) => /save a routing rule/i.test(l)));
      const inside = rows.slice(0, rows.findIndex((l) => l.startsWith('╰')));
      for (const r of inside) expect(r.trimEnd().endsWith('│'), r).toBe(true);
      const text = inside.map((r) => r.slice(1, r.trimEnd().length - 1).trim()).join(' ').replace(/ {2,}/g, ' ');
      expect(text).toMatch(/saves: when keywords any \[[^\]]+\] → use \S+, added after the existing rules/);
      expect(text).toContain('enter save · tab/↑/↓ next field');
      expect(text).toContain('· esc skip');
      tmux('send-keys', '-t', session, 'Escape');
      await waitFor(session, (s) => s.includes('rule skipped'), 'the dialog closing');
      tmux('send-keys', '-t', session, 'q');
    }
  });
});
