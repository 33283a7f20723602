import { describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/schema.js';
import type { MmrConfig } from '../../src/config/types.js';
import { UsageError } from '../../src/core/errors.js';
import { expandAlias, parseModelId } from '../../src/config/model-id.js';
import { resolveModel } from '../../src/config/resolve-model.js';
import { resolveProvider } from '../../src/config/resolve-provider.js';
import { getPreset, normalizeOllamaHost, PRESETS } from '../../src/providers/presets.js';

const cfg = (over: Partial<MmrConfig> = {}): MmrConfig => ({ ...emptyConfig(), ...over });

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseModelId', () => {
  it.each([
    ['openai:gpt-4o-mini', 'openai', 'gpt-4o-mini'],
    ['ollama:llama3.2:1b', 'ollama', 'llama3.2:1b'],
    ['openrouter:meta-llama/llama-3.3-70b-instruct', 'openrouter', 'meta-llama/llama-3.3-70b-instruct'],
    ['openrouter:deepseek/deepseek-chat:free', 'openrouter', 'deepseek/deepseek-chat:free'],
    ['my-vllm:Qwen/Qwen2.5-7B-Instruct', 'my-vllm', 'Qwen/Qwen2.5-7B-Instruct'],
    ['x:y', 'x', 'y'],
  ])('%s → %s + %s', (text, provider, model) => {
    expect(parseModelId(text)).toEqual({ provider, model });
  });

  it.each([
    ['', 'is empty'],
    ['gpt-4o', 'has no provider'],
    [':gpt-4o', 'has an empty provider'],
    ['openai:', 'has an empty model name'],
    ['openai: gpt-4o', 'contains whitespace'],
    [' openai:gpt-4o', 'contains whitespace'],
    ['open ai:gpt', 'contains whitespace'],
    ['op/en:gpt', 'invalid provider id'],
  ])('%j is malformed (%s)', (text, why) => {
    const err = usageError(() => parseModelId(text));
    expect(err.message).toContain(JSON.stringify(text));
    expect(err.message).toContain(why);
    expect(err.message).toContain('provider:model, e.g. openai:gpt-4o-mini');
  });

  it('suggests a provider for a bare, well-known model name', () => {
    expect(usageError(() => parseModelId('gpt-4o')).message).toContain('Did you mean "openai:gpt-4o"?');
    expect(usageError(() => parseModelId('claude-haiku-4-5')).message).toContain('"anthropic:claude-haiku-4-5"');
    expect(usageError(() => parseModelId('llama3.2')).message).toContain('"ollama:llama3.2"');
    expect(usageError(() => parseModelId('ollama')).message).toContain('"ollama" is a provider; add a model name');
  });

  it('never quotes something that looks like a key', () => {
    const err = usageError(() => parseModelId('sk-proj-abcdefghijklmnop1234'));
    expect(err.message).not.toContain('sk-proj');
    expect(err.message).toContain('value hidden');
  });
});

describe('aliases', () => {
  const aliases = { fast: 'mini', mini: 'openai:gpt-4o-mini', a: 'b', b: 'c', c: 'a', dangling: 'nothing' };

  it('follows chains and records the path', () => {
    expect(expandAlias('fast', aliases)).toEqual({ id: 'openai:gpt-4o-mini', chain: ['fast', 'mini'] });
    expect(expandAlias('openai:gpt-4o', aliases)).toEqual({ id: 'openai:gpt-4o', chain: [] });
  });

  it('names the cycle', () => {
    expect(usageError(() => expandAlias('a', aliases)).message).toBe('alias cycle in config: a → b → c → a');
  });

  it('reports an alias pointing at nothing usable', () => {
    expect(usageError(() => expandAlias('dangling', aliases)).message).toContain('alias "dangling" points to "nothing"');
  });

  it('an unknown bare name lists the aliases that exist', () => {
    const msg = usageError(() => resolveModel('fsat', cfg({ aliases }), {})).message;
    expect(msg).toContain('invalid model id "fsat"');
    expect(msg).toContain('Aliases in config: fast, mini');
    expect(msg).toContain('Did you mean the alias "fast"?');
  });

  it('does not mistake Object.prototype names for aliases', () => {
    expect(usageError(() => resolveModel('constructor', cfg(), {})).message).toContain('has no provider');
  });
});

describe('resolveProvider: base URL and key precedence', () => {
  it('uses the preset default with no config or env', () => {
    const spec = resolveProvider('openai', cfg(), {});
    expect(spec).toEqual({ id: 'openai', protocol: 'openai', baseUrl: 'https://api.openai.com/v1', keyEnv: ['OPENAI_API_KEY'], needsKey: true });
  });

  it('env var beats preset, config beats env var; trailing slashes go', () => {
    const env = { OPENAI_BASE_URL: 'https://proxy.example/v1/' };
    expect(resolveProvider('openai', cfg(), env).baseUrl).toBe('https://proxy.example/v1');
    const config = cfg({ providers: { openai: { baseUrl: 'https://gateway.example/openai/v1' } } });
    expect(resolveProvider('openai', config, env).baseUrl).toBe('https://gateway.example/openai/v1');
    expect(resolveProvider('anthropic', cfg(), { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999' }).baseUrl).toBe('http://127.0.0.1:9999');
  });

  it('takes the key from the first set variable in keyEnv', () => {
    expect(resolveProvider('gemini', cfg(), { GOOGLE_API_KEY: 'g2' }).apiKey).toBe('g2');
    expect(resolveProvider('gemini', cfg(), { GEMINI_API_KEY: 'g1', GOOGLE_API_KEY: 'g2' }).apiKey).toBe('g1');
    expect(resolveProvider('gemini', cfg(), { GEMINI_API_KEY: '  ', GOOGLE_API_KEY: 'g2' }).apiKey).toBe('g2');
  });

  it('config keyEnv replaces the preset list', () => {
    const config = cfg({ providers: { openai: { keyEnv: 'WORK_OPENAI_KEY' } } });
    const spec = resolveProvider('openai', config, { OPENAI_API_KEY: 'personal', WORK_OPENAI_KEY: 'work' });
    expect(spec.keyEnv).toEqual(['WORK_OPENAI_KEY']);
    expect(spec.apiKey).toBe('work');
    expect(resolveProvider('openai', config, { OPENAI_API_KEY: 'personal' }).apiKey).toBeUndefined();
  });

  it('a missing key is not an error here (the adapter reports it per column)', () => {
    expect(resolveProvider('anthropic', cfg(), {}).apiKey).toBeUndefined();
  });

  it('local presets need no key but accept one', () => {
    const spec = resolveProvider('lmstudio', cfg(), { LMSTUDIO_API_KEY: 'lm' });
    expect(spec).toMatchObject({ protocol: 'openai', baseUrl: 'http://127.0.0.1:1234/v1', needsKey: false, apiKey: 'lm' });
  });

  it('defines a custom OpenAI-compatible provider from config', () => {
    const config = cfg({ providers: { 'my-vllm': { protocol: 'openai', baseUrl: 'http://gpu:8000/v1/', keyEnv: ['MY_KEY'], headers: { 'X-A': '1' } } } });
    expect(resolveProvider('my-vllm', config, { MY_KEY: 'k' })).toEqual({
      id: 'my-vllm', protocol: 'openai', baseUrl: 'http://gpu:8000/v1', keyEnv: ['MY_KEY'], needsKey: true, apiKey: 'k', headers: { 'X-A': '1' },
    });
  });

  it('merges preset and config headers', () => {
    const config = cfg({ providers: { openrouter: { headers: { 'HTTP-Referer': 'https://me.example' } } } });
    expect(resolveProvider('openrouter', config, {}).headers).toEqual({ 'X-Title': 'mmr', 'HTTP-Referer': 'https://me.example' });
  });

  it('a command provider carries its argv and env, and needs one', () => {
    const config = cfg({ providers: { 'llm-cli': { protocol: 'command', command: ['llm', '-m', '{model}'], env: { A: '1' } } } });
    expect(resolveProvider('llm-cli', config, {})).toMatchObject({ protocol: 'command', baseUrl: '', command: ['llm', '-m', '{model}'], commandEnv: { A: '1' } });
    expect(usageError(() => resolveProvider('command', cfg(), {})).message).toContain('no providers.command.command');
  });

  it('an unknown provider lists known ids and explains how to add one', () => {
    const err = usageError(() => resolveModel('opneai:gpt-4o', cfg({ providers: { mine: { protocol: 'openai', baseUrl: 'http://x/v1' } } }), {}));
    expect(err.message).toContain('unknown provider "opneai" (did you mean "openai"?)');
    expect(err.message).toContain('Known providers: openai, anthropic, gemini, ollama, lmstudio');
    expect(err.message).toContain('mine');
    expect(err.hint).toContain('providers:\n    opneai:\n      protocol: openai');
    expect(err.hint).toContain('keyEnv: OPNEAI_API_KEY');
  });
});

describe('OLLAMA_HOST', () => {
  it.each([
    ['0.0.0.0:11434', 'http://127.0.0.1:11434'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    [':11434', 'http://127.0.0.1:11434'],
    ['localhost', 'http://localhost:11434'],
    ['localhost:9000', 'http://localhost:9000'],
    ['127.0.0.1:11435', 'http://127.0.0.1:11435'],
    ['http://gpu-box:11434', 'http://gpu-box:11434'],
    ['http://gpu-box:11434/', 'http://gpu-box:11434'],
    ['http://example.com', 'http://example.com:80'],
    ['https://ollama.example.com/api-proxy/', 'https://ollama.example.com:443/api-proxy'],
    ['[::]:11434', 'http://127.0.0.1:11434'],
    ['[::1]:11500', 'http://[::1]:11500'],
    ['  10.0.0.5  ', 'http://10.0.0.5:11434'],
    ['http://u:p@proxy:8080', 'http://u:p@proxy:8080'],
  ])('%j → %s', (input, want) => {
    expect(normalizeOllamaHost(input)).toBe(want);
  });

  it('feeds the ollama base URL, config still winning', () => {
    expect(resolveProvider('ollama', cfg(), { OLLAMA_HOST: '0.0.0.0:11434' }).baseUrl).toBe('http://127.0.0.1:11434');
    expect(resolveProvider('ollama', cfg(), {}).baseUrl).toBe('http://127.0.0.1:11434');
    const config = cfg({ providers: { ollama: { baseUrl: 'http://gpu:11434' } } });
    expect(resolveProvider('ollama', config, { OLLAMA_HOST: 'elsewhere' }).baseUrl).toBe('http://gpu:11434');
  });
});

describe('resolveModel', () => {
  const config = cfg({
    aliases: { fast: 'mini', mini: 'openai:gpt-4o-mini' },
    options: { temperature: 0.7, maxTokens: 100, system: 'be brief' },
    models: {
      'openai:gpt-4o-mini': { temperature: 0.2, price: { input: 1, output: 2 }, contextWindow: 128000 },
      mini: { maxTokens: 200 },
      fast: { temperature: 0, stop: ['END'] },
    },
  });

  it('merges options: global, then canonical id, then aliases (the typed one last)', () => {
    const r = resolveModel('fast', config, { OPENAI_API_KEY: 'k' });
    expect(r).toMatchObject({ id: 'openai:gpt-4o-mini', alias: 'fast', model: 'gpt-4o-mini', price: { input: 1, output: 2 }, contextWindow: 128000 });
    expect(r.options).toEqual({ temperature: 0, maxTokens: 200, system: 'be brief', stop: ['END'] });
    expect(r.provider.apiKey).toBe('k');
  });

  it('by canonical id, alias settings do not apply', () => {
    const r = resolveModel('openai:gpt-4o-mini', config, {});
    expect(r.alias).toBeUndefined();
    expect(r.options).toEqual({ temperature: 0.2, maxTokens: 100, system: 'be brief' });
  });

  it('passes any model name through unchanged', () => {
    expect(resolveModel('openai:some-future-model-2031', cfg(), {}).model).toBe('some-future-model-2031');
    expect(resolveModel('ollama:qwen2.5-coder:7b-instruct-q4_K_M', cfg(), {}).model).toBe('qwen2.5-coder:7b-instruct-q4_K_M');
  });

  it('does not let later mutation leak into config', () => {
    const r = resolveModel('fast', config, {});
    r.options.stop!.push('X');
    r.options.temperature = 2;
    expect(config.models.fast.stop).toEqual(['END']);
    expect(config.options.temperature).toBe(0.7);
  });

  it('never puts a key in an error message', () => {
    const env = { OPENAI_API_KEY: 'sk-live-secret-123' };
    for (const ref of ['nope:x', 'bad id', 'missing']) {
      const err = usageError(() => resolveModel(ref, cfg(), env));
      expect(`${err.message}\n${err.hint}`).not.toContain('sk-live-secret-123');
    }
  });
});

describe('presets', () => {
  it('has the documented ids, shapes and genai-prices ids', () => {
    expect(PRESETS.map((p) => p.id)).toEqual([
      'openai', 'anthropic', 'gemini', 'ollama', 'lmstudio', 'vllm', 'llamacpp',
      'openrouter', 'groq', 'together', 'deepseek', 'mistral', 'xai', 'azure', 'command',
    ]);
    expect(getPreset('gemini')).toMatchObject({ keyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], pricesProvider: 'google' });
    expect(getPreset('xai')?.pricesProvider).toBe('x-ai');
    expect(getPreset('anthropic')?.baseUrl).not.toMatch(/\/v1$/);
    // Azure's endpoint and deployment names are the user's own: no default of either.
    expect(getPreset('azure')).toMatchObject({ baseUrl: '', baseUrlEnv: 'AZURE_OPENAI_ENDPOINT', keyEnv: ['AZURE_OPENAI_API_KEY'], azure: true });
    for (const p of PRESETS.filter((x) => !x.azure)) {
      if (p.needsKey) expect(p.defaultModel, p.id).toBeTruthy();
      if (p.protocol === 'openai') expect(p.baseUrl, p.id).toMatch(/\/v1$/);
    }
  });
});
