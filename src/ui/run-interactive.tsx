/**
 * Entry of the terminal UI. Loaded only by dynamic import() when stdout is a terminal, so Ink
 * and React never cost a piped run anything (DESIGN rules 2 and 3).
 */
import { writeFile } from 'node:fs/promises';
import chalk from 'chalk';
import { render } from 'ink';
import { UsageError } from '../core/errors.js';
import { App } from './App.js';
import { MarkdownView } from './markdown.js';
import { fanoutStats } from './use-fanout.js';
import type { InteractiveOptions } from './types.js';

export type { InteractiveOptions, RuleDraft, RuleCheck, TurnRecordInput, TurnRequest, VoteRecord } from './types.js';

/** Where and how to draw; defaults are the process's own streams. */
export interface InteractiveIO {
  /** Where keys come from: process.stdin, or the terminal itself (/dev/tty) when stdin carried piped material. */
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** Read keys; default: stdin is a terminal. */
  interactive?: boolean;
  /** Route console.* above the UI (default true); off where console is not Node's own (tests). */
  patchConsole?: boolean;
  /** --color (true) / --no-color (false); undefined lets NO_COLOR, FORCE_COLOR and the terminal decide. */
  color?: boolean;
}

/**
 * Runs the comparison UI until the user quits: exit code 0 for `q` (or, without a keyboard, when
 * every answer is in), 130 for Ctrl-C. In-flight requests are aborted on the way out either way.
 */
export async function runInteractive(opts: InteractiveOptions, io: InteractiveIO = {}): Promise<{ exitCode: number }> {
  const stdin = io.stdin ?? process.stdin;
  const interactive = io.interactive ?? stdin.isTTY === true;
  if (!opts.prompt && !opts.resume && !interactive) {
    throw new UsageError('no prompt given, and stdin is not a terminal to type one in', 'pass the prompt as an argument: mmr ask "…"');
  }
  // Ink draws with this chalk too: --no-color turns the borders' colours off as well as the answers'.
  if (io.color === false) chalk.level = 0;
  else if (io.color === true && chalk.level === 0) chalk.level = 1;
  let settle!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (settle = resolve));
  // Raw mode turns Ctrl-C into a key the App handles; without a keyboard it stays a signal.
  const onSigint = () => settle(130);
  process.on('SIGINT', onSigint);

  // A moving average, so one slow frame (a resize, a GC pause) does not stall streaming.
  const frameCost = { current: 0 };
  const stats = { frames: 0, renderMs: 0 };
  const onRender = ({ renderTime }: { renderTime: number }) => {
    frameCost.current = frameCost.current * 0.8 + renderTime * 0.2;
    stats.frames++;
    stats.renderMs += renderTime;
  };
  const app = <App {...opts} colorLevel={chalk.level} interactive={interactive} frameCost={frameCost} onExit={(code) => settle(code)} />;
  const instance = render(app, {
    stdin,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    exitOnCtrlC: false,
    patchConsole: io.patchConsole ?? true,
    onRender,
  });
  // An exception inside the UI unmounts it; end the run rather than waiting for a key forever.
  const crashed = instance.waitUntilExit().then(
    () => 0,
    (err: unknown) => {
      throw err;
    },
  );
  try {
    const exitCode = await Promise.race([exited, crashed]);
    return { exitCode };
  } finally {
    process.off('SIGINT', onSigint);
    // Unmounting restores the cursor and cooked mode and runs the App's cleanup, which aborts requests.
    instance.unmount();
    await instance.waitUntilExit().catch(() => undefined);
    // bench/tui.mjs counts the frames drawn (MMR_TUI_STATS=file): a figure the machine's load cannot blur.
    if (process.env.MMR_TUI_STATS) await writeFile(process.env.MMR_TUI_STATS, JSON.stringify({ ...stats, ...fanoutStats, layouts: MarkdownView.layouts })).catch(() => undefined);
  }
}
