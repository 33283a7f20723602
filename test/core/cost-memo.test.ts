import { describe, expect, it } from 'vitest';
import * as lib from '@pydantic/genai-prices';
import { priceBookFrom } from '../../src/core/cost.js';

/** Real price data: the memoised book must give exactly what the library gives, call after call. */
const cases: [string, string][] = [
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4.1-nano'],
  ['openai', 'gpt-4o-2024-08-06'],
  ['anthropic', 'claude-haiku-4-5'],
  ['anthropic', 'claude-sonnet-4-5-20250929'],
  ['google', 'gemini-2.5-flash'],
  ['google', 'gemini-2.5-pro'],
  ['deepseek', 'deepseek-chat'],
  ['openrouter', 'meta-llama/llama-3.3-70b-instruct'],
  ['openai', 'no-such-model-anywhere'],
];
const usages = [
  { inputTokens: 30, outputTokens: 8 },
  { inputTokens: 250_000, outputTokens: 1_000 }, // past gemini-2.5-pro's long-context tier
  { inputTokens: 1_000, outputTokens: 200, cachedInputTokens: 600 },
  { inputTokens: 0, outputTokens: 0 },
];

describe('price lookup memoised per (provider, model)', () => {
  it('gives the library\'s own price for every usage, on the first call and after', () => {
    const book = priceBookFrom(lib);
    for (let round = 0; round < 3; round++) {
      for (const [provider, model] of cases) {
        for (const u of usages) {
          const want = lib.calcPrice({ input_tokens: u.inputTokens, output_tokens: u.outputTokens, ...(u.cachedInputTokens ? { cache_read_tokens: u.cachedInputTokens } : {}) }, model, { providerId: provider });
          expect(book.cost(provider, model, u), `${provider}:${model} ${JSON.stringify(u)} round ${round}`).toBe(want ? want.total_price : null);
        }
        const p = book.price(provider, model);
        expect(p === null).toBe(cases.findIndex((c) => c[1] === model) === cases.length - 1);
      }
    }
  });

  it('scans the model list once per model: later lookups hand the library a one-model provider', () => {
    const seen: unknown[] = [];
    const book = priceBookFrom({
      calcPrice: ((usage: Record<string, number>, model: string, options: Record<string, unknown>) => {
        seen.push(options);
        return lib.calcPrice(usage, model, options as never);
      }) as never,
    });
    for (let i = 0; i < 5; i++) book.cost('openai', 'gpt-4o-mini', { inputTokens: 10 * i, outputTokens: 5 });
    expect(seen[0]).toEqual({ providerId: 'openai' });
    for (const o of seen.slice(1)) expect((o as { provider: { models: unknown[] } }).provider.models).toHaveLength(1);
    // A model the data does not know is asked about once, then answered from memory.
    seen.length = 0;
    for (let i = 0; i < 5; i++) expect(book.cost('openai', 'unknown-model-x', { inputTokens: 1, outputTokens: 1 })).toBeNull();
    expect(seen).toHaveLength(1);
  });
});
