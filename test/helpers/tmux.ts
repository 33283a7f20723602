/**
 * tmux for the end-to-end tests of the terminal UI: one private tmux server per test file (its
 * own socket, no user config), kept alive from the first session to `close()`. The default
 * server is shared by every tmux user of the machine and exits when its last session ends: a
 * test whose `new-session` came in that moment failed with "server exited unexpectedly".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

export interface Tmux {
  /** Runs one tmux command on this file's server; throws with tmux's message when it fails. */
  run(...args: string[]): string;
  /** The visible text of a session's pane. */
  screen(session: string): string;
  /** Polls the pane (every 100 ms) until `test` holds; throws with the last screen after `ms`. */
  waitFor(session: string, test: (screen: string) => boolean, what: string, ms?: number): Promise<string>;
  /** Ends the server and every session on it. */
  close(): void;
}

let servers = 0;

export function privateTmux(): Tmux {
  const socket = path.join(tmpdir(), `mmr-tmux-${process.pid}-${++servers}`);
  const base = ['-S', socket, '-f', '/dev/null'];
  const run = (...args: string[]) => execFileSync('tmux', [...base, ...args], { encoding: 'utf8' });
  // With exit-empty off the server outlives the sessions that end between two tests.
  run('start-server', ';', 'set-option', '-g', 'exit-empty', 'off');
  const screen = (session: string) => run('capture-pane', '-p', '-t', session);
  return {
    run,
    screen,
    async waitFor(session, test, what, ms = 15_000) {
      const end = Date.now() + ms;
      let last = '';
      while (Date.now() < end) {
        last = screen(session);
        if (test(last)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}; screen was:\n${last}`);
    },
    close() {
      spawnSync('tmux', [...base, 'kill-server']);
      rmSync(socket, { force: true }); // tmux leaves the socket file behind
    },
  };
}
