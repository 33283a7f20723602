import type { Paint } from './text.js';

/**
 * Colours for stderr, or undefined for none. `--color` / `--no-color` win; otherwise chalk
 * (supports-color) decides from NO_COLOR, FORCE_COLOR, TERM=dumb and whether stderr is a
 * terminal. chalk loads only when colour is possible, so pipes pay nothing.
 */
export async function stderrPaint(color?: boolean): Promise<Paint | undefined> {
  if (color === false) return undefined;
  const forced = color === true || (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0');
  if (!process.stderr.isTTY && !forced) return undefined;
  const { Chalk, chalkStderr } = await import('chalk');
  const chalk = color === true && chalkStderr.level === 0 ? new Chalk({ level: 1 }) : chalkStderr;
  if (chalk.level === 0) return undefined;
  return {
    dim: (s) => chalk.dim(s),
    green: (s) => chalk.green(s),
    red: (s) => chalk.red(s),
    yellow: (s) => chalk.yellow(s),
    bold: (s) => chalk.bold(s),
  };
}
