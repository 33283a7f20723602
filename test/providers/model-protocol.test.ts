/**
 * A model's protocol from config (`models.<id>.protocol`), the automatic Responses API for the
 * models OpenAI serves only there, `reasoning:` as an option, Azure's provider keys, and what
 * the trust model says about them: an HTTP protocol switch on a project file is not privileged
 * (same base URL, same key), `command` cannot be set per model at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { parseConfigText } from '../../src/config/parse.js';
import { emptyConfig, validateConfig } from '../../src/config/schema.js';
import { privilegedSettings } from '../../src/config/trust.js';
import type { MmrConfig } from '../../src/config/types.js';
import { UsageError } from '../../src/core/errors.js';
import { resolveModel } from '../../src/config/resolve-model.js';
import { sandbox, type Sandbox } from '../config/sandbox.js';

const env = { OPENAI_API_KEY: 'sk-test-1234567890', AZURE_OPENAI_API_KEY: 'az-1234567890', AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com' };
const cfg = (over: Partial<MmrConfig>): MmrConfig => ({ ...emptyConfig(), ...over });
function check(yaml: string) {
  const p = parseConfigText(yaml, '.routerrc.yaml');
  if (!p.ok) throw new Error('parse');
  return { ...validateConfig(p.value, '.routerrc.yaml', p.locate), value: p.value, locate: p.locate };
}

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

describe('which protocol a model speaks', () => {
  it('Responses-only models switch on their own, on OpenAI and Azure; other models and providers keep theirs', () => {
    const p = (ref: string) => resolveModel(ref, emptyConfig(), env).provider.protocol;
    expect(['openai:o3-pro', 'openai:gpt-5-pro', 'openai:gpt-5-codex', 'openai:codex-mini-latest', 'openai:o4-mini-deep-research', 'azure:o3-pro'].map(p)).toEqual(Array(6).fill('openai-responses'));
    expect(['openai:gpt-4o-mini', 'openai:o3', 'azure:my-deployment', 'openrouter:openai/o3-pro'].map(p)).toEqual(Array(4).fill('openai'));
  });

  it('config picks one per model (through aliases too), and it beats the automatic choice', () => {
    const config = cfg({
      aliases: { deep: 'openai:o3' },
      models: { 'openai:gpt-4.1': { protocol: 'openai-responses' }, deep: { protocol: 'openai-responses' }, 'openai:o3-pro': { protocol: 'openai' } },
    });
    expect(resolveModel('openai:gpt-4.1', config, env).provider.protocol).toBe('openai-responses');
    expect(resolveModel('deep', config, env).provider.protocol).toBe('openai-responses');
    expect(resolveModel('openai:o3', config, env).provider.protocol).toBe('openai');
    expect(resolveModel('openai:o3-pro', config, env).provider.protocol).toBe('openai');
    // The base URL and key are the provider's, whatever the protocol.
    expect(resolveModel('openai:gpt-4.1', config, env).provider).toMatchObject({ baseUrl: 'https://api.openai.com/v1', apiKey: env.OPENAI_API_KEY });
  });

  it('a command provider\'s models cannot switch to HTTP', () => {
    const config = cfg({ providers: { llm: { protocol: 'command', command: ['llm', '-m', '{model}'] } }, models: { 'llm:x': { protocol: 'openai' } } });
    expect(() => resolveModel('llm:x', config, env)).toThrow(UsageError);
    expect(() => resolveModel('llm:x', config, env)).toThrow(/runs a local command/);
  });
});

describe('config schema', () => {
  it('takes protocol, reasoning, azure and apiVersion, and says what is wrong with bad values', () => {
    const ok = check('options:\n  reasoning: low\nmodels:\n  openai:o3:\n    protocol: openai-responses\n    reasoning: 8192\nproviders:\n  azure-eu:\n    protocol: openai\n    baseUrl: https://eu.openai.azure.com\n    keyEnv: AZURE_EU_KEY\n    azure: true\n    apiVersion: 2025-04-01-preview\n');
    expect(ok.problems).toEqual([]);
    expect(ok.config.options.reasoning).toBe('low');
    expect(ok.config.models['openai:o3']).toEqual({ protocol: 'openai-responses', reasoning: 8192 });
    expect(ok.config.providers['azure-eu']).toMatchObject({ azure: true, apiVersion: '2025-04-01-preview' });
    const bad = check('options:\n  reasoning: max\nmodels:\n  openai:o3:\n    protocol: command\n  openai:o4:\n    protocol: grpc\nproviders:\n  azure:\n    apiVersion: "1; rm"\n    azure: yes-please\n');
    expect(bad.problems.map((p) => [p.path, p.line])).toEqual([
      ['options.reasoning', 2],
      ['models["openai:o3"].protocol', 5],
      ['models["openai:o4"].protocol', 7],
      ['providers.azure.apiVersion', 10],
      ['providers.azure.azure', 11],
    ]);
    expect(bad.problems[0].message).toContain('off, low, medium, high');
    expect(bad.problems[1].message).toContain('cannot be command');
  });

  it('reasoning from config reaches the request options, and a flag-level value wins later (buildRequest)', () => {
    const m = resolveModel('openai:o3', cfg({ options: { reasoning: 'low' }, models: { 'openai:o3': { reasoning: 'high' } } }), env);
    expect(m.options.reasoning).toBe('high');
  });
});

describe('trust', () => {
  it('an HTTP protocol, azure and apiVersion are not privileged; they move no key', () => {
    const { value, config, locate } = check('models:\n  openai:gpt-4o:\n    protocol: anthropic\nproviders:\n  openai:\n    azure: true\n    apiVersion: 2024-10-21\n');
    expect(privilegedSettings(value, config, {}, locate)).toEqual([]);
  });

  it('an untrusted project file that switches a model to the Responses API loads, and the key still goes to the same base URL', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', 'models:\n  openai:gpt-4.1:\n    protocol: openai-responses\n');
    const loaded = await loadConfig({ cwd: sb.project, env: sb.env });
    expect(loaded.projectFile).toBe(path.join(sb.project, '.routerrc.yaml'));
    const m = resolveModel('openai:gpt-4.1', loaded.config, { ...sb.env, OPENAI_API_KEY: env.OPENAI_API_KEY });
    expect(m.provider).toMatchObject({ protocol: 'openai-responses', baseUrl: 'https://api.openai.com/v1' });
  });
});
