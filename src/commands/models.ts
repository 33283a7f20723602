import type { MmrConfig } from '../config/types.js';
import type { ResolvedModel } from '../core/model.js';
import type { ModelPrice } from '../core/cost.js';
import { escapeJsonControls, neutralizeLine } from '../core/terminal-safe.js';

export interface ModelsFlags {
  config?: string;
  json?: boolean;
  /** commander's --no-probe */
  probe?: boolean;
  /** Every model the price data knows, merged with the providers' live listings. */
  all?: boolean;
  /** --all for one provider only (implies --all). */
  provider?: string;
  /** --all filtered to ids containing this text, case-insensitive (implies --all). */
  search?: string;
  /** Ask the providers again instead of using listings cached in the last 15 minutes. */
  refresh?: boolean;
}

export interface ModelRow {
  model: string;
  aliases: string[];
  /** In the default comparison set. */
  isDefault: boolean;
  /** USD per 1M input tokens; null when unknown; 0 for local servers. */
  inputPerMTok: number | null;
  /** USD per 1M output tokens. */
  outputPerMTok: number | null;
  contextWindow: number | null;
  local: boolean;
  /** Whether the provider can be called: key set, or no key needed. */
  keySet: boolean;
  /** The env var(s) to set when keySet is false. */
  keyEnv: string[];
  error: string | null;
}

/** Everything a user may call by name: the default set, alias targets, configured models, then one per provider preset. */
export function candidateRefs(config: MmrConfig, defaults: string[], presets: readonly { id: string; defaultModel?: string }[]): string[] {
  const refs = [...defaults, ...Object.values(config.aliases), ...Object.keys(config.models)];
  for (const p of presets) if (p.defaultModel) refs.push(`${p.id}:${p.defaultModel}`);
  return refs;
}

export async function listModels(flags: ModelsFlags, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<ModelRow[]> {
  const [{ loadConfig }, { resolveModel }, { defaultModels }, { PRESETS, getPreset }, { loadPriceBook }] = await Promise.all([
    import('../config/load.js'),
    import('../config/resolve-model.js'),
    import('../config/default-models.js'),
    import('../providers/presets.js'),
    import('../core/cost.js'),
  ]);
  const { config } = await loadConfig({ cwd, env, configPath: flags.config });
  const defaults = (await defaultModels(config, env, { probe: flags.probe !== false })).models;
  const prices = await loadPriceBook();
  const rows = new Map<string, ModelRow>();
  const defaultIds = new Set<string>();
  for (const ref of candidateRefs(config, defaults, PRESETS)) {
    let m: ResolvedModel;
    try {
      m = resolveModel(ref, config, env);
    } catch (err) {
      rows.set(ref, { model: ref, aliases: [], isDefault: false, inputPerMTok: null, outputPerMTok: null, contextWindow: null, local: false, keySet: false, keyEnv: [], error: (err as Error).message });
      continue;
    }
    if (defaults.includes(ref)) defaultIds.add(m.id);
    if (rows.has(m.id)) continue;
    const preset = getPreset(m.provider.id);
    const local = preset?.local === true && !m.price;
    const p: ModelPrice | null = local ? null : prices.price(preset?.pricesProvider, m.model, m.price);
    rows.set(m.id, {
      model: m.id,
      aliases: [],
      isDefault: false,
      inputPerMTok: local ? 0 : (p?.inputPerMTok ?? null),
      outputPerMTok: local ? 0 : (p?.outputPerMTok ?? null),
      contextWindow: m.contextWindow ?? p?.contextWindow ?? null,
      local: preset?.local === true,
      keySet: !m.provider.needsKey || Boolean(m.provider.apiKey),
      keyEnv: m.provider.keyEnv,
      error: null,
    });
  }
  for (const [alias, target] of Object.entries(config.aliases)) {
    try {
      rows.get(resolveModel(target, config, env).id)?.aliases.push(alias);
    } catch {
      // reported on the target's own row
    }
  }
  for (const id of defaultIds) {
    const r = rows.get(id);
    if (r) r.isDefault = true;
  }
  return [...rows.values()];
}

const usd = (v: number | null) => (v == null ? '?' : v === 0 ? '0' : v < 0.1 ? v.toFixed(3) : v.toFixed(2));
const ctx = (v: number | null) => (v == null ? '' : v >= 1_000_000 ? `${(v / 1_000_000).toFixed(v % 1_000_000 ? 1 : 0)}M` : `${Math.round(v / 1000)}k`);

export function formatModels(rows: ModelRow[]): string {
  const head = ['', 'MODEL', 'ALIASES', 'IN $/1M', 'OUT $/1M', 'CONTEXT', 'KEY'];
  const body = rows.map((r) => [
    r.isDefault ? '*' : '',
    r.model,
    r.aliases.join(','),
    r.local ? 'local' : usd(r.inputPerMTok),
    r.local ? 'local' : usd(r.outputPerMTok),
    ctx(r.contextWindow),
    r.error ? `error: ${r.error}` : r.local && !r.keyEnv.length ? 'not needed' : r.keySet ? (r.local ? 'not needed' : 'set') : `missing: set ${r.keyEnv.join(' or ')}`,
  ].map(neutralizeLine));
  const widths = head.map((_, i) => Math.max(head[i].length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const footer = '\n* = in the default comparison set (used when you give no -m). Prices: @pydantic/genai-prices or your config; ? = unknown.';
  return [line(head), ...body.map(line)].join('\n') + footer + '\n';
}

export async function runModels(flags: ModelsFlags): Promise<void> {
  if (flags.all || flags.provider !== undefined || flags.search !== undefined) {
    const { catalogModels, formatCatalog } = await import('./models-all.js');
    const catalog = await catalogModels(flags);
    const json = { models: catalog.rows, providers: catalog.providers.map(({ models, ...p }) => ({ ...p, listed: models?.length ?? null })) };
    process.stdout.write(flags.json ? `${escapeJsonControls(JSON.stringify(json, null, 2))}\n` : formatCatalog(catalog));
    return;
  }
  const rows = await listModels(flags);
  process.stdout.write(flags.json ? `${escapeJsonControls(JSON.stringify(rows, null, 2))}\n` : formatModels(rows));
}
