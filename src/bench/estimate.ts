/**
 * `--max-cost`: what the run may cost before it starts. Input tokens are estimated from the
 * characters (~4 per token); output from max tokens (the flag, the model's config, else 512).
 */
import type { ModelOptions, ResolvedModel } from '../core/model.js';
import type { EngineOptions } from '../core/run-model.js';
import type { BenchCase } from './types.js';

export const ASSUMED_OUTPUT_TOKENS = 512;

export interface Estimate {
  /** USD over models with a known price. */
  usd: number;
  /** Models whose price is unknown (not counted). */
  unknown: string[];
  calls: number;
}

export async function estimateCost(cases: BenchCase[], models: ResolvedModel[], options: ModelOptions, engine: EngineOptions): Promise<Estimate> {
  const book = engine.prices ? await engine.prices() : null;
  let chars = 0;
  for (const c of cases) chars += (c.system ?? options.system ?? '').length + c.messages.reduce((a, m) => a + m.content.length, 0);
  const inputTokens = Math.ceil(chars / 4);
  let usd = 0;
  const unknown: string[] = [];
  for (const m of models) {
    if (!m.price && engine.isLocal?.(m)) continue;
    const outputTokens = cases.length * (options.maxTokens ?? m.options.maxTokens ?? ASSUMED_OUTPUT_TOKENS);
    const cost = book?.cost(engine.priceProviderOf?.(m), m.model, { inputTokens, outputTokens }, m.price) ?? null;
    if (cost == null) unknown.push(m.id);
    else usd += cost;
  }
  return { usd, unknown, calls: cases.length * models.length };
}
