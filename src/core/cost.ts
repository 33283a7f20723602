import type { Usage } from './types.js';
import type { PriceOverride } from './model.js';

/** Prices of one model in USD per million tokens. */
export interface ModelPrice {
  /** USD per 1M input tokens (base tier). */
  inputPerMTok: number;
  /** USD per 1M output tokens (base tier). */
  outputPerMTok: number;
  /** USD per 1M cached input tokens, when the model has a cache price. */
  cachedInputPerMTok?: number;
  /** Context window in tokens, when the price data knows it. */
  contextWindow?: number;
  /** Where the price came from. */
  source: 'config' | 'genai-prices';
}

/** Looks up prices; injectable so tests and the engine never depend on the data file's contents. */
export interface PriceBook {
  /** Base-tier prices for display (`mmr models`); null when unknown. */
  price(priceProvider: string | undefined, model: string, override?: PriceOverride): ModelPrice | null;
  /** USD for this usage; null when the price or the usage is unknown (shown as unknown, never $0). */
  cost(priceProvider: string | undefined, model: string, usage: Usage, override?: PriceOverride): number | null;
}

type GenaiPrices = typeof import('@pydantic/genai-prices');

const PER_MTOK = 1_000_000;

/** Cost from a config override: cached tokens at the cached price (or the input price). */
export function costFromOverride(usage: Usage, p: PriceOverride): number | null {
  if (usage.inputTokens == null || usage.outputTokens == null) return null;
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const fresh = usage.inputTokens - cached;
  return (fresh * p.input + cached * (p.cachedInput ?? p.input) + usage.outputTokens * p.output) / PER_MTOK;
}

/**
 * A PriceBook over @pydantic/genai-prices (offline data; handles long-context tiers and cache
 * prices). The 800 KB module is imported only when the first price is needed.
 */
export async function loadPriceBook(): Promise<PriceBook> {
  const lib: GenaiPrices = await import('@pydantic/genai-prices');
  return priceBookFrom(lib);
}

/**
 * What the price data matched for one (provider, model): the provider reduced to that one
 * model, so later lookups skip the scan over every model the provider lists (at 50,000 answers
 * the scan was ~3% of a bench run's CPU); `null` when nothing matched; `'direct'` when the data
 * gave no match details to reduce to (then every lookup goes to the library as it is).
 */
type Match = { provider: unknown; totals: Map<string, number> | null } | null | 'direct';

/** Distinct usages remembered per model with a fixed price (a bench run repeats many). */
const MAX_TOTALS = 4096;

export function priceBookFrom(lib: Pick<GenaiPrices, 'calcPrice'>): PriceBook {
  const matches = new Map<string, Match>();
  const calc = (usage: Record<string, number>, model: string, options: Record<string, unknown>) => {
    try {
      return lib.calcPrice(usage, model, options as never);
    } catch {
      return null; // malformed data for one model must not break a comparison
    }
  };
  const lookup = (provider: string | undefined, model: string, usage: Record<string, number>) => {
    if (!provider) return null;
    const key = `${provider}\u0000${model}`;
    const m = matches.get(key);
    if (m === null) return null;
    if (m === undefined) {
      const r = calc(usage, model, { providerId: provider });
      const found = r as { provider?: Record<string, unknown>; model?: unknown } | null;
      // Only the matched model is kept: the library still applies its dated and time-of-day
      // prices and long-context tiers to each usage.
      const model_ = found?.model as { prices?: unknown } | undefined;
      // A price list (dated or time-of-day prices) depends on the clock: only a single fixed
      // price lets a total be remembered per usage.
      const totals = model_ && !Array.isArray(model_.prices) ? new Map<string, number>() : null;
      matches.set(key, !r ? null : found?.provider && found.model ? { provider: { ...found.provider, fallback_model_providers: undefined, models: [found.model] }, totals } : 'direct');
      return r;
    }
    return calc(usage, model, m === 'direct' ? { providerId: provider } : { provider: m.provider });
  };
  /** total_price for this usage; the library's own figure, remembered for fixed-price models. */
  const total = (provider: string | undefined, model: string, usage: Record<string, number>, usageKey: string): number | null => {
    const m = provider ? matches.get(`${provider}\u0000${model}`) : undefined;
    const totals = m && m !== 'direct' ? m.totals : null;
    const known = totals?.get(usageKey);
    if (known !== undefined) return known;
    const r = lookup(provider, model, usage);
    if (r && totals) {
      if (totals.size >= MAX_TOTALS) totals.clear();
      totals.set(usageKey, r.total_price);
    }
    return r ? r.total_price : null;
  };
  return {
    price(provider, model, override) {
      if (override) {
        return { inputPerMTok: override.input, outputPerMTok: override.output, cachedInputPerMTok: override.cachedInput, source: 'config' };
      }
      const r = lookup(provider, model, { input_tokens: PER_MTOK, output_tokens: PER_MTOK });
      if (!r) return null;
      const cached = lookup(provider, model, { input_tokens: PER_MTOK, cache_read_tokens: PER_MTOK });
      const cachedPrice = cached && typeof cached.model_price.cache_read_mtok === 'number' ? cached.input_price : undefined;
      return {
        inputPerMTok: r.input_price,
        outputPerMTok: r.output_price,
        cachedInputPerMTok: cachedPrice,
        contextWindow: r.model.context_window,
        source: 'genai-prices',
      };
    },
    cost(provider, model, usage, override) {
      if (override) return costFromOverride(usage, override);
      if (usage.inputTokens == null || usage.outputTokens == null) return null;
      const cachedTokens = usage.cachedInputTokens ?? 0;
      const u = { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, ...(cachedTokens ? { cache_read_tokens: cachedTokens } : {}) };
      return total(provider, model, u, `${usage.inputTokens},${usage.outputTokens},${cachedTokens}`);
    },
  };
}

/** `$0.00012`, `$1.23`; unknown prices say so instead of pretending to be free. */
export function formatUsd(usd: number | null | undefined): string {
  if (usd == null) return 'price unknown';
  if (usd === 0) return '$0';
  // Two significant digits for tiny amounts, without exponent notation.
  if (usd < 0.01) return `$${usd.toFixed(Math.min(12, 1 - Math.floor(Math.log10(usd))))}`;
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}
