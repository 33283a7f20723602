/**
 * Layering of the user-level file and the project file. The project wins because it is the
 * more specific choice; mappings merge so a project can tweak one model without repeating the
 * user's whole provider setup.
 */
import { isPlainObject } from './checks.js';
import type { MmrConfig } from './types.js';

/** Objects merge key by key; arrays and scalars from `over` replace those in `base`. */
export function deepMerge<T>(base: T, over: T): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = Object.prototype.hasOwnProperty.call(out, k) && isPlainObject(out[k]) && isPlainObject(v) ? deepMerge(out[k], v) : v;
  }
  return out as T;
}

/**
 * `project` over `user`. Rules are the exception to "arrays replace": both files' rules apply,
 * the project's first, because rules are tried in order and the first match wins.
 */
export function mergeConfigs(user: MmrConfig, project: MmrConfig): MmrConfig {
  const merged = deepMerge(user, project);
  merged.rules = [...project.rules, ...user.rules];
  return merged;
}
