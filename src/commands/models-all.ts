/**
 * `mmr models --all [--provider P] [--search TEXT] [--json]`: every model the price data knows
 * (@pydantic/genai-prices: prices per 1M tokens, context window), merged with each provider's
 * live listing when its key is set (or its local server runs), marking what is callable now and
 * what has no known price. Listings are cached for 15 minutes in the cache dir (--refresh asks again).
 */
import path from 'node:path';
import type { MmrConfig } from '../config/types.js';
import { buildCatalog, type CatalogRow, type PricedModel, type ProviderListing } from '../core/catalog.js';
import { UsageError } from '../core/errors.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import type { ProviderSpec } from '../providers/provider.js';
import type { ModelsFlags } from './models.js';

export interface CatalogDeps {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * Which of a provider's price-data ids are names its own API takes: Google's data holds Vertex's
 * Claude too, and OpenRouter's API names every model `vendor/model`.
 */
const OWN_MODELS: Record<string, RegExp> = { gemini: /^(gemini|gemma)/, openrouter: /\// };
/** A local server that does not answer is "not running", and answers in a few ms when it does. */
const LOCAL_TIMEOUT_MS = 1500;

/** Which providers to show: every preset but `command` (and Azure, whose deployments are the user's own names), plus config's. */
async function providersInScope(config: MmrConfig, only: string | undefined): Promise<string[]> {
  const { PRESETS, getPreset } = await import('../providers/presets.js');
  const custom = Object.entries(config.providers).filter(([id, p]) => !getPreset(id) && p.protocol !== 'command').map(([id]) => id);
  const all = [...PRESETS.filter((p) => p.protocol !== 'command' && !p.azure).map((p) => p.id), ...custom];
  if (only === undefined) return all;
  if (only === 'command' || (!getPreset(only) && !custom.includes(only))) {
    throw new UsageError(`--provider ${JSON.stringify(only)} is not a provider mmr can list`, `use one of: ${[...all, 'azure'].join(', ')}`);
  }
  return [only];
}

async function pricedModels(providers: string[]): Promise<{ priced: PricedModel[]; priceOf: (provider: string, model: string) => Omit<PricedModel, 'provider' | 'model' | 'deprecated'> | null }> {
  const [lib, { getPreset }] = await Promise.all([import('@pydantic/genai-prices'), import('../providers/presets.js')]);
  const MTOK = 1_000_000;
  /** Per-1M token prices; a model priced only by other units (audio hours, requests) has no token price. */
  const priceOf = (provider: string, model: string) => {
    const preset = getPreset(provider);
    if (preset?.local || !preset?.pricesProvider) return null;
    try {
      const r = lib.calcPrice({ input_tokens: MTOK, output_tokens: MTOK }, model, { providerId: preset.pricesProvider });
      if (!r || r.model_price.input_mtok === undefined) return r ? { inputPerMTok: null, outputPerMTok: null, cachedInputPerMTok: null, contextWindow: r.model.context_window ?? null } : null;
      const cached = r.model_price.cache_read_mtok !== undefined ? lib.calcPrice({ input_tokens: MTOK, cache_read_tokens: MTOK }, model, { providerId: preset.pricesProvider })?.input_price ?? null : null;
      return { inputPerMTok: r.input_price, outputPerMTok: r.output_price, cachedInputPerMTok: cached, contextWindow: r.model.context_window ?? null };
    } catch {
      return null; // malformed data for one model must not break the listing
    }
  };
  const priced: PricedModel[] = [];
  for (const provider of providers) {
    const pp = getPreset(provider)?.pricesProvider;
    if (!pp) continue;
    for (const m of lib.findProvider({ providerId: pp })?.models ?? []) {
      // `ft:` ids and ids ending in "-" are name prefixes for fine-tunes, not models anyone can call by that name.
      if (m.id.endsWith('-') || m.id.startsWith('ft:') || (OWN_MODELS[provider] && !OWN_MODELS[provider].test(m.id))) continue;
      const p = priceOf(provider, m.id);
      priced.push({ provider, model: m.id, inputPerMTok: p?.inputPerMTok ?? null, outputPerMTok: p?.outputPerMTok ?? null, cachedInputPerMTok: p?.cachedInputPerMTok ?? null, contextWindow: p?.contextWindow ?? m.context_window ?? null, deprecated: m.deprecated === true });
    }
  }
  return { priced, priceOf };
}

async function listingFor(id: string, config: MmrConfig, flags: ModelsFlags, deps: Required<Pick<CatalogDeps, 'env' | 'now'>> & CatalogDeps, cacheDir: string): Promise<ProviderListing> {
  const [{ resolveProvider }, { getPreset }, { listModels }, cache, { redactUrl }] = await Promise.all([
    import('../config/resolve-provider.js'),
    import('../providers/presets.js'),
    import('../providers/listing.js'),
    import('../providers/listing-cache.js'),
    import('../core/redact.js'),
  ]);
  const local = getPreset(id)?.local === true;
  let spec: ProviderSpec;
  try {
    spec = resolveProvider(id, config, deps.env);
  } catch (err) {
    return { provider: id, status: 'error', local, error: (err as Error).message };
  }
  if (spec.needsKey && !spec.apiKey) return { provider: id, status: 'no-key', local, hint: `set ${spec.keyEnv.join(' or ')}` };
  if (!flags.refresh) {
    const hit = await cache.readCachedListing(cacheDir, id, spec.baseUrl, deps.now());
    if (hit) return { provider: id, status: 'listed', local, models: hit.models, cachedAgeMs: deps.now() - hit.fetchedAt };
  }
  const got = await listModels(spec, { fetch: deps.fetch, timeoutMs: local ? LOCAL_TIMEOUT_MS : undefined });
  if (got.ok) {
    await cache.writeCachedListing(cacheDir, id, spec.baseUrl, got.models, deps.now());
    return { provider: id, status: 'listed', local, models: got.models, dropped: got.dropped };
  }
  if (local && (got.error.kind === 'network' || got.error.kind === 'timeout')) {
    const hint = spec.protocol === 'ollama' ? 'start it with `ollama serve`, or set OLLAMA_HOST' : undefined;
    return { provider: id, status: 'unreachable', local, error: `not running at ${redactUrl(spec.baseUrl)}`, ...(hint ? { hint } : {}) };
  }
  return { provider: id, status: 'error', local, error: got.error.message, hint: got.error.hint };
}

export interface Catalog {
  rows: CatalogRow[];
  providers: ProviderListing[];
}

export async function catalogModels(flags: ModelsFlags, deps: CatalogDeps = {}): Promise<Catalog> {
  const env = deps.env ?? process.env;
  const [{ loadConfig }, { userCacheDir }] = await Promise.all([import('../config/load.js'), import('../bench/cache.js')]);
  const { config } = await loadConfig({ cwd: deps.cwd ?? process.cwd(), env, configPath: flags.config });
  const providers = await providersInScope(config, flags.provider);
  const cacheDir = path.join(userCacheDir(env), 'models');
  const full = { ...deps, env, now: deps.now ?? Date.now };
  const [{ priced, priceOf }, listings] = await Promise.all([pricedModels(providers), Promise.all(providers.map((id) => listingFor(id, config, flags, full, cacheDir)))]);
  const rows = buildCatalog(providers, priced, listings, priceOf, { provider: flags.provider, search: flags.search });
  return { rows, providers: listings };
}

const usd = (v: number | null) => (v == null ? '?' : v === 0 ? '0' : v < 0.1 ? v.toFixed(3) : v.toFixed(2));
const ctx = (v: number | null) => (v == null ? '' : v >= 1_000_000 ? `${(v / 1_000_000).toFixed(v % 1_000_000 ? 1 : 0)}M` : `${Math.round(v / 1000)}k`);

function status(r: CatalogRow, l: ProviderListing | undefined): string {
  if (r.callable) return 'callable';
  if (l?.status === 'listed') return r.deprecated ? 'not listed (deprecated)' : 'not listed';
  if (l?.status === 'no-key') return `no key: ${l.hint?.replace(/^set /, 'set ')}`;
  if (l?.status === 'unreachable') return 'server not running';
  return 'listing failed';
}

function providerNote(l: ProviderListing): string {
  const n = l.models?.length ?? 0;
  if (l.status === 'listed') {
    const age = l.cachedAgeMs !== undefined ? ` (cached ${Math.max(1, Math.round(l.cachedAgeMs / 60000))} min ago; --refresh asks again)` : '';
    const dropped = l.dropped ? `; ${l.dropped} unusable names dropped` : '';
    return `${l.provider}: ${n} model${n === 1 ? '' : 's'} listed${age}${dropped}`;
  }
  if (l.status === 'no-key') return `${l.provider}: no key, listing not checked (${l.hint})`;
  return `${l.provider}: ${l.error ?? 'listing failed'}${l.hint ? ` — ${l.hint}` : ''}`;
}

export function formatCatalog(c: Catalog): string {
  const byProvider = new Map(c.providers.map((l) => [l.provider, l]));
  const head = ['MODEL', 'IN $/1M', 'OUT $/1M', 'CACHED $/1M', 'CONTEXT', 'STATUS'];
  const body = c.rows.map((r) =>
    [r.model, r.local ? 'local' : usd(r.inputPerMTok), r.local ? 'local' : usd(r.outputPerMTok), r.local ? '' : r.cachedInputPerMTok == null ? '' : usd(r.cachedInputPerMTok), ctx(r.contextWindow), status(r, byProvider.get(r.provider))].map(neutralizeLine),
  );
  const widths = head.map((_, i) => Math.max(head[i].length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd();
  const callable = c.rows.filter((r) => r.callable).length;
  const unpriced = c.rows.filter((r) => r.noKnownPrice).length;
  const notes = c.providers.map((l) => `  ${neutralizeLine(providerNote(l))}`);
  return [
    line(head),
    ...body.map(line),
    '',
    `${c.rows.length} models · ${callable} callable now (in the provider's own listing for your key) · ${unpriced} with no known price (? = unknown; cost will show as unknown)`,
    'Prices: @pydantic/genai-prices, USD per 1M tokens. Azure: your deployments are your names; call them as azure:<deployment>.',
    ...notes,
  ].join('\n') + '\n';
}
