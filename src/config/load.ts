/**
 * Finding and loading `.routerrc`. Two rules shape this file:
 *
 * 1. Searching never executes code. Running mmr inside a freshly cloned repository must not run
 *    that repository's `.routerrc.js`. So the search knows only data files (package.json field
 *    `router`, `.routerrc`, `.routerrc.json`, `.routerrc.yaml`, `.routerrc.yml`), and it is done
 *    here rather than by cosmiconfig's explorer: constructing a cosmiconfig 9 explorer runs its
 *    "meta config" lookup in process.cwd(), which imports `.config/config.js` if one exists.
 *    A `.js/.mjs/.cjs/.ts` config loads only when named with `--config FILE` (JS by native
 *    import, TS through cosmiconfig's TypeScript loader).
 * 2. Every problem in every file is reported at once, each with its file, path and line.
 *
 * 3. A file found by searching is someone else's until shown otherwise: it is read only when it
 *    and its directory are the user's (or root's) and nobody else can write them (files.ts),
 *    and its privileged settings apply only once `mmr trust` recorded its content (trust.ts, trust-check.ts).
 *
 * Layering: the user-level file (`<XDG config>/mmr/config.yaml|yml|json`) is the base, the
 * nearest project file (paths.ts searchDirs) overrides it. An untrusted project file with
 * privileged settings stops the command (exit 2) rather than being dropped: running with the
 * user file alone would silently lose the project's rules and defaults.
 * `--config FILE` loads that file alone: one explicit file is predictable, and scripts and CI
 * that pass it are not affected by whatever is in the user's config directory.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import { currentUid, readConfigFile, type ReadOptions } from './files.js';
import { mergeConfigs } from './merge.js';
import { PACKAGE_FIELD, SEARCH_PLACES, searchDirs, USER_FILES, userConfigDir } from './paths.js';
import { emptyConfig, validateConfig } from './schema.js';
import { privilegedOf, requireTrust } from './trust-check.js';
import type { LoadedConfig, MmrConfig } from './types.js';
import type { Locate } from './walker.js';

export { emptyConfig } from './schema.js';

export interface LoadConfigOptions {
  /** Where the project search starts; `configPath` is relative to it. */
  cwd: string;
  /** Environment for HOME / XDG_CONFIG_HOME (injected so tests never read the real user's files). */
  env: NodeJS.ProcessEnv;
  /** `--config FILE`: load only this file. The only way a JS/TS config is ever executed. */
  configPath?: string;
  /** Where warnings go (a skipped file, an unusable trust store); default: stderr, each once per process. */
  warn?: (message: string) => void;
  /** The uid ownership is checked against; default this process's. */
  uid?: number;
}

/** What a run without any config file uses. */
export function emptyLoadedConfig(): LoadedConfig {
  return { config: emptyConfig(), files: [] };
}

/** One config file, read, parsed and checked. */
export interface CheckedFile {
  /** Absolute path. */
  file: string;
  /** How messages name it (relative to cwd when under it). */
  shown: string;
  config: MmrConfig;
  problems: ConfigProblem[];
  /** The parsed value before validation: what the trust check looks at. */
  value?: unknown;
  locate?: Locate;
  bytes?: Buffer;
  /** package.json: the field read. */
  field?: string;
}

const SCRIPT_EXT = new Set(['.js', '.mjs', '.cjs', '.ts']);
const HINT = 'Fix the problems listed above (.routerrc.example in the mmr package shows every option), or pass --config FILE to use another file.';
/** Problems listed in one error; a generated 1 MB file can have tens of thousands. */
const MAX_PROBLEMS = 100;

const warned = new Set<string>();
/** Warnings go to stderr once per process, however often config is loaded. */
function stderrWarn(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`mmr: ${message}\n`);
}

/** Paths in messages: relative when under cwd (short, clickable), absolute otherwise. */
function display(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

const failed = (file: string, shown: string, message: string): CheckedFile => ({ file, shown, config: emptyConfig(), problems: [{ file: shown, path: '', message }] });

/** Parse + validate data text. `present` is false for a package.json without the field. */
async function checkText(bytes: Buffer, text: string, file: string, shown: string, field?: string): Promise<CheckedFile & { present: boolean }> {
  // yaml costs ~40 ms to import; most runs of a newcomer have no config file at all.
  const { parseConfigText } = await import('./parse.js');
  const parsed = parseConfigText(text, shown, field);
  if (!parsed.ok) return { file, shown, config: emptyConfig(), problems: parsed.problems, present: true };
  const { config, problems } = validateConfig(parsed.value, shown, parsed.locate);
  return { file, shown, config, problems, present: parsed.present, value: parsed.value, locate: parsed.locate, bytes, field };
}

/** Nearest project file from cwd upward; the first place that exists in a directory wins. */
async function searchProject(cwd: string, env: NodeJS.ProcessEnv, warn: (m: string) => void, uid: number | undefined): Promise<CheckedFile | undefined> {
  const opts: ReadOptions = { search: true, uid, dirs: new Map() };
  for (const dir of searchDirs(cwd, env)) {
    for (const place of SEARCH_PLACES) {
      const file = path.join(dir, place);
      const r = readConfigFile(file, opts);
      if (r.kind === 'missing') continue;
      const shown = display(file, cwd);
      if (r.kind === 'skipped') {
        const what = r.path === file ? shown : `config files in ${r.path}`;
        warn(`skipping ${what}: ${r.reason} (mmr reads only files that are yours or root's and that nobody else can write; pass --config FILE to use one anyway)`);
        if (r.path === file) continue;
        break; // the whole directory: its other places would say the same
      }
      if (r.kind === 'error') return failed(file, shown, r.message);
      if (place === 'package.json') {
        // Most package.json files have no such field; skip them without a full parse.
        if (!r.text.includes(`"${PACKAGE_FIELD}"`)) continue;
        const c = await checkText(r.bytes, r.text, file, shown, PACKAGE_FIELD);
        if (c.present) return c;
        continue;
      }
      return checkText(r.bytes, r.text, file, shown);
    }
  }
  return undefined;
}

async function findUserFile(env: NodeJS.ProcessEnv, cwd: string): Promise<CheckedFile | undefined> {
  const dir = userConfigDir(env);
  for (const name of USER_FILES) {
    const file = path.join(dir, name);
    const r = readConfigFile(file);
    if (r.kind === 'missing') continue;
    if (r.kind !== 'ok') return failed(file, display(file, cwd), r.kind === 'error' ? r.message : r.reason);
    return checkText(r.bytes, r.text, file, display(file, cwd));
  }
  return undefined;
}

/** A JS/TS config, executed on purpose because the user named it with --config. */
async function loadScript(file: string, shown: string, text: string): Promise<CheckedFile> {
  let value: unknown;
  try {
    if (file.toLowerCase().endsWith('.ts')) {
      const { defaultLoaders } = await import('cosmiconfig');
      value = await defaultLoaders['.ts'](file, text);
    } else {
      // Native import runs the file exactly once; cosmiconfig's JS loader re-runs a config that
      // throws through require() as a fallback. Node gives module.exports to CJS as `default`.
      value = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
    }
  } catch (err) {
    const first = String((err as Error).message ?? err).split('\n').find((l) => l.trim()) ?? 'unknown error';
    const ts = file.endsWith('.ts') && /typescript/i.test(first) ? ' (a .ts config needs the typescript package; .mjs or YAML do not)' : '';
    return failed(file, shown, `could not be loaded: ${first}${ts}`);
  }
  if (typeof value === 'function') return failed(file, shown, 'must export a config object (export default { ... }), not a function');
  const { config, problems } = validateConfig(value, shown);
  return { file, shown, config, problems, value };
}

/** A file the user named (--config, `mmr trust FILE`): bounded like any other, never skipped for its owner. */
export async function loadNamedFile(file: string, cwd: string): Promise<CheckedFile> {
  const shown = display(file, cwd);
  const r = readConfigFile(file);
  if (r.kind === 'missing') return failed(file, shown, 'file not found');
  if (r.kind !== 'ok') return failed(file, shown, r.kind === 'error' ? r.message : r.reason);
  if (SCRIPT_EXT.has(path.extname(file).toLowerCase())) return loadScript(file, shown, r.text);
  // Any other name is YAML or JSON (cosmiconfig treats extensionless `.routerrc` the same way).
  const field = path.basename(file) === 'package.json' ? PACKAGE_FIELD : undefined;
  const c = await checkText(r.bytes, r.text, file, shown, field);
  if (!c.present) c.problems.push({ file: shown, path: '', message: `has no "${PACKAGE_FIELD}" field` });
  return c;
}

/**
 * Every problem (the first MAX_PROBLEMS of them), made safe to print: messages quote values
 * from the file, and a hostile file's values may hold escape sequences.
 */
function configError(problems: ConfigProblem[]): ConfigError {
  const safe = problems.slice(0, MAX_PROBLEMS).map((p) => ({ ...p, file: neutralizeLine(p.file), path: neutralizeLine(p.path), message: neutralizeLine(p.message) }));
  if (problems.length > MAX_PROBLEMS) safe.push({ file: safe[0].file, path: '', message: `… and ${problems.length - MAX_PROBLEMS} more problems` });
  return new ConfigError(safe, HINT);
}

/** The project file the search finds from `cwd`, checked (not trust-checked), if any. */
export async function findProjectFile(opts: LoadConfigOptions): Promise<CheckedFile | undefined> {
  return searchProject(path.resolve(opts.cwd), opts.env, opts.warn ?? stderrWarn, opts.uid ?? currentUid());
}

/** The user-level file, checked, if any. */
export const findUserConfig = (env: NodeJS.ProcessEnv, cwd: string) => findUserFile(env, path.resolve(cwd));

/**
 * Load the effective config. Throws ConfigError listing every problem in every file read,
 * UntrustedConfigError for an untrusted project file with privileged settings; returns an
 * empty config when no file exists.
 */
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig> {
  const cwd = path.resolve(opts.cwd);
  const warn = opts.warn ?? stderrWarn;
  const uid = opts.uid ?? currentUid();
  if (opts.configPath !== undefined) {
    const file = path.resolve(cwd, opts.configPath);
    const r = await loadNamedFile(file, cwd);
    if (r.problems.length) throw configError(r.problems);
    return { config: r.config, files: [file], projectFile: file };
  }
  const [user, project] = await Promise.all([findUserFile(opts.env, cwd), searchProject(cwd, opts.env, warn, uid)]);
  const problems = [...(user?.problems ?? []), ...(project?.problems ?? [])];
  if (problems.length) throw configError(problems);
  if (project) {
    const settings = privilegedOf(project, user, opts.env);
    if (settings.length) requireTrust(project, settings, opts.env, warn, uid);
  }
  const config = user && project ? mergeConfigs(user.config, project.config) : (project ?? user)?.config ?? emptyConfig();
  const loaded: LoadedConfig = { config, files: [user?.file, project?.file].filter((f): f is string => f !== undefined) };
  if (project) loaded.projectFile = project.file;
  if (user) loaded.userFile = user.file;
  return loaded;
}
