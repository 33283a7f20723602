/**
 * `mmr route "prompt"`: which models a prompt would go to, and why. No network: it loads config,
 * classifies and routes locally, so it is the way to debug rules (and `rules test` builds on it).
 */
import type { LoadedConfig } from '../config/types.js';
import type { Classification } from '../core/classify.js';
import { UsageError } from '../core/errors.js';
import type { CompiledRule, RouteContext, RoutingDecision } from '../core/router.js';
import type { RuleCheck } from '../core/rule-check.js';
import { escapeJsonControls, neutralizeLine } from '../core/terminal-safe.js';
import { compileLoadedRules } from '../config/loaded-rules.js';
import { readPrompt } from './input.js';

export interface RouteFlags {
  config?: string;
  /** `-m`: route to these, whatever the rules say (shows what `ask -m` would do). */
  model?: string[];
  json?: boolean;
  /** `--router FILE`: the learned router to consult after the rules. */
  router?: string;
  /** `--tradeoff T` for the learned router. */
  tradeoff?: number;
  /** `--batch FILE.jsonl`: route every `{id, prompt}` line, one decision per output line. */
  batch?: string;
}

/** Injected so tests never read the real user's files or stdin. */
export interface RoutingDeps {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: NodeJS.ReadStream & { isTTY?: boolean };
  stdout?: { write(s: string): unknown };
  /** Use this config instead of loading one. */
  loaded?: LoadedConfig;
}

export interface Routing {
  loaded: LoadedConfig;
  rules: CompiledRule[];
  /** The default models (config `default`, else one per provider whose key is set). */
  defaults: string[];
  knownModel: (ref: string) => string | null;
}

/** Load config and compile its rules; shared by `route` and `rules`. Makes no network call. */
export async function loadRouting(flags: { config?: string }, deps: RoutingDeps = {}): Promise<Routing> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const [{ loadConfig }, { defaultModels }] = await Promise.all([import('../config/load.js'), import('../config/default-models.js')]);
  const loaded = deps.loaded ?? (await loadConfig({ cwd, env, configPath: flags.config }));
  const { rules, knownModel } = await compileLoadedRules(loaded, cwd);
  // The Ollama probe is a network call, and route makes none.
  const { models } = await defaultModels(loaded.config, env, { probe: false });
  return { loaded, rules, defaults: models, knownModel };
}

/** Values quote the config (rule names, keywords, models) and the prompt: one safe line each. */
const row = (label: string, value: string) => `${label.padEnd(9)}${neutralizeLine(value)}\n`;

/** The decision as people read it: what matched, what runs, and the classification behind it. */
export function formatDecision(d: RoutingDecision, c: Classification, ruleCount: number, expand: (ref: string) => string = (r) => r, checks: RuleCheck[] = []): string {
  const show = (refs: string[], sep: string) => refs.map((r) => (expand(r) === r ? r : `${r} (${expand(r)})`)).join(sep);
  let out = '';
  if (d.source === 'rule') {
    out += row('rule', `${d.rule}`);
    out += row('matched', d.matched.join('; '));
  } else if (d.source === 'default' || d.source === 'learned') {
    out += row('rule', ruleCount ? `none of ${ruleCount} matched` : 'no rules configured');
  } else out += row('rule', 'skipped: models named with -m');
  for (const k of d.source === 'override' ? [] : checks) {
    if (!k.match) out += row('', `✖ ${k.name}: ${k.failed.join('; ')}`);
    else if (k.name !== d.rule) out += row('', `✔ ${k.name} (also matches; an earlier rule wins)`);
  }
  if (d.source === 'learned' && d.learned) {
    out += row('learned', `${d.learned.file ?? 'router'} · tradeoff ${d.learned.tradeoff}`);
    for (const k of d.learned.candidates) {
      const cost = k.costUsd === null ? 'cost unknown' : `$${k.costUsd.toPrecision(2)}`;
      out += row('', `${k.model === d.models[0] ? '→' : ' '} ${neutralizeLine(k.model).padEnd(32)} quality ${(k.quality * 100).toFixed(0).padStart(3)}%  ${cost.padStart(10)}${k.usable ? '' : `  (not usable: ${k.unusable})`}`);
    }
  } else if (d.source === 'default') out += row('', 'using the default');
  out += row('models', d.models.length ? show(d.models, ', ') : '(none: set `default:` in config, add a rule, or pass -m)');
  if (d.fallback.length) out += row('fallback', show(d.fallback, ' → '));
  if (d.maxCostUsd !== undefined) out += row('max cost', `$${d.maxCostUsd} per answer`);
  out += row('prompt', `${c.category} · language ${c.language} · ${c.chars} chars · ~${c.estTokens} tokens${c.hasCode ? ' · has code' : ''}`);
  out += row('signals', c.signals.length ? c.signals.join(', ') : '(none: reads as chat)');
  out += row('why', d.reason);
  return out;
}

/** Everything a decision needs, loaded once (a batch reuses it for every prompt). */
export async function routerFor(flags: RouteFlags, deps: RoutingDeps) {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const { rules, defaults, loaded } = await loadRouting(flags, deps);
  const [{ classify }, { route }, { checkRules }, { expandAlias }] = await Promise.all([import('../core/classify.js'), import('../core/router.js'), import('../core/rule-check.js'), import('../config/model-id.js')]);
  let learned: RouteContext['learned'];
  if (!flags.model?.length && (flags.router !== undefined || loaded.config.learned)) {
    const { learnedSetup, learnedPicker, usabilityNote } = await import('../session/learned-routing.js');
    const setup = await learnedSetup(loaded, env, flags, cwd, (m) => process.stderr.write(`${m}\n`));
    if (setup) {
      learned = await learnedPicker(setup, true);
      const note = usabilityNote(setup);
      if (note) process.stderr.write(`${note}\n`);
    }
  }
  const expand = (ref: string) => {
    try {
      return expandAlias(ref, loaded.config.aliases).id;
    } catch {
      return ref;
    }
  };
  const decideOne = (prompt: string) => {
    const classification = classify(prompt);
    return { classification, decision: route(rules, prompt, { override: flags.model, defaults, classification, learned }) };
  };
  return { rules, decideOne, expand, checkRules };
}

export async function runRoute(words: string[], flags: RouteFlags, deps: RoutingDeps = {}): Promise<RoutingDecision | undefined> {
  if (flags.batch !== undefined) {
    if (words.length) throw new UsageError('--batch reads the prompts from its file', 'drop the prompt argument, or drop --batch');
    const { runBatch } = await import('./route-batch.js');
    await runBatch(flags.batch, flags, deps);
    return undefined;
  }
  const prompt = await readPrompt(words, deps.stdin ?? process.stdin);
  const r = await routerFor(flags, deps);
  const { decision, classification } = r.decideOne(prompt);
  const checks = r.checkRules(r.rules, prompt, classification);
  const stdout = deps.stdout ?? process.stdout;
  stdout.write(flags.json ? `${escapeJsonControls(JSON.stringify({ ...decision, classification, checks }, null, 2))}\n` : formatDecision(decision, classification, r.rules.length, r.expand, checks));
  return decision;
}
