/**
 * `--max-cost`: what the run may cost before it starts. Input tokens are estimated from the
 * characters (~4 per token); output from max tokens (the flag, the model's config, else 512).
 * A multi-turn case is one call per turn, each resending the conversation so far (its earlier
 * answers estimated at the output bound too).
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
  let usd = 0;
  const unknown: string[] = [];
  const turns = cases.reduce((a, c) => a + 1 + c.followUps.length, 0);
  for (const m of models) {
    if (!m.price && engine.isLocal?.(m)) continue;
    const perAnswer = options.maxTokens ?? m.options.maxTokens ?? ASSUMED_OUTPUT_TOKENS;
    let chars = 0;
    let earlierAnswers = 0;
    for (const c of cases) {
      const fixed = (c.system ?? options.system ?? '').length + c.messages.reduce((a, x) => a + x.content.length, 0);
      let sent = fixed;
      chars += sent;
      c.followUps.forEach((f, i) => {
        sent += f.content.length;
        chars += sent;
        earlierAnswers += (i + 1) * perAnswer;
      });
    }
    const inputTokens = Math.ceil(chars / 4) + earlierAnswers;
    const outputTokens = turns * perAnswer;
    const cost = book?.cost(engine.priceProviderOf?.(m), m.model, { inputTokens, outputTokens }, m.price) ?? null;
    if (cost == null) unknown.push(m.id);
    else usd += cost;
  }
  return { usd, unknown, calls: turns * models.length };
}
