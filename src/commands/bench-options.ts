/**
 * `mmr bench`'s flags and the parts of a run's set-up that only read them: per-provider rate
 * and concurrency limits (flags over config), and the prompt files' `variants:` applied to the
 * models (every model once per variant).
 */
import { UsageError } from '../core/errors.js';
import type { ResolvedModel } from '../core/model.js';
import type { FileVariants } from '../bench/load.js';
import type { ProviderLimits } from '../bench/limiter.js';
import type { CallFlags } from '../session/open.js';

export interface BenchFlags extends CallFlags {
  concurrency?: number;
  /** commander's --no-cache. */
  cache?: boolean;
  out?: string;
  format?: string;
  maxCost?: number;
  threshold?: number;
  suggestRules?: boolean;
  writeRules?: boolean;
  tolerance?: number;
  judge?: string;
  /** `provider=N`, repeatable. */
  rpm?: string[];
  providerConcurrency?: string[];
  limit?: number;
  /** Samples per case × model. */
  repeat?: number;
  /** true: the --out file; a string: that rows file. */
  rerunFailed?: boolean | string;
  /** Write the self-contained HTML report here. */
  html?: string;
  /** `I/N`: run the I-th of N stable slices of the cases. */
  shard?: string;
  /** Send the cache misses to the providers' batch APIs. */
  batch?: boolean;
  /** Longest wait between two polls of batch jobs (`30s`, `2m`; a bare number is seconds). */
  pollInterval?: string;
}

export const FORMATS = ['table', 'json', 'csv', 'md', 'junit'];

/** `openai=60` flags, then config `providers.<id>.rpm|concurrency` when the config carries them. */
export function providerLimits(flags: BenchFlags, providers: Record<string, unknown>): Record<string, ProviderLimits> {
  const out: Record<string, ProviderLimits> = {};
  for (const [id, p] of Object.entries(providers)) {
    const { rpm, concurrency } = (p ?? {}) as { rpm?: unknown; concurrency?: unknown };
    if (typeof rpm === 'number' || typeof concurrency === 'number') out[id] = { rpm: typeof rpm === 'number' ? rpm : undefined, concurrency: typeof concurrency === 'number' ? concurrency : undefined };
  }
  const parse = (list: string[] | undefined, key: keyof ProviderLimits, flag: string) => {
    for (const item of list ?? []) {
      const m = /^([\w.-]+)=(\d+)$/.exec(item);
      if (!m || Number(m[2]) < 1) throw new UsageError(`${flag} takes provider=N with N >= 1, got "${item}"`, `e.g. ${flag} openai=60`);
      out[m[1]] = { ...out[m[1]], [key]: Number(m[2]) };
    }
  };
  parse(flags.rpm, 'rpm', '--rpm');
  parse(flags.providerConcurrency, 'concurrency', '--provider-concurrency');
  return out;
}

/** The prompt files' named `variants:`: every model once per variant (its id carries the settings). */
export async function withFileVariants(models: ResolvedModel[], found: FileVariants[], cwd: string, note: (text: string) => unknown): Promise<ResolvedModel[]> {
  const [{ parseVariants, mergeVariants, applyVariants }, { readSystemFiles }, { formatVariantRef }] = await Promise.all([import('../bench/variants.js'), import('../session/vary.js'), import('../core/variants.js')]);
  const variants = mergeVariants(found.map((f) => parseVariants(f.value, f.file, f.display, cwd)));
  const files = variants.flatMap((v) => (v.values.system ? [v.values.system.slice(1)] : []));
  const texts = await readSystemFiles(files, cwd, 'variants:');
  note(`variants: ${variants.map((v) => `${v.name} = ${formatVariantRef('', v.values)}`).join(' · ')}`);
  return applyVariants(models, variants, (f) => texts.get(f));
}

