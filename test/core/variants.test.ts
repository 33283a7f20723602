import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse.js';
import { emptyConfig, validateConfig } from '../../src/config/schema.js';
import { privilegedSettings } from '../../src/config/trust.js';
import type { MmrConfig } from '../../src/config/types.js';
import { UsageError } from '../../src/core/errors.js';
import { expandAlias } from '../../src/config/model-id.js';
import { resolveModel } from '../../src/config/resolve-model.js';
import { expandVary, formatVariantRef, MAX_VARIANT_COLUMNS, parseVary, splitVariantRef } from '../../src/core/variants.js';

const env = { OPENAI_API_KEY: 'sk-test-1234567890' };
const cfg = (over: Partial<MmrConfig>): MmrConfig => ({ ...emptyConfig(), ...over });
const err = (f: () => unknown): UsageError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error('did not throw');
};
function check(yaml: string) {
  const p = parseConfigText(yaml, '.routerrc.yaml');
  if (!p.ok) throw new Error('parse');
  return { ...validateConfig(p.value, '.routerrc.yaml', p.locate), value: p.value, locate: p.locate };
}

describe('--vary KEY=V1,V2', () => {
  it('reads each setting, in its several spellings, with one spelling per value', () => {
    expect(parseVary('temperature=0,1')).toEqual({ key: 'temperature', values: ['0', '1'] });
    expect(parseVary('max-tokens=256, 1024')).toEqual({ key: 'maxTokens', values: ['256', '1024'] });
    expect(parseVary('top_p=0.5,1')).toEqual({ key: 'topP', values: ['0.5', '1'] });
    expect(parseVary('reasoning=none,off,LOW,4096')).toEqual({ key: 'reasoning', values: ['off', 'low', '4096'] });
    expect(parseVary('system=@a.txt,@b.txt')).toEqual({ key: 'system', values: ['@a.txt', '@b.txt'] });
  });

  it('refuses what it cannot vary or values out of range, naming the flag and the value', () => {
    expect(err(() => parseVary('seed=1,2')).message).toBe('--vary "seed=1,2": "seed" is not a setting mmr can vary');
    expect(err(() => parseVary('temperature=0,3')).message).toBe('--vary "temperature=0,3": "3": temperature must be a number from 0 to 2');
    expect(err(() => parseVary('temperature')).message).toContain('expected KEY=V1,V2');
    expect(err(() => parseVary('system=Be terse.')).message).toContain('system takes prompt files');
    expect(err(() => parseVary('maxTokens=1.5')).message).toContain('whole number');
    expect(err(() => parseVary('reasoning=lots')).message).toContain('reasoning must be off, low, medium, high');
  });

  it('multiplies models by every combination, model by model, the first --vary slowest; labelled with the settings', () => {
    const ids = expandVary(['openai:gpt-4o-mini', 'fast'], [parseVary('temperature=0,1'), parseVary('reasoning=low,high')]);
    expect(ids).toEqual([
      'openai:gpt-4o-mini{temperature=0,reasoning=low}',
      'openai:gpt-4o-mini{temperature=0,reasoning=high}',
      'openai:gpt-4o-mini{temperature=1,reasoning=low}',
      'openai:gpt-4o-mini{temperature=1,reasoning=high}',
      'fast{temperature=0,reasoning=low}',
      'fast{temperature=0,reasoning=high}',
      'fast{temperature=1,reasoning=low}',
      'fast{temperature=1,reasoning=high}',
    ]);
    // A model given with settings keeps those not varied; the same column twice is one column.
    expect(expandVary(['x:y{maxTokens=64}', 'x:y{maxTokens=64}'], [parseVary('temperature=0')])).toEqual(['x:y{temperature=0,maxTokens=64}']);
    expect(expandVary(['a:b'], [])).toEqual(['a:b']);
  });

  it('bounds the columns, and refuses the same setting twice', () => {
    const many = Array.from({ length: 5 }, (_, i) => `p:m${i}`);
    expect(err(() => expandVary(many, [parseVary('temperature=0,0.5,1'), parseVary('topP=0.5,1')])).message).toBe(
      `--vary makes 30 columns (5 models × 6 combinations); at most ${MAX_VARIANT_COLUMNS}`,
    );
    expect(err(() => expandVary(['p:m'], [parseVary('temperature=0'), parseVary('temperature=1')])).message).toBe('--vary temperature is given twice');
  });
});

describe('variant ids', () => {
  it('round-trip in canonical order, and malformed ones say what is wrong', () => {
    expect(splitVariantRef('openai:gpt-4o-mini{reasoning=high,temperature=0}')).toEqual({ base: 'openai:gpt-4o-mini', values: { reasoning: 'high', temperature: '0' } });
    expect(formatVariantRef('openai:gpt-4o-mini', { reasoning: 'high', temperature: '0' })).toBe('openai:gpt-4o-mini{temperature=0,reasoning=high}');
    expect(splitVariantRef('ollama:llama3.2:1b')).toBeNull();
    expect(err(() => splitVariantRef('a:b{temperature=9}')).message).toContain('temperature must be a number from 0 to 2');
    expect(err(() => splitVariantRef('a:b{seed=1}')).message).toContain('"seed=1" is not a setting');
    expect(err(() => splitVariantRef('a:b{temperature=0}x')).message).toContain('settings go in braces at the end');
    expect(err(() => splitVariantRef('a:b{temperature=0,temperature=1}')).message).toContain('set twice');
  });

  it('resolve to the base model with the settings over every config layer, under a canonical id', () => {
    const config = cfg({ aliases: { fast: 'openai:gpt-4o-mini' }, options: { temperature: 0.7, maxTokens: 100 }, models: { fast: { temperature: 0.2 } } });
    const m = resolveModel('fast{temperature=1,reasoning=none}', config, env);
    expect(m).toMatchObject({ id: 'openai:gpt-4o-mini{temperature=1,reasoning=off}', alias: 'fast{temperature=1,reasoning=off}', model: 'gpt-4o-mini' });
    expect(m.options).toMatchObject({ temperature: 1, maxTokens: 100, reasoning: 'off' });
    expect(expandAlias('fast{topP=0.5}', config.aliases)).toEqual({ id: 'openai:gpt-4o-mini{topP=0.5}', chain: ['fast'] });
  });

  it('a system prompt file is read by the caller; without it the id says where system variants come from', () => {
    const read = (f: string) => (f === 'terse.txt' ? 'Be terse.' : undefined);
    expect(resolveModel('openai:gpt-4o{system=@terse.txt}', emptyConfig(), env, { readSystem: read }).options.system).toBe('Be terse.');
    expect(err(() => resolveModel('openai:gpt-4o{system=@terse.txt}', emptyConfig(), env)).message).toBe("system=@terse.txt: the file's text was not read");
  });
});

describe('aliases with settings in config', () => {
  it('are the alias plus its settings, as if written under models:', () => {
    const { config, problems } = check('aliases:\n  mini-cold:\n    model: openai:gpt-4o-mini\n    temperature: 0\n    reasoning: low\n  fast: openai:gpt-4o-mini\n');
    expect(problems).toEqual([]);
    expect(config.aliases).toEqual({ 'mini-cold': 'openai:gpt-4o-mini', fast: 'openai:gpt-4o-mini' });
    expect(config.models['mini-cold']).toEqual({ temperature: 0, reasoning: 'low' });
    const m = resolveModel('mini-cold', config, env);
    expect(m).toMatchObject({ id: 'openai:gpt-4o-mini', alias: 'mini-cold', options: { temperature: 0, reasoning: 'low' } });
  });

  it('report a missing model, unknown keys, a setting also under models:, and names that would read as settings', () => {
    const bad = check('aliases:\n  a:\n    temperature: 0\n  b:\n    model: openai:x\n    colour: red\n  c:\n    model: openai:x\n    temperature: 1\n  "d{x}": openai:x\nmodels:\n  c:\n    temperature: 0\n');
    expect(bad.problems.map((p) => p.path)).toEqual(['aliases.a', 'aliases.b.colour', 'aliases.c.temperature', 'aliases["d{x}"]']);
    expect(bad.problems[0].message).toContain('needs "model"');
    expect(bad.problems[2].message).toBe('is also set in models.c; set it in one place');
  });

  it('trust: an alias\'s model for a command provider is checked like any other; a variant\'s settings are not part of the name', () => {
    const user = cfg({ providers: { llm: { protocol: 'command', command: ['llm', '-m', '{model}'] } } });
    const { value, locate } = check('aliases:\n  x:\n    model: "llm:--exec=sh"\n  y: "llm:gpt-4o{temperature=0}"\n');
    const merged = { ...user, aliases: { x: 'llm:--exec=sh', y: 'llm:gpt-4o{temperature=0}' } };
    expect(privilegedSettings(value, merged, {}, locate)).toEqual([{ path: 'aliases.x.model', line: 3, effect: "would pass the model name \"--exec=sh\" to `llm -m '{model}'`" }]);
  });
});

describe('variants in the engine, bench files and votes', () => {
  it('a variant\'s settings win over the call\'s flags in the request (they are what the column is)', async () => {
    const { buildRequest, userPrompt } = await import('../../src/core/request.js');
    const m = resolveModel('openai:gpt-4o-mini{temperature=0}', cfg({ options: { temperature: 0.9 } }), env);
    expect(buildRequest(m, userPrompt('q', { temperature: 0.5, maxTokens: 10 }))).toMatchObject({ temperature: 0, maxTokens: 10 });
    const plain = resolveModel('openai:gpt-4o-mini', cfg({ options: { temperature: 0.9 } }), env);
    expect(buildRequest(plain, userPrompt('q', { temperature: 0.5 })).temperature).toBe(0.5);
  });

  it('applyVariant adds to a variant\'s settings and keeps one canonical id', async () => {
    const { applyVariant } = await import('../../src/config/resolve-model.js');
    const m = applyVariant(resolveModel('fast{maxTokens=64}', cfg({ aliases: { fast: 'openai:gpt-4o-mini' } }), env), { temperature: '1' });
    expect([m.id, m.alias, m.options.maxTokens, m.options.temperature]).toEqual(['openai:gpt-4o-mini{temperature=1,maxTokens=64}', 'fast{temperature=1,maxTokens=64}', 64, 1]);
  });

  it('bench variants: checked per file, merged across files, each model once per variant', async () => {
    const { applyVariants, mergeVariants, parseVariants } = await import('../../src/bench/variants.js');
    const a = parseVariants({ cold: { temperature: 0 }, terse: { system: '@prompts/terse.txt' } }, '/w/evals/a.yaml', 'evals/a.yaml', '/w');
    expect(a).toEqual([
      { name: 'cold', values: { temperature: '0' }, where: 'evals/a.yaml variants.cold' },
      { name: 'terse', values: { system: '@evals/prompts/terse.txt' }, where: 'evals/a.yaml variants.terse' },
    ]);
    expect(() => parseVariants({ x: { seed: 1 } }, 'f', 'f', '/')).toThrow(/"seed" is not a setting a variant can hold/);
    expect(() => parseVariants({ x: { system: 'Be terse.' } }, 'f', 'f', '/')).toThrow(/system takes prompt files/);
    expect(() => parseVariants(['cold'], 'f', 'f', '/')).toThrow(/"variants" must be a mapping/);
    expect(() => mergeVariants([a, parseVariants({ cold: { temperature: 1 } }, '/w/b.yaml', 'b.yaml', '/w')])).toThrow(/variant "cold" is also defined, with other settings, at evals\/a\.yaml variants\.cold/);
    const models = [resolveModel('openai:gpt-4o-mini', emptyConfig(), env), resolveModel('openai:o4-mini', emptyConfig(), env)];
    const out = applyVariants(models, a, (f) => (f === 'evals/prompts/terse.txt' ? 'Be terse.' : undefined));
    expect(out.map((m) => m.id)).toEqual(['openai:gpt-4o-mini{temperature=0}', 'openai:gpt-4o-mini{system=@evals/prompts/terse.txt}', 'openai:o4-mini{temperature=0}', 'openai:o4-mini{system=@evals/prompts/terse.txt}']);
    expect(out[1].variant?.system).toBe('Be terse.');
  });

  it('a vote records the variant it was for, settings included', async () => {
    const [{ toVoteEntry }, { emptyResult }] = await Promise.all([import('../../src/history/votes.js'), import('../../src/core/results.js')]);
    const results = ['openai:gpt-4o-mini{temperature=0}', 'openai:gpt-4o-mini{temperature=1}'].map((id) => ({ ...emptyResult(id), done: true }));
    const entry = toVoteEntry('q', results, 1, false, new Date(0));
    expect([entry.models, entry.winner]).toEqual([['openai:gpt-4o-mini{temperature=0}', 'openai:gpt-4o-mini{temperature=1}'], 'openai:gpt-4o-mini{temperature=1}']);
  });
});
