/**
 * Whether a model-calling command opens the terminal UI, and where its keys come from. The UI
 * needs stdout to be a terminal; keys come from stdin when it is one, else from the controlling
 * terminal (/dev/tty, as fzf does), so `git diff | mmr ask "review this"` still opens the
 * side-by-side view with the diff as material.
 */
import { closeSync, openSync } from 'node:fs';
import tty from 'node:tty';

export interface TuiFlags {
  json?: boolean;
  jsonl?: boolean;
  /** commander's --tui / --no-tui: true forces the UI, false never opens it. */
  tui?: boolean;
}

export type TuiPlan =
  | { tui: false; note?: string }
  /** `keys: 'tty'`: stdin is piped material; keys come from /dev/tty. */
  | { tui: true; keys: 'stdin' | 'tty' };

/** CI as Ink (is-in-ci) sees it: with it set, Ink draws nothing until exit. */
export const ciVariable = (env: NodeJS.ProcessEnv): string | undefined =>
  ['CI', 'CONTINUOUS_INTEGRATION'].find((k) => k in env && env[k] !== '0' && env[k] !== 'false');

export function tuiPlan(flags: TuiFlags, io: { stdin: { isTTY?: boolean }; stdout: { isTTY?: boolean }; env: NodeJS.ProcessEnv }): TuiPlan {
  if (flags.json || flags.jsonl || flags.tui === false || io.stdout.isTTY !== true) return { tui: false };
  const ci = ciVariable(io.env);
  if (ci && flags.tui !== true) {
    // A CI job with a pseudo-terminal would wait for keys forever; in a person's terminal --tui opens it.
    return { tui: false, note: `${ci} is set, so the terminal UI is off (it would wait for keys); --tui opens it anyway` };
  }
  return { tui: true, keys: io.stdin.isTTY === true ? 'stdin' : 'tty' };
}

/** The controlling terminal as a readable TTY stream for keys, or the reason it cannot be had. */
export function openTerminalKeys(path = '/dev/tty'): { stream: tty.ReadStream; close(): void } | { error: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
  if (!tty.isatty(fd)) {
    closeSync(fd);
    return { error: `${path} is not a terminal` };
  }
  const stream = new tty.ReadStream(fd);
  return {
    stream,
    close: () => {
      // Destroying the stream closes the descriptor; the process can then exit.
      stream.setRawMode?.(false);
      stream.destroy();
    },
  };
}

/**
 * Ink decides at import whether it runs in CI; when the UI opens in a terminal anyway (--tui),
 * it must not see the variable. Restored once the UI module is loaded.
 */
export async function importWithoutCi<T>(load: () => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const saved = { CI: env.CI, CONTINUOUS_INTEGRATION: env.CONTINUOUS_INTEGRATION };
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  try {
    return await load();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) env[k] = v;
  }
}
