/**
 * Raw case records (from any file format) → BenchCase: `{{var}}` templates filled in
 * (templates.ts), checks validated, so a mistake is reported once, before any request, with the
 * file and line.
 */
import type { ChatMessage, Role } from '../core/types.js';
import { CaseError } from './case-error.js';
import { fillDeep, fillTemplate, fillValue } from './templates.js';
import type { BenchCase, Check, CheckType } from './types.js';


export const CHECK_TYPES: readonly CheckType[] = ['equals', 'contains', 'not-contains', 'regex', 'number', 'json', 'max-length', 'command', 'judge', 'latency', 'cost'];
/** Spellings people bring from other tools. */
const TYPE_ALIASES: Record<string, { type: CheckType; mode?: 'any' | 'all' }> = {
  'contains-any': { type: 'contains', mode: 'any' },
  'contains-all': { type: 'contains', mode: 'all' },
  icontains: { type: 'contains' },
  'is-json': { type: 'json' },
  'llm-rubric': { type: 'judge' },
  'max_length': { type: 'max-length' },
  'not_contains': { type: 'not-contains' },
  'max-latency': { type: 'latency' },
  'max-cost': { type: 'cost' },
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `o` has an own enumerable key. */
export function hasKeys(o: object): boolean {
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) return true;
  return false;
}

function strings(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return null;
}

/** Scalar vars as `MMR_VAR_<name>` (characters a variable name cannot hold become `_`). */
function commandEnv(vars: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') env[`MMR_VAR_${k.replace(/[^A-Za-z0-9_]/g, '_')}`] = String(v);
  }
  return env;
}

export function normalizeCheck(raw: unknown, where: string, vars: Record<string, unknown>): Check {
  const spec = typeof raw === 'string' ? { type: 'contains', value: raw } : raw;
  if (!isObj(spec) || typeof spec.type !== 'string') throw new CaseError(where, `each expect entry needs a "type" (one of ${CHECK_TYPES.join(', ')})`);
  const alias = TYPE_ALIASES[spec.type];
  const type = (alias?.type ?? spec.type) as CheckType;
  if (!CHECK_TYPES.includes(type)) throw new CaseError(where, `unknown check type "${spec.type}" (use one of ${CHECK_TYPES.join(', ')})`);
  let value = fillDeep(spec.value, vars, where);
  // A dataset field that is a number ({{year}} → 1969) still reads as text where text is expected.
  const text = (v: unknown) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v);
  if (type === 'contains' || type === 'not-contains' || type === 'regex' || type === 'equals') value = Array.isArray(value) ? value.map(text) : text(value);
  const c: Check = { ...(spec as object), type, value } as Check;
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
    case 'latency':
    case 'cost': {
      const n = typeof c.value === 'string' ? Number(c.value.replace(/[$\s]|ms$/g, '')) : c.value;
      need(typeof n === 'number' && Number.isFinite(n) && n >= 0, type === 'latency' ? 'a "value": the most ms allowed' : 'a "value": the most USD allowed');
      c.value = n;
      break;
    }
    case 'command': {
      // A dataset is data: a field spliced into a command would run as code, so vars go in the
      // environment instead, where a shell only ever sees them as values ("$MMR_VAR_answer").
      const written = strings(spec.value);
      if (written?.some((w) => /\{\{/.test(w))) {
        throw new CaseError(where, 'a command check cannot use {{templates}} in its command (a value from the data would run as shell code); the case\'s vars are in its environment as $MMR_VAR_<name>');
      }
      c.value = spec.value;
      need(typeof c.value === 'string' || (strings(c.value)?.length ?? 0) > 0, 'a "value": a shell command or an argv list');
      need(c.timeoutMs === undefined || (typeof c.timeoutMs === 'number' && c.timeoutMs > 0), '"timeoutMs": a positive number of ms');
      c.env = commandEnv(vars);
      break;
    }
    case 'judge':
      c.rubric = typeof c.rubric === 'string' ? c.rubric : typeof c.value === 'string' ? c.value : undefined;
      need(typeof c.rubric === 'string' && c.rubric.trim() !== '', 'a "rubric" (what a good answer is)');
      c.rubric = fillTemplate(c.rubric!, vars, where);
      need(c.threshold === undefined || (typeof c.threshold === 'number' && c.threshold >= 0 && c.threshold <= 10), '"threshold": a score from 0 to 10');
      need(c.scale === undefined || c.scale === 'pass-fail' || c.scale === 'score', '"scale": pass-fail or score');
      break;
  }
  return c;
}

const ROLES: readonly Role[] = ['system', 'user', 'assistant'];

/** Keys a file's `defaults` may give every case (a dataset's templates), when the case has none. */
const TEMPLATE_KEYS = ['id', 'system', 'grade'] as const;
const INPUT_KEYS = ['prompt', 'messages', 'turns'] as const;

function parseTurn(t: unknown, i: number, where: string, vars: Record<string, unknown>): { content: string; expect: unknown[] } {
  if (typeof t === 'string') return { content: fillTemplate(t, vars, where), expect: [] };
  if (isObj(t)) {
    const text = t.prompt ?? t.content;
    if (typeof text === 'string') {
      const ex = t.expect === undefined ? [] : Array.isArray(t.expect) ? t.expect : [t.expect];
      return { content: fillTemplate(text, vars, where), expect: ex };
    }
  }
  throw new CaseError(where, `turns[${i}] must be a string or {prompt: string, expect: [...]}`);
}

/**
 * One case. `defaults` (a file's shared `tags`, `vars`, `expect`, and for datasets the templates
 * `id`, `prompt` | `messages` | `turns`, `system`, `grade`) merge under the case's own.
 * `fallbackId` names cases that have no `id`.
 */
export function normalizeCase(raw: unknown, where: string, fallbackId: string, defaults: Record<string, unknown> = {}): BenchCase {
  if (typeof raw === 'string') raw = { prompt: raw };
  if (!isObj(raw)) throw new CaseError(where, 'a case must be an object with a "prompt" (or "messages" or "turns")');
  if (raw.vars !== undefined && !isObj(raw.vars)) throw new CaseError(where, '"vars" must be a mapping of name → value');
  const vars = isObj(defaults.vars) || isObj(raw.vars) ? { ...(isObj(defaults.vars) ? defaults.vars : {}), ...(isObj(raw.vars) ? raw.vars : {}) } : {};
  // The case as given, with the file's templates filled in where it has none (copied only then).
  let spec: Record<string, unknown> = raw;
  if (hasKeys(defaults)) {
    spec = { ...raw };
    for (const k of TEMPLATE_KEYS) if (spec[k] === undefined && defaults[k] !== undefined) spec[k] = defaults[k];
    if (!INPUT_KEYS.some((k) => raw[k] !== undefined)) for (const k of INPUT_KEYS) if (defaults[k] !== undefined) spec[k] = defaults[k];
  }

  let prefix: ChatMessage[] = [];
  let system = typeof spec.system === 'string' ? fillTemplate(spec.system, vars, where) : undefined;
  const turns: { content: string; expect: unknown[] }[] = [];
  if (Array.isArray(spec.messages) && spec.messages.length > 0) {
    for (const [i, m] of spec.messages.entries()) {
      if (!isObj(m) || typeof m.content !== 'string' || !ROLES.includes(m.role as Role)) {
        throw new CaseError(where, `messages[${i}] must be {role: system|user|assistant, content: string}`);
      }
      const content = fillTemplate(m.content, vars, where);
      // Adapters take the system prompt apart from the turns.
      if (m.role === 'system') system = system ? `${system}\n\n${content}` : content;
      else prefix.push({ role: m.role as Role, content });
    }
  } else if (spec.messages !== undefined) throw new CaseError(where, '"messages" must be a non-empty list');
  const turnList = typeof spec.turns === 'string' ? fillValue(spec.turns, vars, where) : spec.turns;
  if (typeof spec.prompt === 'string') turns.push({ content: fillTemplate(spec.prompt, vars, where), expect: [] });
  if (turnList !== undefined) {
    if (!Array.isArray(turnList) || turnList.length === 0) throw new CaseError(where, '"turns" must be a non-empty list of user turns');
    turnList.forEach((t, i) => turns.push(parseTurn(t, i, where, vars)));
  }
  if (turns.length === 0) {
    // `messages` alone: its last user turn is the one asked.
    const last = prefix.length - 1;
    if (last < 0 || prefix[last].role !== 'user') {
      if (prefix.length === 0 && !Array.isArray(spec.messages)) throw new CaseError(where, 'the case has no "prompt" (a string), "messages" (a non-empty list) or "turns"');
      throw new CaseError(where, '"messages" must end with a user turn');
    }
    turns.push({ content: prefix[last].content, expect: [] });
    prefix = prefix.slice(0, last);
  }

  const idRaw = typeof spec.id === 'string' ? fillTemplate(spec.id, vars, where) : spec.id;
  const id = idRaw === undefined || idRaw === null || idRaw === '' ? fallbackId : String(idRaw);
  const asText = (v: unknown) => (typeof v === 'number' ? String(v) : Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? String(x) : x)) : v);
  let tags: string[] = [];
  if (raw.tags !== undefined || raw.tag !== undefined || defaults.tags !== undefined) {
    const tagsRaw = asText(fillDeep(raw.tags ?? raw.tag ?? [], vars, where));
    const defaultTags = asText(fillDeep(defaults.tags ?? [], vars, where));
    if (strings(tagsRaw) === null || strings(defaultTags) === null) throw new CaseError(where, '"tags" must be a string or a list of strings');
    tags = [...new Set([...strings(defaultTags)!, ...strings(tagsRaw)!].filter((t) => t !== ''))];
  }
  const imagesRaw = raw.images === undefined && defaults.images === undefined ? [] : fillDeep(raw.images ?? defaults.images ?? [], vars, where);
  const imageFiles = typeof imagesRaw === 'string' ? [imagesRaw] : imagesRaw;
  if (!Array.isArray(imageFiles) || !imageFiles.every((f) => typeof f === 'string' && f !== '')) {
    throw new CaseError(where, '"images" must be a file path or a list of them (PNG, JPEG, GIF or WebP, relative to the prompt file)');
  }
  const grade = spec.grade ?? 'last';
  if (grade !== 'last' && grade !== 'each') throw new CaseError(where, '"grade" must be last (the case\'s checks grade the last turn) or each (every turn)');
  const expectRaw = raw.expect === undefined ? [] : Array.isArray(raw.expect) ? raw.expect : [raw.expect];
  const shared = Array.isArray(defaults.expect) ? defaults.expect : [];
  const caseChecks = [...shared, ...expectRaw].map((c) => normalizeCheck(c, where, vars));
  const graded = turns.map((t, i) => [...t.expect.map((c) => normalizeCheck(c, where, vars)), ...(grade === 'each' || i === turns.length - 1 ? caseChecks : [])]);
  const messages: ChatMessage[] = [...prefix, { role: 'user', content: turns[0].content }];
  const followUps = turns.length > 1 ? turns.slice(1).map((t, i) => ({ content: t.content, expect: graded[i + 1] })) : [];
  // Two literals rather than a spread of the optional field: a spread inside a literal puts the
  // whole object on V8's slow path (~1 µs a property), and every case of a run comes through here.
  if (imageFiles.length) return { id, where, messages, imageFiles: imageFiles as string[], system, tags, expect: graded[0], followUps };
  return { id, where, messages, system, tags, expect: graded[0], followUps };
}
