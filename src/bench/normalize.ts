/**
 * Raw case records (from any file format) → BenchCase: `{{var}}` templates filled in, checks
 * validated, so a mistake is reported once, before any request, with the file and line.
 */
import { UsageError } from '../core/errors.js';
import type { ChatMessage, Role } from '../core/types.js';
import type { BenchCase, Check, CheckType } from './types.js';

export const CHECK_TYPES: readonly CheckType[] = ['equals', 'contains', 'not-contains', 'regex', 'number', 'json', 'max-length', 'command', 'judge'];
/** Spellings people bring from other tools. */
const TYPE_ALIASES: Record<string, { type: CheckType; mode?: 'any' | 'all' }> = {
  'contains-any': { type: 'contains', mode: 'any' },
  'contains-all': { type: 'contains', mode: 'all' },
  icontains: { type: 'contains' },
  'is-json': { type: 'json' },
  'llm-rubric': { type: 'judge' },
  'max_length': { type: 'max-length' },
  'not_contains': { type: 'not-contains' },
};

export class CaseError extends UsageError {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`, 'fix the prompt file; see "Benchmarks over your prompt files" in the README for the case format');
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Replaces `{{name}}` (spaces allowed inside the braces); an unknown name is an error, not silence. */
export function fillTemplate(text: string, vars: Record<string, unknown>, where: string): string {
  return text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(vars, name)) throw new CaseError(where, `template uses {{${name}}} but the case has no var "${name}"`);
    const v = vars[name];
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

function fillDeep(v: unknown, vars: Record<string, unknown>, where: string): unknown {
  if (typeof v === 'string') return fillTemplate(v, vars, where);
  if (Array.isArray(v)) return v.map((x) => fillDeep(x, vars, where));
  return v;
}

function strings(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return null;
}

export function normalizeCheck(raw: unknown, where: string, vars: Record<string, unknown>): Check {
  const spec = typeof raw === 'string' ? { type: 'contains', value: raw } : raw;
  if (!isObj(spec) || typeof spec.type !== 'string') throw new CaseError(where, `each expect entry needs a "type" (one of ${CHECK_TYPES.join(', ')})`);
  const alias = TYPE_ALIASES[spec.type];
  const type = (alias?.type ?? spec.type) as CheckType;
  if (!CHECK_TYPES.includes(type)) throw new CaseError(where, `unknown check type "${spec.type}" (use one of ${CHECK_TYPES.join(', ')})`);
  const c: Check = { ...(spec as object), type, value: fillDeep(spec.value, vars, where) } as Check;
  if (alias?.mode) c.mode = alias.mode;
  if (spec.type === 'icontains') c.ignoreCase = true;
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new CaseError(where, `check "${spec.type}" needs ${what}`);
  };
  switch (type) {
    case 'equals':
      need(c.value !== undefined && c.value !== null, 'a "value"');
      break;
    case 'contains':
    case 'not-contains':
      need(strings(c.value) !== null, 'a "value": a string or a list of strings');
      if (c.mode !== undefined) need(c.mode === 'any' || c.mode === 'all', '"mode": any or all');
      break;
    case 'regex':
      need(typeof c.value === 'string', 'a "value" pattern');
      try {
        new RegExp(c.value as string, c.flags ?? '');
      } catch (err) {
        throw new CaseError(where, `invalid regex ${JSON.stringify(c.value)}: ${(err as Error).message}`);
      }
      break;
    case 'number': {
      const n = typeof c.value === 'string' ? Number(c.value.replace(/[,$\s]/g, '')) : c.value;
      need(typeof n === 'number' && Number.isFinite(n), 'a numeric "value"');
      c.value = n;
      need(c.tolerance === undefined || (typeof c.tolerance === 'number' && c.tolerance >= 0), 'a "tolerance" >= 0');
      break;
    }
    case 'json':
      need(c.schema === undefined || isObj(c.schema), 'a "schema" object');
      break;
    case 'max-length':
      need(typeof c.value === 'number' && c.value >= 0, 'a "value": the most characters allowed');
      break;
    case 'command':
      need(typeof c.value === 'string' || (strings(c.value)?.length ?? 0) > 0, 'a "value": a shell command or an argv list');
      break;
    case 'judge':
      c.rubric = typeof c.rubric === 'string' ? c.rubric : typeof c.value === 'string' ? c.value : undefined;
      need(typeof c.rubric === 'string' && c.rubric.trim() !== '', 'a "rubric" (what a good answer is)');
      c.rubric = fillTemplate(c.rubric!, vars, where);
      need(c.scale === undefined || c.scale === 'pass-fail' || c.scale === 'score', '"scale": pass-fail or score');
      break;
  }
  return c;
}

const ROLES: readonly Role[] = ['system', 'user', 'assistant'];

/**
 * One case. `defaults` (a file's shared `tags`, `vars`, `expect`) merge under the case's own.
 * `fallbackId` names cases that have no `id`.
 */
export function normalizeCase(raw: unknown, where: string, fallbackId: string, defaults: Record<string, unknown> = {}): BenchCase {
  if (typeof raw === 'string') raw = { prompt: raw };
  if (!isObj(raw)) throw new CaseError(where, 'a case must be an object with a "prompt" (or "messages")');
  const vars = { ...(isObj(defaults.vars) ? defaults.vars : {}), ...(isObj(raw.vars) ? raw.vars : {}) };
  if (raw.vars !== undefined && !isObj(raw.vars)) throw new CaseError(where, '"vars" must be a mapping of name → value');
  let messages: ChatMessage[];
  let system = typeof raw.system === 'string' ? fillTemplate(raw.system, vars, where) : undefined;
  if (typeof raw.prompt === 'string') {
    messages = [{ role: 'user', content: fillTemplate(raw.prompt, vars, where) }];
  } else if (Array.isArray(raw.messages) && raw.messages.length > 0) {
    messages = [];
    for (const [i, m] of raw.messages.entries()) {
      if (!isObj(m) || typeof m.content !== 'string' || !ROLES.includes(m.role as Role)) {
        throw new CaseError(where, `messages[${i}] must be {role: system|user|assistant, content: string}`);
      }
      const content = fillTemplate(m.content, vars, where);
      // Adapters take the system prompt apart from the turns.
      if (m.role === 'system') system = system ? `${system}\n\n${content}` : content;
      else messages.push({ role: m.role as Role, content });
    }
    if (messages.length === 0) throw new CaseError(where, '"messages" has no user turn');
  } else {
    throw new CaseError(where, 'the case has no "prompt" (a string) or "messages" (a non-empty list)');
  }
  const id = raw.id === undefined || raw.id === null ? fallbackId : String(raw.id);
  const tagsRaw = raw.tags ?? raw.tag ?? [];
  const tags = [...(strings(defaults.tags) ?? []), ...(strings(tagsRaw) ?? [])];
  if (strings(tagsRaw) === null) throw new CaseError(where, '"tags" must be a string or a list of strings');
  const expectRaw = raw.expect === undefined ? [] : Array.isArray(raw.expect) ? raw.expect : [raw.expect];
  const shared = Array.isArray(defaults.expect) ? defaults.expect : [];
  const expect = [...shared, ...expectRaw].map((c) => normalizeCheck(c, where, vars));
  return { id, where, messages, system, tags: [...new Set(tags)], expect };
}
