/**
 * A loaded config's rules, compiled, with each problem attributed to the file (user or project
 * config) that holds it. Shared by `mmr route`/`rules`, every model-calling session and `mmr serve`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import type { CompiledRule } from '../core/router.js';
import type { LoadedConfig } from './types.js';

const SCRIPT = /\.(js|mjs|cjs|ts|mts|cts)$/i;

/**
 * Rules of the merged config fail as a whole; to name each problem's own file and line,
 * re-read the data files (only on this error path, so normal runs read each file once).
 */
async function problemsPerFile(loaded: LoadedConfig, cwd: string, knownModel: (ref: string) => string | null): Promise<ConfigProblem[]> {
  const [{ parseConfigText }, { validateConfig }, { compileRules }] = await Promise.all([
    import('./parse.js'),
    import('./schema.js'),
    import('./rules.js'),
  ]);
  const problems: ConfigProblem[] = [];
  for (const file of loaded.files) {
    if (SCRIPT.test(file)) return [];
    const rel = path.relative(cwd, file);
    const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
    const parsed = parseConfigText(await readFile(file, 'utf8'), shown, path.basename(file) === 'package.json' ? 'router' : undefined);
    if (!parsed.ok) continue;
    try {
      compileRules(validateConfig(parsed.value, shown, parsed.locate).config.rules, { file: shown, knownModel, locate: parsed.locate });
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
    }
  }
  return problems;
}

/** Compile a loaded config's rules; a problem is attributed to the file (user or project) that holds it. */
export async function compileLoadedRules(loaded: LoadedConfig, cwd = process.cwd()): Promise<{ rules: CompiledRule[]; knownModel: (ref: string) => string | null }> {
  const { compileRules, knownModelFor } = await import('./rules.js');
  const knownModel = knownModelFor(loaded.config);
  try {
    const file = loaded.files.length === 1 ? path.relative(cwd, loaded.files[0]) || loaded.files[0] : 'config';
    return { rules: compileRules(loaded.config.rules, { file, knownModel }), knownModel };
  } catch (err) {
    if (!(err instanceof ConfigError) || loaded.files.length < 2) throw err;
    const own = await problemsPerFile(loaded, cwd, knownModel);
    throw own.length ? new ConfigError(own, err.hint) : err;
  }
}
