import type { LoadedConfig, MmrConfig } from '../config/types.js';
import type { ModelOptions, ResolvedModel } from '../core/model.js';
import type { EngineOptions } from '../core/run-model.js';
import type { PriceBook } from '../core/cost.js';
import { NoProvidersError } from '../core/errors.js';
// Static on purpose: this is the hot path of every model-calling command, and each dynamic
// import() here was a separate chunk read through the thread pool (~5 ms each at start-up).
import { loadConfig } from '../config/load.js';
import { resolveModel } from '../core/resolve.js';
import { defaultModels, noProvidersHint } from '../core/defaults.js';
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
}

export interface Session {
  loaded: LoadedConfig;
  models: ResolvedModel[];
  /** Per-call options from flags (win over config). */
  options: ModelOptions;
  engine: EngineOptions;
  /** Where the model list came from. */
  source: 'flags' | 'config' | 'env';
}

export interface SessionDeps {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  fetch?: typeof fetch;
  /** Use this config instead of loading one (demo). */
  loaded?: LoadedConfig;
}

let priceBook: Promise<PriceBook | null> | undefined;
/** Price data loads once, on the first finished answer, never at start-up. */
export const lazyPrices = () =>
  (priceBook ??= import('../core/cost.js').then((m) => m.loadPriceBook()).catch(() => null));

/** Loads config, picks and resolves the models, and wires the engine: everything before the first request. */
export async function openSession(flags: CallFlags, deps: SessionDeps = {}): Promise<Session> {
  const env = deps.env ?? process.env;
  const loaded = deps.loaded ?? (await loadConfig({ cwd: deps.cwd ?? process.cwd(), env, configPath: flags.config }));
  const config: MmrConfig = loaded.config;

  let refs = flags.model ?? [];
  let source: Session['source'] = 'flags';
  if (refs.length === 0) {
    const d = await defaultModels(config, env, { fetch: deps.fetch });
    refs = d.models;
    source = d.source;
    if (refs.length === 0) throw new NoProvidersError('no model to ask: no API key is set and no local server answered', noProvidersHint(env));
  }
  const models = refs.map((ref) => resolveModel(ref, config, env));

  const options: ModelOptions = { system: flags.system, temperature: flags.temperature, maxTokens: flags.maxTokens };
  const engine: EngineOptions = {
    fetch: deps.fetch,
    timeouts: { ...config.timeouts, ...(flags.timeout ? { totalMs: flags.timeout } : {}) },
    retry: { ...config.retries, ...(flags.retries !== undefined ? { maxRetries: flags.retries } : {}) },
    prices: lazyPrices,
    adapterFor,
    priceProviderOf: (m) => getPreset(m.provider.id)?.pricesProvider,
    isLocal: (m) => getPreset(m.provider.id)?.local === true,
    preflight: async (m, request) => {
      if (estimateTokens(request) < CONTEXT_CHECK_FLOOR_TOKENS) return null;
      const book = m.contextWindow ? null : await lazyPrices();
      const window = m.contextWindow ?? book?.price(getPreset(m.provider.id)?.pricesProvider, m.model)?.contextWindow;
      return contextOverflow(request, m.id, window);
    },
  };
  return { loaded, models, options, engine, source };
}
