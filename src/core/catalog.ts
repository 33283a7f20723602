/**
 * `mmr models --all`: every model the price data knows, merged with what each provider's own
 * listing says it serves to this key right now. Pure: the price data and the listings come in,
 * rows come out, so the merge is tested without a network or the price module.
 */

/** A model the price data knows, with its base-tier prices. */
export interface PricedModel {
  provider: string;
  /** The name after `provider:`. */
  model: string;
  /** USD per 1M input tokens. */
  inputPerMTok: number | null;
  /** USD per 1M output tokens. */
  outputPerMTok: number | null;
  /** USD per 1M cached input tokens, when the model has a cache price. */
  cachedInputPerMTok: number | null;
  /** Context window in tokens. */
  contextWindow: number | null;
  deprecated: boolean;
}

/** What asking one provider for its models gave. */
export interface ProviderListing {
  provider: string;
  /** `listed`: the listing answered; `no-key`: none set; `unreachable`: a local server not running; `error`: it failed. */
  status: 'listed' | 'no-key' | 'unreachable' | 'error';
  /** Names, with a context window when the listing gives one. */
  models?: { id: string; contextWindow?: number }[];
  /** Runs on this machine: prices are 0 unless config sets one. */
  local: boolean;
  /** What failed, one line (never a key). */
  error?: string;
  /** What to do about it. */
  hint?: string;
  /** ms since the listing was fetched, when it came from the on-disk cache. */
  cachedAgeMs?: number;
  /** Names the listing gave that were dropped as unprintable or too long. */
  dropped?: number;
}

export interface CatalogRow {
  /** `provider:model`. */
  model: string;
  provider: string;
  /** USD per 1M input tokens; null when no price is known; 0 for local servers. */
  inputPerMTok: number | null;
  /** USD per 1M output tokens. */
  outputPerMTok: number | null;
  /** USD per 1M cached input tokens. */
  cachedInputPerMTok: number | null;
  /** Tokens. */
  contextWindow: number | null;
  /** The provider's live listing has it: callable with the key set now. */
  callable: boolean;
  /** true: in the live listing; false: the listing answered without it; null: no listing (no key, not running, failed). */
  listed: boolean | null;
  /** No price in the price data or config: its cost will show as unknown. */
  noKnownPrice: boolean;
  deprecated: boolean;
  local: boolean;
}

export interface CatalogFilter {
  /** Only this provider. */
  provider?: string;
  /** Case-insensitive text the `provider:model` id must contain. */
  search?: string;
}

/**
 * Rows for the price data's models and the listings' models, one per `provider:model`, in
 * provider order (as given), then by name. `priceOf` prices a listed model the price data lists
 * under another spelling (a dated snapshot of a priced family, say).
 */
export function buildCatalog(
  providers: readonly string[],
  priced: readonly PricedModel[],
  listings: readonly ProviderListing[],
  priceOf: (provider: string, model: string) => Omit<PricedModel, 'provider' | 'model' | 'deprecated'> | null,
  filter: CatalogFilter = {},
): CatalogRow[] {
  const byProvider = new Map(listings.map((l) => [l.provider, l]));
  const names = new Map(listings.filter((l) => l.status === 'listed').map((l) => [l.provider, new Map((l.models ?? []).map((m) => [m.id, m]))]));
  const rows = new Map<string, CatalogRow>();
  const add = (provider: string, model: string, p: Omit<PricedModel, 'provider' | 'model' | 'deprecated'> | null, deprecated: boolean) => {
    const local = byProvider.get(provider)?.local === true;
    const listedHere = names.get(provider);
    const listed = listedHere ? listedHere.has(model) : null;
    const fromListing = listedHere?.get(model)?.contextWindow;
    rows.set(`${provider}:${model}`, {
      model: `${provider}:${model}`,
      provider,
      inputPerMTok: local && !p ? 0 : (p?.inputPerMTok ?? null),
      outputPerMTok: local && !p ? 0 : (p?.outputPerMTok ?? null),
      cachedInputPerMTok: p?.cachedInputPerMTok ?? null,
      contextWindow: p?.contextWindow ?? fromListing ?? null,
      callable: listed === true,
      listed,
      noKnownPrice: !local && (p?.inputPerMTok ?? null) === null,
      deprecated,
      local,
    });
  };
  for (const m of priced) add(m.provider, m.model, m, m.deprecated);
  for (const l of listings) {
    for (const m of l.models ?? []) if (!rows.has(`${l.provider}:${m.id}`)) add(l.provider, m.id, priceOf(l.provider, m.id), false);
  }
  const order = new Map(providers.map((p, i) => [p, i]));
  const needle = filter.search?.toLowerCase();
  return [...rows.values()]
    .filter((r) => (!filter.provider || r.provider === filter.provider) && (!needle || r.model.toLowerCase().includes(needle)))
    .sort((a, b) => (order.get(a.provider) ?? 1e9) - (order.get(b.provider) ?? 1e9) || a.model.localeCompare(b.model));
}
