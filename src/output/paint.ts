import type { Paint } from './text.js';

/**
 * Whether stderr gets colour, before chalk is asked how much: `--color` / `--no-color` win;
 * then NO_COLOR with any non-empty value turns it off (no-color.org; chalk's supports-color does
 * not read NO_COLOR at all); then FORCE_COLOR (`0` or `false` turns it off, anything else on);
 * then whether stderr is a terminal. 'auto' leaves TERM=dumb and the colour depth to chalk.
 */
export function colorChoice(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): 'on' | 'off' | 'auto' {
  if (flag !== undefined) return flag ? 'on' : 'off';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 'off';
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force === '0' || force === 'false' ? 'off' : 'on';
  return isTTY ? 'auto' : 'off';
}

/**
 * Colours for stderr, or undefined for none (see colorChoice). chalk loads only when colour is
 * possible, so pipes pay nothing.
 */
export async function stderrPaint(color?: boolean, env: NodeJS.ProcessEnv = process.env, isTTY = process.stderr.isTTY === true): Promise<Paint | undefined> {
  const choice = colorChoice(color, env, isTTY);
  if (choice === 'off') return undefined;
  const { Chalk, chalkStderr } = await import('chalk');
  const chalk = choice === 'on' && chalkStderr.level === 0 ? new Chalk({ level: 1 }) : chalkStderr;
  if (chalk.level === 0) return undefined;
  return {
    dim: (s) => chalk.dim(s),
    green: (s) => chalk.green(s),
    red: (s) => chalk.red(s),
    yellow: (s) => chalk.yellow(s),
    bold: (s) => chalk.bold(s),
  };
}
