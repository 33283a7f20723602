/**
 * Small, dependency-free helpers the config schema walker and the model resolver share:
 * path formatting, type names for messages, and the "is this a secret?" heuristic.
 */

/** One step into a config document: a mapping key or a list index. */
export type PathSeg = string | number;

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `models["openai:gpt-4o"].temperature`, `rules[2]`: the form people paste into an editor search. */
export function formatPath(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** What a value is, in the words a YAML user knows. Never the value itself (it may be a secret). */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? 'a number' : 'infinity';
  if (typeof v === 'boolean') return 'true/false';
  return `a ${typeof v}`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Env var names as shells accept them. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const KEY_PREFIX = /^(sk-|sk_|gsk_|xai-|AIza|hf_|r8_|ghp_|github_pat_|pplx-|nvapi-|Bearer\s)/;

/**
 * Whether a string is probably an API key rather than the name of the variable holding one.
 * Used to refuse keys pasted into config (a file that gets committed) and to keep them out of
 * error messages. Errs towards "yes": a false positive only costs a rename.
 */
export function looksLikeApiKey(s: string): boolean {
  const t = s.trim();
  if (KEY_PREFIX.test(t)) return true;
  // Env var names are conventionally UPPER_SNAKE; long mixed-case/digit blobs are tokens.
  return t.length >= 24 && /[a-z]/.test(t) && /\d/.test(t) && !/^[a-z_]+$/i.test(t);
}

/** `FOO_API_KEY` for provider id `foo` (or `my-vllm` → `MY_VLLM_API_KEY`), for examples in hints. */
export function envNameFor(id: string): string {
  return `${id.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '') || 'MY'}_API_KEY`;
}
