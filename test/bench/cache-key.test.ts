import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { CACHE_FORMAT, cacheKey } from '../../src/bench/cache.js';
import type { ResolvedModel } from '../../src/core/model.js';
import type { ModelRequest } from '../../src/core/types.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The key as first written, one JSON.stringify of the whole object. The store keeps answers
 * under it, and old entries must still be found: the faster `cacheKey` must give the same key.
 */
function reference(model: ResolvedModel, request: ModelRequest, sample = 1): string {
  const spec = model.provider;
  const headers = spec.headers ? Object.keys(spec.headers).sort().map((k) => [k.toLowerCase(), sha(spec.headers![k])]) : null;
  const { model: name, messages, system, temperature, maxTokens, topP, stop, ...rest } = request;
  return sha(
    JSON.stringify({
      v: CACHE_FORMAT,
      protocol: spec.protocol,
      baseUrl: spec.protocol === 'command' ? null : spec.baseUrl,
      command: spec.protocol === 'command' ? (spec.command ?? null) : null,
      commandEnv: spec.commandEnv ? Object.keys(spec.commandEnv).sort().map((k) => [k, sha(spec.commandEnv![k])]) : null,
      headers,
      model: model.id,
      name,
      messages,
      system: system ?? null,
      temperature: temperature ?? null,
      maxTokens: maxTokens ?? null,
      topP: topP ?? null,
      stop: stop ?? null,
      rest: Object.keys(rest).length ? rest : null,
      sample: sample > 1 ? sample : null,
    }),
  );
}

const model = (p: Partial<ResolvedModel['provider']> = {}, id = 'openai:gpt-4o-mini'): ResolvedModel => ({
  id,
  model: id.split(':')[1],
  options: {},
  provider: { id: 'openai', protocol: 'openai', baseUrl: 'https://api.openai.com/v1', keyEnv: ['OPENAI_API_KEY'], needsKey: true, apiKey: 'sk-secret', ...p },
});

describe('cache key', () => {
  it('is the same key the whole-object serialisation gives, for every kind of model and request', () => {
    const models = [
      model(),
      model({ headers: { 'X-Title': 'mmr', 'HTTP-Referer': 'https://x' } }),
      model({ protocol: 'command', baseUrl: '', command: ['llm', '-m', '{model}'], commandEnv: { TOKEN: 'secret' } }, 'command:llama'),
      model({ protocol: 'anthropic', baseUrl: 'http://127.0.0.1:9/anthropic' }, 'anthropic:claude-haiku-4-5'),
    ];
    const requests: ModelRequest[] = [
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi "there"\n\u2028 ☃' }] },
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }], system: 'be brief', temperature: 0, maxTokens: 5, topP: 0.9, stop: ['\n\n'] },
      { model: 'x', messages: [{ role: 'user', content: 'future field' }], ...({ seed: 7 } as object) } as ModelRequest,
    ];
    for (const m of models) for (const r of requests) for (const sample of [1, 2, 9]) expect(cacheKey(m, r, sample)).toBe(reference(m, r, sample));
    // The key never depends on the API key.
    expect(cacheKey(model({ apiKey: 'other' }), requests[0])).toBe(cacheKey(model(), requests[0]));
  });

  it('is the reference key when requests one after another share their messages but not the rest', () => {
    const messages: ModelRequest['messages'] = [{ role: 'user', content: 'shared' }];
    const variants: ModelRequest[] = [
      { model: 'a', messages },
      { model: 'b', messages },
      { model: 'b', messages, system: 'terse' },
      { model: 'b', messages, system: 'terse', temperature: 0.5 },
      { model: 'b', messages, system: 'terse', temperature: 0.5, maxTokens: 9 },
      { model: 'b', messages, system: 'terse', temperature: 0.5, maxTokens: 9, topP: 1 },
      { model: 'b', messages, system: 'terse', temperature: 0.5, maxTokens: 9, topP: 1, stop: ['x'] },
      { model: 'b', messages, reasoning: 'low' },
      { model: 'b', messages, reasoning: 2048 },
      { model: 'b', messages },
      { model: 'b', messages: [{ role: 'user', content: 'shared' }, { role: 'assistant', content: 'x' }, { role: 'user', content: 'y' }] },
    ];
    const keys = new Set<string>();
    for (const m of [model(), model({}, 'openai:gpt-4.1')]) {
      for (const r of [...variants, ...variants.slice().reverse()]) {
        const key = cacheKey(m, r);
        expect(key).toBe(reference(m, r));
        keys.add(key);
      }
    }
    // Each model × distinct request is its own key (the first and the tenth variant are the same request but for the name).
    expect(keys.size).toBe(2 * (variants.length - 1));
  });
});
