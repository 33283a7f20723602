/**
 * Flag parsers shared by every commander registration. Imports only commander: the CLI entry
 * loads this module at start-up.
 */
import { CommanderError, type Command } from 'commander';

/** A repeatable flag: `-m a -m b` → ['a', 'b']. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * A numeric flag checked at parse time. The error carries the code cli.ts prints as
 * `mmr: --flag must be …` with exit 2.
 */
export function numberFlag(flag: string, { min, max, int }: { min?: number; max?: number; int?: boolean } = {}) {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n)) || (min !== undefined && n < min) || (max !== undefined && n > max)) {
      const range = [min !== undefined ? `>= ${min}` : '', max !== undefined ? `<= ${max}` : ''].filter(Boolean).join(' and ');
      throw new CommanderError(2, 'mmr.invalidNumber', `error: ${flag} must be ${int ? 'a whole number' : 'a number'}${range ? ` ${range}` : ''}, got "${value}"`);
    }
    return n;
  };
}

/** A command's own flags over the global ones (--config, --color). */
export const withGlobals = <T extends object>(flags: T, cmd: Command) => ({ ...cmd.optsWithGlobals(), ...flags });

/**
 * `--reasoning off|low|medium|high|<tokens>`, checked at parse time (the session turns it into
 * the setting; core/reasoning.ts has the full rule).
 */
export function reasoningFlag(value: string): string {
  if (!/^\s*(off|none|low|medium|high|\d{1,7})\s*$/i.test(value)) {
    throw new CommanderError(2, 'mmr.invalidNumber', `error: --reasoning must be off, low, medium, high or a thinking budget in tokens, got "${value}"`);
  }
  return value;
}
