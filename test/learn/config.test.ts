import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/schema.js';

describe('config learned:', () => {
  it('takes a file and a tradeoff between 0 and 1, and names what is wrong', () => {
    expect(validateConfig({ learned: { file: '.mmr/router.json', tradeoff: 0.3 } }, 'c.yaml').config.learned).toEqual({ file: '.mmr/router.json', tradeoff: 0.3 });
    expect(validateConfig({ learned: {} }, 'c.yaml').config.learned).toEqual({});
    const { problems } = validateConfig({ learned: { file: '', tradeoff: 2, tradeof: 1 } }, 'c.yaml');
    expect(problems.map((p) => p.path).sort()).toEqual(['learned.file', 'learned.tradeof', 'learned.tradeoff']);
    expect(problems.find((p) => p.path === 'learned.tradeof')!.message).toMatch(/did you mean "tradeoff"/);
  });
});
