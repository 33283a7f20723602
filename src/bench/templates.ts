/**
 * `{{var}}` templates in prompt files: `{{ name | filter }}` with dotted paths into records, an
 * unknown name or filter an error naming the case, and a string that is exactly one template
 * taking the var's own value (a number, a list of turns).
 */
import { CaseError } from './case-error.js';

const TEMPLATE = /\{\{\s*([\w.-]+)\s*(?:\|\s*([\w-]+)\s*)?\}\}/g;
const WHOLE = /^\{\{\s*([\w.-]+)\s*(?:\|\s*([\w-]+)\s*)?\}\}$/;

/** `{{ name | filter }}` filters, for fields that need a little shaping (GSM8K's `#### 18`). */
const FILTERS: Record<string, (v: unknown) => unknown> = {
  trim: (v) => String(v).trim(),
  lower: (v) => String(v).toLowerCase(),
  upper: (v) => String(v).toUpperCase(),
  json: (v) => JSON.stringify(v),
  /** The final number in the text, as the `number` check reads answers ("#### 1,200" → 1200). */
  'last-number': (v) => {
    const hits = String(v).match(/-?\d[\d,]*(?:\.\d+)?/g);
    return hits ? Number(hits[hits.length - 1].replace(/,/g, '')) : null;
  },
};

/** A var by name, else by dotted path into records (`{{meta.source}}`, `{{turns.0}}`). */
function lookup(vars: Record<string, unknown>, name: string, where: string): unknown {
  if (Object.prototype.hasOwnProperty.call(vars, name)) return vars[name];
  let v: unknown = vars;
  for (const part of name.split('.')) {
    if (typeof v !== 'object' || v === null || !Object.prototype.hasOwnProperty.call(v, part)) {
      throw new CaseError(where, `template uses {{${name}}} but the case has no var "${name}"`);
    }
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function apply(vars: Record<string, unknown>, name: string, filter: string | undefined, where: string): unknown {
  const v = lookup(vars, name, where);
  if (!filter) return v;
  const f = FILTERS[filter];
  if (!f) throw new CaseError(where, `unknown template filter "${filter}" in {{${name} | ${filter}}} (use one of ${Object.keys(FILTERS).join(', ')})`);
  return f(v);
}

/** Replaces `{{name}}` (spaces allowed inside the braces); an unknown name is an error, not silence. */
export function fillTemplate(text: string, vars: Record<string, unknown>, where: string): string {
  // Most text has no template: spare it the regex.
  if (!text.includes('{{')) return text;
  return text.replace(TEMPLATE, (_, name: string, filter?: string) => {
    const v = apply(vars, name, filter, where);
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

/** A string that is exactly one `{{var}}` takes the var's own value (a list of turns, a number); else text. */
export function fillValue(text: string, vars: Record<string, unknown>, where: string): unknown {
  if (!text.includes('{{')) return text;
  const m = WHOLE.exec(text);
  return m ? apply(vars, m[1], m[2], where) : fillTemplate(text, vars, where);
}

/** `fillValue` over a string or the strings of a list; anything else as it is. */
export function fillDeep(v: unknown, vars: Record<string, unknown>, where: string): unknown {
  if (typeof v === 'string') return fillValue(v, vars, where);
  if (Array.isArray(v)) return v.map((x) => fillDeep(x, vars, where));
  return v;
}
