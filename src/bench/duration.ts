/**
 * Durations given on the command line (`--older-than 30d`, `--poll-interval 30s`), read with
 * `ms` (`500ms`, `45s`, `10m`, `12h`, `30d`, `2w`, `1.5h`). A bare number takes `bareUnit`
 * (seconds for poll intervals), or is refused when a unit is required (`30` days or minutes?).
 */
import ms from 'ms';
import { UsageError } from '../core/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** ms for `text`; a usage error naming `flag` when it is not a positive duration. */
export function parseDuration(text: string, flag: string, bareUnit?: keyof typeof UNITS): number {
  const t = text.trim();
  const bare = /^\d+(?:\.\d+)?$/.test(t);
  const value = bare ? (bareUnit ? Number(t) * UNITS[bareUnit] : undefined) : ms(t as ms.StringValue);
  if (value === undefined || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} takes a duration such as 30s, 10m, 12h or 30d, got "${text}"`, bare && !bareUnit ? `add a unit: ${t}d for days, ${t}h for hours` : undefined);
  }
  return value;
}
