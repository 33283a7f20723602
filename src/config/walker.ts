/**
 * The checking primitives the config schema is built from. Each check records a problem and
 * returns undefined instead of throwing, so one pass reports every mistake in a file at once.
 * `null` (a YAML key with nothing after it) counts as "not set": people comment out the
 * entries under a section and leave the section's key behind.
 */
import type { ConfigProblem } from '../core/errors.js';
import { formatPath, isPlainObject, typeName, type PathSeg } from './checks.js';
import { didYouMean } from './suggest.js';

/** 1-based line of the value at `path` (of its key, with `key`), when the source has lines. */
export type Locate = (path: readonly PathSeg[], key?: boolean) => number | undefined;

export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
  /** Unit for messages, e.g. `milliseconds`, `tokens`, `USD per 1M tokens`. */
  unit?: string;
}

/** Keys that would poke at Object.prototype when copied into a plain object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export class Walker {
  readonly problems: ConfigProblem[] = [];
  constructor(
    private readonly file: string,
    private readonly locate?: Locate,
  ) {}

  report(path: readonly PathSeg[], message: string, atKey = false): void {
    const line = this.locate?.(path, atKey);
    const problem: ConfigProblem = { file: this.file, path: formatPath(path), message };
    if (line !== undefined) problem.line = line;
    this.problems.push(problem);
  }

  /** A mapping; reports unknown keys (with a suggestion) against `allowed` when given. */
  object(
    v: unknown,
    path: readonly PathSeg[],
    allowed?: readonly string[],
    special: Record<string, string> = {},
  ): Record<string, unknown> | undefined {
    if (v === null || v === undefined) return undefined;
    if (!isPlainObject(v)) {
      this.report(path, `must be a mapping (key: value lines), got ${typeName(v)}`);
      return undefined;
    }
    for (const k of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(k)) this.report([...path, k], `"${k}" is not allowed as a key`, true);
      else if (allowed && !allowed.includes(k)) {
        const msg = special[k] ?? `unknown key "${k}"${didYouMean(k, allowed)}; allowed: ${allowed.join(', ')}`;
        this.report([...path, k], msg, true);
      }
    }
    return v;
  }

  string(v: unknown, path: readonly PathSeg[], opts: { nonEmpty?: boolean } = {}): string | undefined {
    if (v === null || v === undefined) return undefined;
    if (typeof v !== 'string') {
      this.report(path, `must be a string, got ${typeName(v)}`);
      return undefined;
    }
    // Only "" is empty: whitespace is meaningful in places such as stop sequences.
    if (opts.nonEmpty && v === '') {
      this.report(path, 'must not be empty');
      return undefined;
    }
    return v;
  }

  number(v: unknown, path: readonly PathSeg[], rule: NumberRule = {}): number | undefined {
    if (v === null || v === undefined) return undefined;
    const unit = rule.unit ? ` (${rule.unit})` : '';
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const quoted = typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? '; remove the quotes' : '';
      this.report(path, `must be a number${unit}, got ${typeName(v)}${quoted}`);
      return undefined;
    }
    if (rule.integer && !Number.isInteger(v)) {
      this.report(path, `must be a whole number${unit}, got ${v}`);
      return undefined;
    }
    const { min, max } = rule;
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
      const range =
        min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
      this.report(path, `must be ${range}${unit}, got ${v}`);
      return undefined;
    }
    return v;
  }

  /** A list of strings; a single string is accepted as a one-item list. */
  stringList(v: unknown, path: readonly PathSeg[], opts: { nonEmpty?: boolean; single?: boolean } = {}): string[] | undefined {
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'string' && opts.single !== false) return this.string(v, path, opts) === undefined ? undefined : [v];
    if (!Array.isArray(v)) {
      this.report(path, `must be a list of strings, got ${typeName(v)}`);
      return undefined;
    }
    if (opts.nonEmpty && v.length === 0) {
      this.report(path, 'must not be an empty list');
      return undefined;
    }
    const out: string[] = [];
    let ok = true;
    v.forEach((item, i) => {
      const s = this.string(item, [...path, i], { nonEmpty: opts.nonEmpty });
      if (s === undefined) {
        if (item === null || item === undefined) this.report([...path, i], 'must be a string, got nothing');
        ok = false;
      } else out.push(s);
    });
    return ok ? out : undefined;
  }

  /** A mapping from names to strings (headers, env). */
  stringMap(v: unknown, path: readonly PathSeg[]): Record<string, string> | undefined {
    const obj = this.object(v, path);
    if (!obj) return undefined;
    const out: Record<string, string> = {};
    let ok = true;
    for (const [k, item] of Object.entries(obj)) {
      if (FORBIDDEN_KEYS.has(k)) {
        ok = false;
        continue;
      }
      if (typeof item === 'string') out[k] = item;
      else {
        const hint = typeof item === 'number' || typeof item === 'boolean' ? '; put it in quotes' : '';
        this.report([...path, k], `must be a string, got ${typeName(item)}${hint}`);
        ok = false;
      }
    }
    return ok ? out : undefined;
  }
}
