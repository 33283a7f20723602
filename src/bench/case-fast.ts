/**
 * The common shape of a case in a JSONL file, validated without the general path's work:
 * `{id?, prompt, expect?, tags?}` (in any order) with no `{{` templates, in a file with no
 * `defaults`. It took ~60 ms of wall time and ~80 ms of CPU off the cached re-run of 10,000 cases
 * × 4 models (bench/cache-rerun.mjs): the cases are read while the code is still cold, and a small
 * function allocating little is optimised by V8 after far fewer calls than `normalizeCase`. Anything
 * else (another key, a template, a tag that is not a plain string) gives `undefined` and the case
 * goes through `normalizeCase`, so both paths give the same case and the same errors: a bad check
 * is reported by the same `normalizeCheck`, and nothing before it in `normalizeCase` can fail for
 * a case this path takes (`test/bench/case-fast.test.ts` compares the two).
 */
import { normalizeCheck } from './normalize.js';
import type { BenchCase, Check } from './types.js';

const NO_VARS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
// Shared by every case without tags or follow-ups: two objects less per case kept between the
// passes (nothing changes a case's lists after it is read; frozen, so a change would throw).
const NO_TAGS = Object.freeze([]) as unknown as string[];
const NO_FOLLOW_UPS = Object.freeze([]) as unknown as BenchCase['followUps'];

const plain = (s: unknown): s is string => typeof s === 'string' && !s.includes('{{');

/** The tags as normalizeCase gives them (no empty ones, first occurrence kept), or undefined when only it can tell. */
function plainTags(v: unknown): string[] | undefined {
  if (v === undefined) return NO_TAGS;
  if (plain(v)) return v === '' ? NO_TAGS : [v];
  if (!Array.isArray(v)) return undefined;
  for (let i = 0; i < v.length; i++) if (!plain(v[i])) return undefined;
  return [...new Set(v as string[])].filter((t) => t !== '');
}

/**
 * The case `normalizeCase(raw, where, base#index)` would give (no defaults), when `raw` has the
 * common shape; undefined otherwise. Throws only what normalizeCheck throws for its checks.
 */
export function simpleCase(raw: unknown, where: string, base: string, index: number): BenchCase | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  for (const k in r) if (k !== 'id' && k !== 'prompt' && k !== 'expect' && k !== 'tags') return undefined;
  const prompt = r.prompt;
  if (!plain(prompt)) return undefined;
  const idRaw = r.id;
  if (idRaw !== undefined && !plain(idRaw)) return undefined;
  const tags = plainTags(r.tags);
  if (!tags) return undefined;
  const ex = r.expect;
  let expect: Check[];
  if (ex === undefined) expect = [];
  else if (Array.isArray(ex)) {
    expect = new Array<Check>(ex.length);
    for (let i = 0; i < ex.length; i++) expect[i] = normalizeCheck(ex[i], where, NO_VARS);
  } else expect = [normalizeCheck(ex, where, NO_VARS)];
  const id = idRaw === undefined || idRaw === '' ? `${base}#${index}` : idRaw;
  return { id, where, messages: [{ role: 'user', content: prompt }], system: undefined, tags, expect, followUps: NO_FOLLOW_UPS };
}
