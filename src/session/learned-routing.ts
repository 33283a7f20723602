/**
 * The learned router as the routing commands see it: which file (`--router`, else config
 * `learned.file`, else `.mmr/router.json` when config has `learned:`), which tradeoff
 * (`--tradeoff`, else `learned.tradeoff`, else the router's recommendation), and which of its
 * models can be called here (a key set, or a local/command provider). `ask`, the terminal UI,
 * `route` and `serve` all get it through session/open.ts / commands/route.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig, MmrConfig } from '../config/types.js';
import { UsageError } from '../core/errors.js';
import type { Classification } from '../core/classify.js';
import type { LearnedPick } from '../core/router.js';
import { expandAlias, parseModelId } from '../config/model-id.js';
import { resolveProvider } from '../config/resolve-provider.js';
import type { LearnedRouter } from '../learn/policy.js';
import { neutralizeLine } from '../core/terminal-safe.js';

/** Where `mmr learn` writes by default, beside the project config. */
export const DEFAULT_ROUTER_FILE = path.join('.mmr', 'router.json');

export interface LearnedFlags {
  /** `--router FILE`. */
  router?: string;
  /** `--tradeoff T`, 0–1. */
  tradeoff?: number;
}

export interface LearnedSetup {
  router: LearnedRouter;
  file: string;
  tradeoff: number;
  /** Why each model cannot be called here (null = it can). */
  unusable: (model: string) => string | null;
}

/** Why `ref` cannot be called with this config and environment, or null when it can. */
export function unusableFor(config: MmrConfig, env: NodeJS.ProcessEnv): (ref: string) => string | null {
  const memo = new Map<string, string | null>();
  return (ref) => {
    if (memo.has(ref)) return memo.get(ref)!;
    let why: string | null = null;
    try {
      const { provider } = parseModelId(expandAlias(ref, config.aliases).id);
      const spec = resolveProvider(provider, config, env);
      if (spec.needsKey && !spec.apiKey) why = `${spec.keyEnv[0] ?? 'its API key'} is not set`;
    } catch (err) {
      why = (err as Error).message.split('\n')[0].replace(/\.\s.*$/, '');
    }
    memo.set(ref, why);
    return why;
  };
}

const cache = new Map<string, Promise<LearnedRouter>>();

/** Read and check a router file (bounded in size); errors name the file. Cached per process. */
export function loadRouterFile(file: string): Promise<LearnedRouter> {
  let p = cache.get(file);
  if (!p) {
    p = (async () => {
      const { MAX_ROUTER_BYTES, parseRouter } = await import('../learn/router-file.js');
      const fail = (why: string) => new UsageError(`router file ${neutralizeLine(file)}: ${why}`, 'create it with `mmr learn EVIDENCE.jsonl` (see mmr learn --help), or pass another with --router FILE');
      const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
        throw fail(err.code === 'ENOENT' ? 'no such file' : err.message);
      });
      if (!st.isFile()) throw fail('not a regular file');
      if (st.size > MAX_ROUTER_BYTES) throw fail(`${st.size} bytes is more than the ${MAX_ROUTER_BYTES}-byte limit`);
      try {
        const { router } = parseRouter(await readFile(file, 'utf8'));
        return { ...router, file };
      } catch (err) {
        throw fail((err as Error).message);
      }
    })();
    cache.set(file, p);
  }
  return p;
}

/** The router file config points at: relative to the config file that holds `learned:`. */
function configuredFile(loaded: LoadedConfig, cwd: string): string {
  const name = loaded.config.learned?.file ?? DEFAULT_ROUTER_FILE;
  if (path.isAbsolute(name)) return name;
  const base = loaded.projectFile ?? loaded.userFile;
  return path.resolve(base ? path.dirname(base) : cwd, name);
}

/**
 * The learned router to consult, or undefined when none is configured. An explicit `--router`
 * that cannot be read is an error; a configured one that cannot be read is a warning (`warn`),
 * so a project whose router file is not checked out still routes by rules and default.
 */
export async function learnedSetup(loaded: LoadedConfig, env: NodeJS.ProcessEnv, flags: LearnedFlags, cwd: string, warn: (msg: string) => void): Promise<LearnedSetup | undefined> {
  if (flags.tradeoff !== undefined && (flags.tradeoff < 0 || flags.tradeoff > 1)) throw new UsageError(`--tradeoff must be between 0 and 1, got ${flags.tradeoff}`, '0 = cheapest, 1 = best predicted quality');
  let file: string;
  let router: LearnedRouter;
  if (flags.router !== undefined) {
    file = path.resolve(cwd, flags.router);
    router = await loadRouterFile(file);
  } else if (loaded.config.learned) {
    file = configuredFile(loaded, cwd);
    try {
      router = await loadRouterFile(file);
    } catch (err) {
      warn(`mmr: learned router not used: ${(err as Error).message}`);
      return undefined;
    }
  } else {
    if (flags.tradeoff !== undefined) throw new UsageError('--tradeoff needs a learned router', 'pass --router FILE, or set `learned: {file: .mmr/router.json}` in config (mmr learn writes it)');
    return undefined;
  }
  const tradeoff = flags.tradeoff ?? loaded.config.learned?.tradeoff ?? router.recommended;
  return { router, file, tradeoff, unusable: unusableFor(loaded.config, env) };
}

/**
 * One line for `mmr route` when some of the router's models cannot be called here (it then
 * chooses among the rest, as `ask` would) or none can (it then shows its choice as if all could);
 * null when all can.
 */
export function usabilityNote(setup: LearnedSetup): string | null {
  const models = setup.router.models;
  const out = models.map((m) => ({ m, why: setup.unusable(m) })).filter((x) => x.why !== null);
  if (!out.length) return null;
  const named = out.slice(0, 3).map((x) => `${neutralizeLine(x.m)} (${neutralizeLine(x.why!)})`).join(', ') + (out.length > 3 ? `, and ${out.length - 3} more` : '');
  if (out.length === models.length) return `mmr: none of the learned router's ${models.length} models is usable here (${named}): decisions show its choice as if all were`;
  return `mmr: ${out.length} of the learned router's ${models.length} models ${out.length === 1 ? 'is' : 'are'} not usable here, so it chooses among the other ${models.length - out.length}: ${named}`;
}

/** The `learned` callback for core/router.ts's route(). `dryRun`: with no usable model, decide over all (route). */
export async function learnedPicker(setup: LearnedSetup, dryRun = false): Promise<(prompt: string, c: Classification) => LearnedPick | null> {
  const { decide } = await import('../learn/policy.js');
  // Whether a model is usable depends on config and keys, not on the prompt: checked once, so a
  // batch with no usable model decides each prompt once (as if all were), not twice.
  const anyUsable = setup.router.models.some((m) => setup.unusable(m) === null);
  const note = anyUsable ? '' : ' (none of its models is usable here, so this shows the choice as if all were)';
  return (prompt, c) => {
    if (!anyUsable && !dryRun) return null;
    const d = decide(setup.router, prompt, { tradeoff: setup.tradeoff, unusable: anyUsable ? setup.unusable : undefined, classification: c });
    if (!d) return null;
    // Decided as if all were usable, but shown as they are: each candidate says why it is not.
    const candidates = anyUsable ? d.candidates : d.candidates.map((k) => ({ ...k, usable: false, unusable: setup.unusable(k.model) ?? undefined }));
    return { model: d.model, tradeoff: d.tradeoff, candidates, reason: d.reason + note, file: setup.file };
  };
}
