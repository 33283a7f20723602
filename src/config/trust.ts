/**
 * Which settings are privileged, and what each would do. A config file found by searching
 * belongs to whoever wrote the repository; its privileged settings (those that can run a
 * program, send a key somewhere, or read other environment variables) apply only once the user
 * has trusted that exact content with `mmr trust` (direnv's and mise's model). The user-level
 * file and `--config FILE` are the user's own and need no trust.
 *
 * PRIVILEGED_KEYS is the one list: a later setting of that kind is added there, with the
 * sentence that tells the user what it would do.
 */
import { splitVariantRef } from '../core/variants.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import { envBaseUrl, getPreset } from '../providers/presets.js';
import { formatPath, isPlainObject, type PathSeg } from './checks.js';
import type { MmrConfig } from './types.js';
import type { Locate } from './walker.js';

/** One privileged setting in a config file. */
export interface PrivilegedSetting {
  /** Where, e.g. `providers.openai.baseUrl`. */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
  /** What it would do, in a sentence safe to print: `would send OPENAI_API_KEY to http://…`. */
  effect: string;
}

/** The provider a setting acts on, as the merged config and the environment make it. */
export interface ProviderView {
  id: string;
  protocol?: string;
  /** Where requests go (config, else the preset's env variable, else the preset). */
  url?: string;
  /** Variables the key is read from. */
  keyEnv: string[];
  command?: string[];
}

interface PrivilegedKey {
  key: string;
  /** Only some values are privileged (protocol: command); default: any value. */
  applies?: (value: unknown) => boolean;
  /** `entry` is the mapping the key sits in (so one line need not repeat another's argv). */
  effect: (value: unknown, p: ProviderView, entry: Record<string, unknown>) => string;
}

const MAX_SHOWN = 200;
const clip = (s: string) => neutralizeLine(s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s);
const list = (xs: string[]) => xs.map(clip).join(', ');

/** A URL for a message: any `user:password@` hidden (it may be a credential). */
function showUrl(url: string | undefined): string {
  if (!url) return 'the provider';
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = u.username ? '***' : '';
      u.password = u.password ? '***' : '';
    }
    // URL adds a `/` to a bare origin; show what the file says.
    return clip(!url.endsWith('/') && u.href.endsWith('/') ? u.href.slice(0, -1) : u.href);
  } catch {
    return clip(url);
  }
}

const SAFE_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/;
/** argv as a shell would need it typed, so the user sees exactly what would run. */
export function showArgv(argv: unknown): string {
  const words = Array.isArray(argv) ? argv.map(String) : [String(argv)];
  const shown = words.map((w) => (SAFE_WORD.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
  return `\`${clip(shown)}\``;
}

const keysOf = (v: unknown): string[] => (isPlainObject(v) ? Object.keys(v) : []);
const names = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v == null ? [] : [String(v)]);
const sendKeys = (p: ProviderView) => (p.keyEnv.length ? `${p.keyEnv.map(clip).join(' or ')} and your prompts` : 'your prompts');

/**
 * Settings that can run code, send a key somewhere, or read other variables.
 *
 * Deliberately not here: `protocol` with an HTTP value (on `providers.<id>` or `models.<id>`),
 * `azure` and `apiVersion`. They change only the wire format on the same base URL with the same
 * key: the path (`/responses`, `/openai/deployments/…`), the header the key rides in (`api-key`,
 * `x-api-key`) and the body's shape. The origin the key goes to is still the one the user's own
 * settings (or the preset) named, so a project file that sets them cannot move a key. A per-model
 * `protocol: command` is refused by the schema, and would be privileged here if it were not.
 */
export const PRIVILEGED_KEYS: readonly PrivilegedKey[] = [
  {
    key: 'protocol',
    applies: (v) => v === 'command',
    effect: (_, p, entry) => `would make ${clip(p.id)} run a local program instead of calling a server${p.command && entry.command == null ? `: ${showArgv(p.command)}` : ''}`,
  },
  { key: 'command', effect: (v) => `would run ${showArgv(v)}` },
  {
    key: 'baseUrl',
    effect: (v, p) => (p.protocol === 'command' ? `sets a server URL ${showUrl(String(v))}` : `would send ${sendKeys(p)} to ${showUrl(String(v))}`),
  },
  {
    key: 'keyEnv',
    effect: (v, p) =>
      p.protocol === 'command' ? `would read ${list(names(v))} from your environment` : `would read ${list(names(v))} and send it to ${showUrl(p.url)}`,
  },
  {
    key: 'headers',
    effect: (v, p) => `would add the header${keysOf(v).length === 1 ? '' : 's'} ${list(keysOf(v))} to every request to ${showUrl(p.url)}`,
  },
  {
    key: 'env',
    effect: (v, p) => {
      const pairs = isPlainObject(v) ? Object.entries(v).map(([k, x]) => `${k}=${String(x)}`) : [];
      return `would set ${list(pairs)} in the environment of ${p.command ? showArgv(p.command) : 'the command it runs'}`;
    },
  },
];

/** The sections whose entries may hold privileged keys: `providers.<id>`, `models.<id>`, and aliases written with settings. */
export const PRIVILEGED_SCOPES = ['providers', 'models', 'aliases'] as const;

/** How `provider` looks once the merged config and the environment are applied. */
export function providerView(id: string, merged: MmrConfig, env: NodeJS.ProcessEnv): ProviderView {
  const pc = Object.prototype.hasOwnProperty.call(merged.providers, id) ? merged.providers[id] : undefined;
  const preset = getPreset(id);
  const keyEnv = pc?.keyEnv !== undefined ? names(pc.keyEnv) : [...(preset?.keyEnv ?? [])];
  const url = pc?.baseUrl ?? (preset ? (envBaseUrl(preset, env) ?? preset.baseUrl) : undefined);
  return { id, protocol: pc?.protocol ?? preset?.protocol, url: url || undefined, keyEnv, command: pc?.command };
}

/** The provider a `models.<ref>` entry belongs to: the ref's own, after one level of aliases. */
function providerOfModel(ref: string, merged: MmrConfig): string {
  const target = Object.prototype.hasOwnProperty.call(merged.aliases, ref) ? merged.aliases[ref] : ref;
  return target.includes(':') ? target.slice(0, target.indexOf(':')) : target;
}

/** Model names an untrusted file may hand to someone's command provider as `{model}`. */
const SAFE_MODEL = /^[A-Za-z0-9_][A-Za-z0-9._:/@+=-]*$/;

/** Every model reference a file makes, with where it is. */
function modelRefs(value: Record<string, unknown>): { ref: string; at: PathSeg[] }[] {
  const out: { ref: string; at: PathSeg[] }[] = [];
  const add = (v: unknown, at: PathSeg[]) => {
    if (typeof v === 'string') out.push({ ref: v, at });
    else if (Array.isArray(v)) v.forEach((x, i) => typeof x === 'string' && out.push({ ref: x, at: [...at, i] }));
  };
  add(value.default, ['default']);
  for (const [k, v] of Object.entries(isPlainObject(value.aliases) ? value.aliases : {})) {
    // An alias with settings names its model in `model:`.
    if (isPlainObject(v)) add(v.model, ['aliases', k, 'model']);
    else add(v, ['aliases', k]);
  }
  if (Array.isArray(value.rules)) {
    value.rules.forEach((r, i) => {
      if (!isPlainObject(r)) return;
      add(r.use, ['rules', i, 'use']);
      add(r.fallback, ['rules', i, 'fallback']);
    });
  }
  return out;
}

/** A ref without its variant settings (a malformed suffix is left for the schema to report). */
function baseOf(ref: string): string {
  try {
    return splitVariantRef(ref)?.base ?? ref;
  } catch {
    return ref;
  }
}

/** Follow aliases (cycles and misses end the walk; the resolver reports those). */
function expand(ref: string, aliases: Record<string, string>): string {
  const seen = new Set<string>();
  let cur = ref;
  while (Object.prototype.hasOwnProperty.call(aliases, cur) && !seen.has(cur)) {
    seen.add(cur);
    cur = aliases[cur];
  }
  return cur;
}

/**
 * The privileged settings in one file's parsed value. `merged` (user file + this file) and `env`
 * make the effects concrete: which key variable would be sent, to which URL.
 */
export function privilegedSettings(value: unknown, merged: MmrConfig, env: NodeJS.ProcessEnv, locate?: Locate): PrivilegedSetting[] {
  if (!isPlainObject(value)) return [];
  const out: PrivilegedSetting[] = [];
  const push = (at: PathSeg[], effect: string) => {
    const s: PrivilegedSetting = { path: formatPath(at), effect };
    const line = locate?.(at, true);
    if (line !== undefined) s.line = line;
    out.push(s);
  };
  for (const scope of PRIVILEGED_SCOPES) {
    const section = value[scope];
    if (!isPlainObject(section)) continue;
    for (const [id, entry] of Object.entries(section)) {
      if (!isPlainObject(entry)) continue;
      const view = providerView(scope === 'providers' ? id : providerOfModel(id, merged), merged, env);
      for (const k of PRIVILEGED_KEYS) {
        const v = entry[k.key];
        if (v === undefined || v === null || (k.applies && !k.applies(v))) continue;
        push([scope, id, k.key], k.effect(v, view, entry));
      }
    }
  }
  // A name this file picks becomes `{model}` in the argv of a command provider (even the
  // user's own): one that could be read as a flag or by a shell wrapper is privileged too.
  for (const { ref, at } of modelRefs(value)) {
    // A variant's settings (`x{temperature=0}`) go to the request, not into the name the command sees.
    const id = expand(baseOf(ref), merged.aliases);
    const i = id.indexOf(':');
    if (i < 1) continue;
    const view = providerView(id.slice(0, i), merged, env);
    if (view.protocol !== 'command' || SAFE_MODEL.test(id.slice(i + 1))) continue;
    push(at, `would pass the model name ${JSON.stringify(clip(id.slice(i + 1)))} to ${view.command ? showArgv(view.command) : 'a local command'}`);
  }
  // File order reads best (the sort is stable; settings without a line keep their place at the end).
  return out.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/** `path` quoted for a shell when it needs it. */
export function shellWord(s: string): string {
  return SAFE_WORD.test(s) ? s : `'${neutralizeLine(s).replace(/'/g, `'\\''`)}'`;
}
