/**
 * `--max-cost`: what the run may cost before it starts. Input tokens are estimated from the
 * characters (~4 per token); output from max tokens (the flag, the model's config, else 512).
 * A multi-turn case is one call per turn, each resending the conversation so far (its earlier
 * answers estimated at the output bound too). Works from the sums of the first pass over the
 * cases (plan.ts), so the cases need not be in memory.
 */
import type { ModelOptions, ResolvedModel } from '../core/model.js';
import type { EngineOptions } from '../core/run-model.js';
import type { CasePlan } from './plan.js';
import type { BenchCase } from './types.js';

export const ASSUMED_OUTPUT_TOKENS = 512;

export interface Estimate {
  /** USD over models with a known price. */
  usd: number;
  /** Models whose price is unknown (not counted). */
  unknown: string[];
  calls: number;
}

type Sums = Pick<CasePlan, 'turns' | 'promptChars' | 'resentAnswers'>;

/** The sums `planCases` keeps, for a list of cases (tests, small callers). */
export function sumsOf(cases: BenchCase[], options: ModelOptions): Sums {
  const s: Sums = { turns: 0, promptChars: 0, resentAnswers: 0 };
  for (const c of cases) {
    let sent = (c.system ?? options.system ?? '').length + c.messages.reduce((a, x) => a + x.content.length, 0);
    s.turns += 1 + c.followUps.length;
    s.promptChars += sent;
    c.followUps.forEach((f, i) => {
      sent += f.content.length;
      s.promptChars += sent;
      s.resentAnswers += i + 1;
    });
  }
  return s;
}

export async function estimateCost(cases: BenchCase[] | Sums, models: ResolvedModel[], options: ModelOptions, engine: EngineOptions): Promise<Estimate> {
  const sums = Array.isArray(cases) ? sumsOf(cases, options) : cases;
  const book = engine.prices ? await engine.prices() : null;
  let usd = 0;
  const unknown: string[] = [];
  for (const m of models) {
    if (!m.price && engine.isLocal?.(m)) continue;
    const perAnswer = options.maxTokens ?? m.options.maxTokens ?? ASSUMED_OUTPUT_TOKENS;
    const inputTokens = Math.ceil(sums.promptChars / 4) + sums.resentAnswers * perAnswer;
    const outputTokens = sums.turns * perAnswer;
    const cost = book?.cost(engine.priceProviderOf?.(m), m.model, { inputTokens, outputTokens }, m.price) ?? null;
    if (cost == null) unknown.push(m.id);
    else usd += cost;
  }
  return { usd, unknown, calls: sums.turns * models.length };
}
