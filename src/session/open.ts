/**
 * A session: what one model-calling front end (`ask`, the terminal UI, `bench`, `serve`) needs
 * before its first request: the config loaded, the models resolved (flags, then the rules and the
 * learned router for a known prompt, then the default), per-call options and the engine's
 * dependencies. Front ends differ in what they do with it, never in how routing decides.
 */
import type { LoadedConfig, MmrConfig } from '../config/types.js';
import type { ModelOptions, ResolvedModel } from '../core/model.js';
import type { ErrorInfo, ModelRequest } from '../core/types.js';
import type { EngineOptions } from '../core/run-model.js';
import type { PriceBook } from '../core/cost.js';
import { NoProvidersError, UsageError } from '../core/errors.js';
import { parseReasoning, REASONING_HELP } from '../core/reasoning.js';
import type { Slot } from '../core/fanout.js';
import { route, type CompiledRule, type RouteContext, type RoutingDecision } from '../core/router.js';
// Static on purpose: this is the hot path of every model-calling command, and each dynamic
// import() here was a separate chunk read through the thread pool (~5 ms each at start-up).
import { loadConfig } from '../config/load.js';
import { applyVariant, resolveModel } from '../config/resolve-model.js';
import { checkColumns, varyCombinations } from '../core/variants.js';
import { defaultModels, noProvidersHint, type DefaultModels } from '../config/default-models.js';
import { getPreset } from '../providers/presets.js';
import { adapterFor } from '../providers/registry.js';
import { CONTEXT_CHECK_FLOOR_TOKENS, contextOverflow, estimateTokens } from '../core/context.js';

/** Flags every model-calling command shares (see cli.ts). */
export interface CallFlags {
  config?: string;
  model?: string[];
  system?: string;
  temperature?: number;
  maxTokens?: number;
  /** --reasoning as typed (off, low, medium, high, or tokens). */
  reasoning?: string;
  /** --vary KEY=V1,V2 as typed (repeatable): every chosen model × every combination is a column. */
  vary?: string[];
  timeout?: number;
  retries?: number;
  json?: boolean;
  jsonl?: boolean;
  /** Files to attach (-f), in order. */
  file?: string[];
  /** commander's --no-tui: false means never open the terminal UI. */
  tui?: boolean;
  /** --color / --no-color; undefined lets the environment decide. */
  color?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  /** `--router FILE`: route with this learned router (after the rules, before the default). */
  router?: string;
  /** `--tradeoff T` (0 = cheapest, 1 = best predicted quality) for the learned router. */
  tradeoff?: number;
}

export interface Session {
  loaded: LoadedConfig;
  /** The first model of each column, in order. */
  models: ResolvedModel[];
  /** Each column: a model, or a fallback chain from the routing rule. */
  slots: Slot[];
  /** Why these models: the routing decision (absent when no prompt was known yet). */
  routing?: RoutingDecision;
  /** Per-call options from flags (win over config). */
  options: ModelOptions;
  engine: EngineOptions;
  /** Where the model list came from. */
  source: 'flags' | 'rule' | 'learned' | 'config' | 'env';
}

export interface SessionDeps {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  fetch?: typeof fetch;
  /** Use this config instead of loading one (demo). */
  loaded?: LoadedConfig;
  /** The prompt, when known: the routing rules choose the models from it. */
  prompt?: string;
  /** Rules already compiled from `loaded` (mmr serve compiles once, then routes every request). */
  rules?: CompiledRule[];
  /** The default set, already worked out (skips the per-call Ollama probe; mmr serve). */
  defaults?: Pick<DefaultModels, 'models' | 'source'>;
  /** Where warnings go (a configured router file that cannot be read); default stderr. */
  warn?: (message: string) => void;
}

let priceBook: Promise<PriceBook | null> | undefined;
/** Price data loads once, on the first finished answer, never at start-up. */
export const lazyPrices = () =>
  (priceBook ??= import('../core/cost.js').then((m) => m.loadPriceBook()).catch(() => null));

/**
 * A rule's `maxCostUsd`: the estimated cost of the prompt plus the requested output (maxTokens;
 * none asked means only the input is counted) must fit, or the model is not called.
 */
async function costCapProblem(m: ResolvedModel, request: ModelRequest, capUsd: number): Promise<ErrorInfo | null> {
  if (getPreset(m.provider.id)?.local && !m.price) return null;
  const book = await lazyPrices();
  const input = estimateTokens(request);
  const est = book?.cost(getPreset(m.provider.id)?.pricesProvider, m.model, { inputTokens: input, outputTokens: request.maxTokens ?? 0 }, m.price);
  if (est == null || est <= capUsd) return null;
  return {
    kind: 'config',
    message: `estimated cost $${est.toFixed(4)} (~${input} input tokens${request.maxTokens ? ` + ${request.maxTokens} output` : ''}) exceeds the rule's maxCostUsd $${capUsd}; not sent`,
    status: null,
    retryable: false,
    code: 'max_cost_exceeded',
    hint: 'raise maxCostUsd on the rule, shorten the prompt or lower --max-tokens',
  };
}

/** `--reasoning` as the setting; undefined when not given. */
function reasoningOption(text: string | undefined): ModelOptions['reasoning'] {
  if (text === undefined) return undefined;
  const r = parseReasoning(text);
  if (r === undefined) throw new UsageError(`--reasoning must be ${REASONING_HELP}, got "${text}"`, 'e.g. --reasoning low, or --reasoning 4096');
  return r;
}

/**
 * The columns: each chosen model (with the rule's fallback chain), times every --vary
 * combination. A variant's fallbacks carry the same settings, so a fallback answers the same question.
 */
async function columns(flags: CallFlags, refs: string[], fallback: string[], config: MmrConfig, env: NodeJS.ProcessEnv, cwd: string): Promise<{ models: ResolvedModel[]; slots: Slot[] }> {
  const vary = flags.vary?.length ? await (await import('./vary.js')).prepareVary(flags, cwd) : undefined;
  const resolve = (ref: string) => resolveModel(ref, config, env, { readSystem: vary?.readSystem });
  const bases = refs.map(resolve);
  const fallbackModels = fallback.map(resolve);
  const combos = vary ? varyCombinations(vary.specs) : [undefined];
  const models: ResolvedModel[] = [];
  const slots: Slot[] = [];
  const seen = new Set<string>();
  for (const base of bases) {
    for (const combo of combos) {
      const m = combo ? applyVariant(base, combo, vary!.readSystem) : base;
      // Two --vary values that mean the same setting are one column (without --vary, -m a -m a stays two).
      if (vary && seen.has(m.id)) continue;
      seen.add(m.id);
      const chain = fallbackModels.map((f) => (combo ? applyVariant(f, combo, vary!.readSystem) : f)).filter((f) => f.id !== m.id);
      models.push(m);
      slots.push(chain.length ? [m, ...chain] : m);
    }
  }
  if (vary) checkColumns(models.length, bases.length, combos.length);
  return { models, slots };
}

/** Loads config, picks and resolves the models, and wires the engine: everything before the first request. */
export async function openSession(flags: CallFlags, deps: SessionDeps = {}): Promise<Session> {
  const env = deps.env ?? process.env;
  const loaded = deps.loaded ?? (await loadConfig({ cwd: deps.cwd ?? process.cwd(), env, configPath: flags.config }));
  const config: MmrConfig = loaded.config;

  // -m wins; otherwise the rules pick (locally, no network), and the default set is the fallback.
  let refs = flags.model ?? [];
  let fallback: string[] = [];
  let source: Session['source'] = 'flags';
  let routing: RoutingDecision | undefined;
  let rules: CompiledRule[] = [];
  let learned: RouteContext['learned'];
  if (refs.length === 0 && deps.prompt !== undefined) {
    const cwd = deps.cwd ?? process.cwd();
    if (config.rules.length > 0) rules = deps.rules ?? (await (await import('../config/loaded-rules.js')).compileLoadedRules(loaded, cwd)).rules;
    if (flags.router !== undefined || config.learned) {
      const { learnedSetup, learnedPicker } = await import('./learned-routing.js');
      const setup = await learnedSetup(loaded, env, flags, cwd, deps.warn ?? ((m) => process.stderr.write(`${m}\n`)));
      if (setup) learned = await learnedPicker(setup);
    }
    if (rules.length || learned) {
      routing = route(rules, deps.prompt, { defaults: [], learned });
      if (routing.source === 'rule' || routing.source === 'learned') {
        refs = routing.models;
        fallback = routing.fallback;
        source = routing.source;
      }
    }
  }
  if (refs.length === 0) {
    const d = deps.defaults ?? (await defaultModels(config, env, { fetch: deps.fetch }));
    refs = d.models;
    source = d.source;
    if (refs.length === 0) throw new NoProvidersError('no model to ask: no API key is set and no local server answered', noProvidersHint(env));
    // No rule matched: decide again with the real default set so the explanation names it.
    if (routing) routing = route(rules, deps.prompt!, { defaults: refs, learned });
  } else if (flags.model?.length && deps.prompt !== undefined) {
    routing = route([], deps.prompt, { override: refs, defaults: [] });
  }
  const { models, slots } = await columns(flags, refs, fallback, config, env, deps.cwd ?? process.cwd());

  const options: ModelOptions = { system: flags.system, temperature: flags.temperature, maxTokens: flags.maxTokens, reasoning: reasoningOption(flags.reasoning) };
  const engine: EngineOptions = {
    fetch: deps.fetch,
    timeouts: { ...config.timeouts, ...(flags.timeout ? { totalMs: flags.timeout } : {}) },
    retry: { ...config.retries, ...(flags.retries !== undefined ? { maxRetries: flags.retries } : {}) },
    prices: lazyPrices,
    adapterFor,
    priceProviderOf: (m) => getPreset(m.provider.id)?.pricesProvider,
    isLocal: (m) => getPreset(m.provider.id)?.local === true,
    preflight: async (m, request) => {
      const cap = routing?.source === 'rule' ? routing.maxCostUsd : undefined;
      if (cap !== undefined) {
        const over = await costCapProblem(m, request, cap);
        if (over) return over;
      }
      if (estimateTokens(request) < CONTEXT_CHECK_FLOOR_TOKENS) return null;
      const book = m.contextWindow ? null : await lazyPrices();
      const window = m.contextWindow ?? book?.price(getPreset(m.provider.id)?.pricesProvider, m.model)?.contextWindow;
      return contextOverflow(request, m.id, window);
    },
  };
  return { loaded, models, slots, routing, options, engine, source };
}
