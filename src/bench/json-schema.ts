/**
 * The JSON-schema subset prompt checks need (type, required, properties, items, enum), so no
 * validator dependency ships in the CLI. Returns the first problem with its path, or null.
 */
type Schema = {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, got: string): boolean {
  return want === got || (want === 'number' && got === 'integer');
}

export function schemaProblem(value: unknown, schema: unknown, at = '$'): string | null {
  if (typeof schema !== 'object' || schema === null) return null;
  const s = schema as Schema;
  const got = typeOf(value);
  if (s.type !== undefined) {
    const wants = Array.isArray(s.type) ? s.type : [s.type];
    if (!wants.some((w) => typeMatches(w, got))) return `${at} should be ${wants.join(' or ')}, got ${got}`;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    return `${at} should be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  }
  if (got === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k of s.required ?? []) if (!(k in obj)) return `${at}.${k} is required`;
    for (const [k, sub] of Object.entries(s.properties ?? {})) {
      if (k in obj) {
        const p = schemaProblem(obj[k], sub, `${at}.${k}`);
        if (p) return p;
      }
    }
  }
  if (got === 'array' && s.items) {
    const arr = value as unknown[];
    for (let i = 0; i < arr.length; i++) {
      const p = schemaProblem(arr[i], s.items, `${at}[${i}]`);
      if (p) return p;
    }
  }
  return null;
}
