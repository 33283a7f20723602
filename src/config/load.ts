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
 * Layering: the user-level file (`<XDG config>/mmr/config.yaml|yml|json`) is the base, the
 * nearest project file (searched from cwd up to the home directory) overrides it.
 * `--config FILE` loads that file alone: one explicit file is predictable, and scripts and CI
 * that pass it are not affected by whatever is in the user's config directory.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { mergeConfigs } from './merge.js';
import { PACKAGE_FIELD, SEARCH_PLACES, searchDirs, USER_FILES, userConfigDir } from './paths.js';
import { emptyConfig, validateConfig } from './schema.js';
import type { LoadedConfig, MmrConfig } from './types.js';

export { emptyConfig } from './schema.js';

export interface LoadConfigOptions {
  /** Where the project search starts; `configPath` is relative to it. */
  cwd: string;
  /** Environment for HOME / XDG_CONFIG_HOME (injected so tests never read the real user's files). */
  env: NodeJS.ProcessEnv;
  /** `--config FILE`: load only this file. The only way a JS/TS config is ever executed. */
  configPath?: string;
}

/** What a run without any config file uses. */
export function emptyLoadedConfig(): LoadedConfig {
  return { config: emptyConfig(), files: [] };
}

interface Checked {
  file: string;
  config: MmrConfig;
  problems: ConfigProblem[];
}

const SCRIPT_EXT = new Set(['.js', '.mjs', '.cjs', '.ts']);
const HINT = 'Fix the problems listed above (.routerrc.example in the mmr package shows every option), or pass --config FILE to use another file.';
const SKIP_CODES = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES']);

/**
 * File text, or undefined when there is no readable file there (search moves on). Synchronous on
 * purpose: the search probes a dozen paths at start-up, and each async read costs several
 * thread-pool round trips where a failed open() costs microseconds.
 */
async function readText(file: string): Promise<string | undefined> {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (SKIP_CODES.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}

/** Paths in messages: relative when under cwd (short, clickable), absolute otherwise. */
function display(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Parse + validate data text. `present` is false for a package.json without the field. */
async function checkText(text: string, file: string, shown: string, field?: string): Promise<Checked & { present: boolean }> {
  // yaml costs ~40 ms to import; most runs of a newcomer have no config file at all.
  const { parseConfigText } = await import('./parse.js');
  const parsed = parseConfigText(text, shown, field);
  if (!parsed.ok) return { file, config: emptyConfig(), problems: parsed.problems, present: true };
  const { config, problems } = validateConfig(parsed.value, shown, parsed.locate);
  return { file, config, problems, present: parsed.present };
}

/** Nearest project file from cwd upward; the first place that exists in a directory wins. */
async function searchProject(cwd: string, env: NodeJS.ProcessEnv): Promise<Checked | undefined> {
  for (const dir of searchDirs(cwd, env)) {
    const texts = await Promise.all(SEARCH_PLACES.map((p) => readText(path.join(dir, p))));
    for (let i = 0; i < SEARCH_PLACES.length; i++) {
      const text = texts[i];
      if (text === undefined) continue;
      const file = path.join(dir, SEARCH_PLACES[i]);
      if (SEARCH_PLACES[i] === 'package.json') {
        // Most package.json files have no such field; skip them without a full parse.
        if (!text.includes(`"${PACKAGE_FIELD}"`)) continue;
        const r = await checkText(text, file, display(file, cwd), PACKAGE_FIELD);
        if (r.present) return r;
        continue;
      }
      return checkText(text, file, display(file, cwd));
    }
  }
  return undefined;
}

async function findUserFile(env: NodeJS.ProcessEnv, cwd: string): Promise<Checked | undefined> {
  const dir = userConfigDir(env);
  for (const name of USER_FILES) {
    const file = path.join(dir, name);
    const text = await readText(file);
    if (text !== undefined) return checkText(text, file, display(file, cwd));
  }
  return undefined;
}

/** A JS/TS config, executed on purpose because the user named it with --config. */
async function loadScript(file: string, shown: string): Promise<Checked> {
  const fail = (message: string): Checked => ({ file, config: emptyConfig(), problems: [{ file: shown, path: '', message }] });
  let value: unknown;
  try {
    if (file.toLowerCase().endsWith('.ts')) {
      const { defaultLoaders } = await import('cosmiconfig');
      value = await defaultLoaders['.ts'](file, await readFile(file, 'utf8'));
    } else {
      // Native import runs the file exactly once; cosmiconfig's JS loader re-runs a config that
      // throws through require() as a fallback. Node gives module.exports to CJS as `default`.
      value = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
    }
  } catch (err) {
    const first = String((err as Error).message ?? err).split('\n').find((l) => l.trim()) ?? 'unknown error';
    const ts = file.endsWith('.ts') && /typescript/i.test(first) ? ' (a .ts config needs the typescript package; .mjs or YAML do not)' : '';
    return fail(`could not be loaded: ${first}${ts}`);
  }
  if (typeof value === 'function') return fail('must export a config object (export default { ... }), not a function');
  const { config, problems } = validateConfig(value, shown);
  return { file, config, problems };
}

async function loadExplicit(file: string, cwd: string): Promise<Checked> {
  const shown = display(file, cwd);
  if (SCRIPT_EXT.has(path.extname(file).toLowerCase())) {
    if ((await readText(file)) === undefined) return { file, config: emptyConfig(), problems: [{ file: shown, path: '', message: 'file not found' }] };
    return loadScript(file, shown);
  }
  const text = await readText(file);
  if (text === undefined) return { file, config: emptyConfig(), problems: [{ file: shown, path: '', message: 'file not found' }] };
  // Any other name is YAML or JSON (cosmiconfig treats extensionless `.routerrc` the same way).
  const field = path.basename(file) === 'package.json' ? PACKAGE_FIELD : undefined;
  const r = await checkText(text, file, shown, field);
  if (!r.present) r.problems.push({ file: shown, path: '', message: `has no "${PACKAGE_FIELD}" field` });
  return r;
}

/**
 * Load the effective config. Throws ConfigError listing every problem in every file read;
 * returns an empty config when no file exists.
 */
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig> {
  const cwd = path.resolve(opts.cwd);
  if (opts.configPath !== undefined) {
    const file = path.resolve(cwd, opts.configPath);
    const r = await loadExplicit(file, cwd);
    if (r.problems.length) throw new ConfigError(r.problems, HINT);
    return { config: r.config, files: [file], projectFile: file };
  }
  const [user, project] = await Promise.all([findUserFile(opts.env, cwd), searchProject(cwd, opts.env)]);
  const problems = [...(user?.problems ?? []), ...(project?.problems ?? [])];
  if (problems.length) throw new ConfigError(problems, HINT);
  const config = user && project ? mergeConfigs(user.config, project.config) : (project ?? user)?.config ?? emptyConfig();
  const loaded: LoadedConfig = { config, files: [user?.file, project?.file].filter((f): f is string => f !== undefined) };
  if (project) loaded.projectFile = project.file;
  if (user) loaded.userFile = user.file;
  return loaded;
}
