import type { Paint } from './text.js';

/**
 * Colours for stderr. chalk (via supports-color) already honours NO_COLOR, FORCE_COLOR,
 * TERM=dumb and the --color / --no-color flags; it loads only when stderr is a terminal
 * or colour is forced, so pipes pay nothing.
 */
export async function stderrPaint(): Promise<Paint | undefined> {
  const forced = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0';
  if (!process.stderr.isTTY && !forced && !process.argv.includes('--color')) return undefined;
  const { chalkStderr } = await import('chalk');
  if (chalkStderr.level === 0) return undefined;
  return {
    dim: (s) => chalkStderr.dim(s),
    green: (s) => chalkStderr.green(s),
    red: (s) => chalkStderr.red(s),
    yellow: (s) => chalkStderr.yellow(s),
    bold: (s) => chalkStderr.bold(s),
  };
}
