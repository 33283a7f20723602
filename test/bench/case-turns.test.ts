/** The runner's request maker gives what buildRequest gives, field for field and in order, whatever came before. */
import { describe, expect, it } from 'vitest';
import { requestMaker } from '../../src/bench/case-turns.js';
import { buildRequest, type Prompt } from '../../src/core/request.js';
import type { ResolvedModel } from '../../src/core/model.js';

const model = (id: string, options: ResolvedModel['options'] = {}, variant?: ResolvedModel['variant']): ResolvedModel => ({
  id,
  model: id.split(':')[1],
  options,
  ...(variant ? { variant } : {}),
  provider: { id: 'openai', protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', keyEnv: ['OPENAI_API_KEY'], needsKey: true },
});

describe('requestMaker', () => {
  it('matches buildRequest for each model and options object, in any order of calls', () => {
    const models = [model('openai:a'), model('openai:b', { temperature: 0.2, system: 'cfg' }), model('openai:c', { maxTokens: 9 }, { reasoning: 'high', topP: 0.5 })];
    const runOptions = { system: 'run', stop: ['\n'] };
    const other = { temperature: 1 };
    const make = requestMaker();
    const turns: Prompt[] = [];
    for (let i = 0; i < 6; i++) {
      turns.push({ messages: [{ role: 'user', content: `q${i}` }], options: i % 3 === 2 ? other : runOptions });
      turns.push({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: 'a' }, { role: 'user', content: 'more' }], options: undefined });
    }
    for (const p of turns) {
      for (const m of models) {
        const got = make(m, p);
        const want = buildRequest(m, p);
        expect(Object.keys(got)).toEqual(Object.keys(want));
        expect(got).toEqual(want);
        expect(got.messages).toBe(p.messages);
        // What a caller does to its request does not reach the next one.
        got.temperature = 99;
      }
    }
  });
});
