/**
 * The `json` check's `schema`: full JSON Schema (drafts 4, 7, 2019-09 and 2020-12, default
 * 2020-12 unless the schema's `$schema` names another) through @cfworker/json-schema, loaded on
 * the first schema check. Returns the most specific problem with its location, or null.
 */
import type { Validator } from '@cfworker/json-schema';

type Draft = '4' | '7' | '2019-09' | '2020-12';
const compiled = new WeakMap<object, Validator>();
let lib: Promise<typeof import('@cfworker/json-schema')> | undefined;

function draftOf(schema: Record<string, unknown>): Draft {
  const s = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (s.includes('draft-04')) return '4';
  if (s.includes('draft-07') || s.includes('draft-06')) return '7';
  if (s.includes('2019-09')) return '2019-09';
  return '2020-12';
}

export async function schemaProblem(value: unknown, schema: unknown): Promise<string | null> {
  if (typeof schema !== 'object' || schema === null) return null;
  let v = compiled.get(schema);
  if (!v) {
    const { Validator } = await (lib ??= import('@cfworker/json-schema'));
    v = new Validator(schema as object, draftOf(schema as Record<string, unknown>), false);
    compiled.set(schema, v);
  }
  const r = v.validate(value);
  if (r.valid) return null;
  // The deepest location is the one that says what is wrong; the parents only say "does not match".
  const depth = (loc: string) => loc.split('/').length;
  // A `false` subschema's own error only says "False boolean schema"; its parent's names the property.
  const told = r.errors.filter((e) => e.keyword !== 'false');
  const worst = [...(told.length ? told : r.errors)].sort((a, b) => depth(b.instanceLocation) - depth(a.instanceLocation) || depth(b.keywordLocation) - depth(a.keywordLocation))[0];
  const at = worst.instanceLocation.replace(/^#/, '$').replace(/\/([^/]+)/g, (_, k: string) => (/^\d+$/.test(k) ? `[${k}]` : `.${k.replace(/~1/g, '/').replace(/~0/g, '~')}`));
  return `${at}: ${worst.error.replace(/\.$/, '')} (${worst.keyword})`;
}
