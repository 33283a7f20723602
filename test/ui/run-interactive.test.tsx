import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInteractive, type InteractiveOptions } from '../../src/ui/run-interactive.js';
import { writeNewFile } from '../../src/commands/interactive.js';
import { delta, FakeStdin, FakeStdout, finish, recordingStart, tick, waitFor } from './helpers.js';

function setup(over: Partial<InteractiveOptions> = {}) {
  const rec = recordingStart();
  const stdout = new FakeStdout(100, 30);
  const stdin = new FakeStdin();
  const opts: InteractiveOptions = {
    prompt: 'hello',
    models: [{ id: 'a:one' }, { id: 'b:two' }],
    start: rec.start,
    proposeRule: (_p, w) => ({ name: 'r', keywords: ['k'], match: 'any', category: null, use: w }),
    saveRule: async () => ({ file: 'f' }),
    ruleFile: 'f',
    onVote: async () => {},
    ...over,
  };
  const io = { stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream, stderr: new FakeStdout(100, 30) as unknown as NodeJS.WriteStream, interactive: true, patchConsole: false };
  const frame = () => stdout.frames.join('');
  return { rec, stdin, stdout, opts, io, frame };
}

describe('runInteractive', () => {
  it('resolves 0 on q and cancels what is in flight', async () => {
    const s = setup();
    const run = runInteractive(s.opts, s.io);
    await waitFor(() => String(s.rec.calls.length), (n) => n === '1');
    s.rec.calls[0].queue.push(delta(0, 'a:one', 'hi there'));
    await waitFor(s.frame, (f) => f.includes('hi there'));
    s.stdin.write('q');
    expect(await run).toEqual({ exitCode: 0 });
    expect(s.rec.calls[0].signal.aborted).toBe(true);
  });

  it('resolves 130 on Ctrl-C', async () => {
    const s = setup();
    const run = runInteractive(s.opts, s.io);
    await waitFor(() => String(s.rec.calls.length), (n) => n === '1');
    await tick(20);
    s.stdin.write('\u0003');
    expect(await run).toEqual({ exitCode: 130 });
    expect(s.rec.calls[0].signal.aborted).toBe(true);
  });

  it('without a keyboard, needs a prompt, and ends when the answers are in', async () => {
    const s = setup({ prompt: undefined });
    await expect(runInteractive(s.opts, { ...s.io, interactive: false })).rejects.toThrow(/no prompt given/);
    const t = setup();
    const run = runInteractive(t.opts, { ...t.io, interactive: false });
    await waitFor(() => String(t.rec.calls.length), (n) => n === '1');
    t.rec.calls[0].queue.push(delta(0, 'a:one', 'x'), finish(0, 'a:one'), finish(1, 'b:two'));
    t.rec.calls[0].queue.end();
    expect(await run).toEqual({ exitCode: 0 });
  });

  it('w writes a new file with the command\'s writer, and it refuses to overwrite one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mmr-w-'));
    try {
      const s = setup({ writeAnswer: writeNewFile });
      const run = runInteractive(s.opts, s.io);
      await waitFor(() => String(s.rec.calls.length), (n) => n === '1');
      s.rec.calls[0].queue.push(delta(0, 'a:one', 'the answer'), finish(0, 'a:one'));
      await waitFor(s.frame, (f) => f.includes('the answer'));
      const file = path.join(dir, 'out.md');
      for (const attempt of [1, 2]) {
        s.stdin.write('w');
        await tick(20);
        s.stdin.write('\u0015');
        await tick(10);
        s.stdin.write(file);
        await tick(10);
        s.stdin.write('\r');
        await waitFor(s.frame, (f) => f.includes(attempt === 1 ? `✔ wrote ${file}` : 'the file exists'));
      }
      expect(await readFile(file, 'utf8')).toBe('the answer\n');
      s.stdin.write('q');
      await run;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
