import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseConfigText } from '../../src/config/parse.js';
import { emptyConfig, validateConfig } from '../../src/config/schema.js';
import { resolveModel } from '../../src/config/resolve-model.js';
import { FIXTURES } from './sandbox.js';

const ROOT = path.resolve(FIXTURES, '../..');

/** Parse + validate YAML text the way load.ts does. */
function check(text: string) {
  const parsed = parseConfigText(text, 'test.yaml');
  if (!parsed.ok) throw new Error(`fixture does not parse: ${parsed.problems[0].message}`);
  return validateConfig(parsed.value, 'test.yaml', parsed.locate);
}
const lines = (text: string) => check(text).problems.map((p) => `${p.line} ${p.path}: ${p.message}`);

describe('invalid-types fixture: every problem at once, with lines', () => {
  const file = path.join(FIXTURES, 'invalid-types/.routerrc.yaml');
  const text = readFileSync(file, 'utf8');
  const { problems } = check(text);

  it('reports all 17 problems in file order', () => {
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [2, 'default'],
      [4, 'aliases["bad:alias"]'],
      [6, 'options.temperature'],
      [7, 'options.maxTokens'],
      [8, 'options.topp'],
      [11, 'models["openai:gpt-4o"].temperature'],
      [13, 'models["openai:gpt-4o"].price.input'],
      [13, 'models["openai:gpt-4o"].price'],
      [14, 'models["openai:gpt-4o"].contextWindow'],
      [17, 'providers.openai.keyEnv'],
      [18, 'providers.openai.apiKey'],
      [19, 'providers.myserver'],
      [20, 'providers.myserver.baseUrl'],
      [22, 'timeouts.connectMs'],
      [24, 'retries.maxRetries'],
      [25, 'rules'],
      [26, 'extra'],
    ]);
  });

  it('says what is wrong and how to fix it', () => {
    const msg = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(msg['options.temperature']).toBe('must be between 0 and 2, got 3');
    expect(msg['options.topp']).toContain('did you mean "topP"?');
    expect(msg['models["openai:gpt-4o"].temperature']).toBe('must be a number, got a string; remove the quotes');
    expect(msg['models["openai:gpt-4o"].contextWindow']).toContain('got NaN');
    expect(msg['models["openai:gpt-4o"].price']).toContain('needs "output"');
    expect(msg['providers.openai.keyEnv']).toMatch(/looks like an API key.*name the variable/);
    expect(msg['providers.openai.apiKey']).toContain('keyEnv');
    expect(msg['providers.myserver']).toContain('needs protocol');
    expect(msg['retries.maxRetries']).toContain('whole number');
  });

  it('never echoes a secret', () => {
    const all = problems.map((p) => p.message).join('\n');
    expect(all).not.toContain('sk-proj');
    expect(all).not.toContain('hunter2');
  });
});

describe('rules of the schema', () => {
  it('accepts an empty document and empty sections', () => {
    expect(check('')).toEqual({ config: emptyConfig(), problems: [] });
    expect(check('aliases:\nmodels:\noptions:\n').problems).toEqual([]);
  });

  it('accepts a single string for default and stop', () => {
    const { config, problems } = check('default: openai:gpt-4o\noptions:\n  stop: END\n');
    expect(problems).toEqual([]);
    expect(config.default).toEqual(['openai:gpt-4o']);
    expect(config.options.stop).toEqual(['END']);
  });

  it('checks ranges, integers and infinities', () => {
    expect(lines('options:\n  topP: 1.5\n  maxTokens: 2.5\n  temperature: .inf\n')).toEqual([
      '2 options.topP: must be between 0 and 1, got 1.5',
      '3 options.maxTokens: must be a whole number (tokens), got 2.5',
      '4 options.temperature: must be a number, got infinity',
    ]);
  });

  it('allows 0 for timeouts (disables one) and retries', () => {
    expect(check('timeouts: { connectMs: 0 }\nretries: { maxRetries: 0 }\n').problems).toEqual([]);
  });

  it('flags keyEnv values that are not env var names without echoing them', () => {
    const out = lines('providers:\n  openai:\n    keyEnv: [GOOD_NAME, "my key"]\n  groq:\n    keyEnv: AIzaSyD-abcdefghijklmnop\n');
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^3 providers\.openai\.keyEnv\[1\]: is not an environment variable name/);
    expect(out[1]).toMatch(/^5 providers\.groq\.keyEnv: looks like an API key/);
    expect(out.join()).not.toContain('AIza');
  });

  it('flags a secret pasted into a header', () => {
    const out = lines('providers:\n  my-gw:\n    protocol: openai\n    baseUrl: https://gw.example/v1\n    headers:\n      Authorization: Bearer sk-abcdef\n');
    expect(out).toEqual([expect.stringMatching(/^6 providers\["my-gw"\]\.headers\.Authorization: looks like it holds a secret; .*MY_GW_API_KEY/)]);
  });

  it('requires protocol and baseUrl for a custom provider, and command for protocol command', () => {
    expect(lines('providers:\n  mine:\n    protocol: openai\n  tool:\n    protocol: command\n  command: {}\n')).toEqual([
      '2 providers.mine: "mine" is not a built-in provider, so it needs baseUrl, e.g. http://127.0.0.1:8000/v1',
      '4 providers.tool: protocol command needs command: an argv list such as [llm, -m, "{model}"]',
      '6 providers.command: protocol command needs command: an argv list such as [llm, -m, "{model}"]',
    ]);
  });

  it('rejects an unknown protocol and a non-http baseUrl', () => {
    expect(lines('providers:\n  x:\n    protocol: grpc\n    baseUrl: ftp://x\n')).toEqual([
      '3 providers.x.protocol: must be one of openai, openai-responses, anthropic, gemini, ollama, command, got "grpc"',
      '4 providers.x.baseUrl: must be an http:// or https:// URL, e.g. http://127.0.0.1:8000/v1',
    ]);
  });

  it('rejects prototype-polluting keys', () => {
    const { config, problems } = check('aliases:\n  __proto__: { polluted: true }\n');
    expect(problems[0]).toMatchObject({ line: 2, message: '"__proto__" is not allowed as a key' });
    expect(Object.getPrototypeOf(config.aliases)).toBe(Object.prototype);
  });

  it('points wrong section types at the value', () => {
    expect(lines('aliases: [a, b]\nmodels:\n  "openai:x": 3\n')).toEqual([
      '1 aliases: must be a mapping (key: value lines), got a list',
      '3 models["openai:x"]: must be a mapping (key: value lines), got a number',
    ]);
  });

  it('validates the top level of a JS export (no lines)', () => {
    const { problems } = validateConfig({ defualt: ['a:b'] }, 'x.mjs');
    expect(problems).toEqual([{ file: 'x.mjs', path: 'defualt', message: expect.stringContaining('did you mean "default"?') }]);
    expect(validateConfig(42, 'x.mjs').problems[0].message).toBe('must be a mapping (key: value lines), got a number');
  });
});

describe('.routerrc.example', () => {
  it('loads and validates, and every alias and default resolves', async () => {
    const { config } = await loadConfig({ cwd: ROOT, env: { HOME: ROOT }, configPath: '.routerrc.example' });
    expect(Object.keys(config.providers)).toEqual(expect.arrayContaining(['openai', 'my-vllm', 'llm-cli']));
    expect(config.models['my-vllm:Qwen/Qwen2.5-7B-Instruct']).toMatchObject({ price: { input: 0.1, output: 0.3 }, contextWindow: 32768 });
    // Every example rule compiles: its conditions are valid and its models resolve.
    const { compileRules, knownModelFor } = await import('../../src/config/rules.js');
    const rules = compileRules(config.rules, { file: '.routerrc.example', knownModel: knownModelFor(config) });
    expect(rules.map((r) => r.name)).toEqual(['sql-queries', 'math', 'long-documents', 'code-review', 'german']);
    for (const ref of [...Object.keys(config.aliases), ...(config.default ?? []), 'my-vllm:Qwen/Qwen2.5-7B-Instruct', 'llm-cli:gpt-4o-mini']) {
      expect(() => resolveModel(ref, config, {})).not.toThrow();
    }
  });

  it('names keys only by env var', () => {
    const text = readFileSync(path.join(ROOT, '.routerrc.example'), 'utf8');
    expect(text).not.toMatch(/sk-[A-Za-z0-9]/);
  });
});

describe('provider request limits', () => {
  it('accepts rpm and concurrency as positive whole numbers, and names the bad ones', () => {
    const ok = validateConfig({ providers: { openai: { rpm: 60, concurrency: 4 } } }, 'x.yaml');
    expect(ok.problems).toEqual([]);
    expect(ok.config.providers.openai).toMatchObject({ rpm: 60, concurrency: 4 });
    const bad = validateConfig({ providers: { openai: { rpm: 0, concurrency: 2.5 } } }, 'x.yaml');
    expect(bad.problems.map((p) => p.path).sort()).toEqual(['providers.openai.concurrency', 'providers.openai.rpm']);
  });
});

describe('limits', () => {
  it('accepts maxAnswerBytes and maxBodyBytes and hands them to every provider spec', () => {
    const { config, problems } = check('limits:\n  maxAnswerBytes: 1048576\n  maxBodyBytes: 67108864\n');
    expect(problems).toEqual([]);
    expect(config.limits).toEqual({ maxAnswerBytes: 1048576, maxBodyBytes: 67108864 });
    expect(resolveModel('openai:gpt-4o-mini', config, {}).provider.limits).toEqual({ maxAnswerBytes: 1048576, maxBodyBytes: 67108864 });
    expect(resolveModel('openai:gpt-4o-mini', emptyConfig(), {}).provider.limits).toBeUndefined();
  });

  it('refuses values that would switch a bound off or are not whole byte counts, naming each', () => {
    expect(lines('limits:\n  maxAnswerBytes: 0\n  maxBodyBytes: 1e20\n  other: 1\n')).toEqual([
      '2 limits.maxAnswerBytes: must be between 1024 and 1073741824 (bytes), got 0',
      '3 limits.maxBodyBytes: must be between 65536 and 17179869184 (bytes), got 100000000000000000000',
      expect.stringMatching(/^4 limits\.other: /),
    ]);
    expect(lines('limits:\n  maxAnswerBytes: 2048.5\n')).toEqual(['2 limits.maxAnswerBytes: must be a whole number (bytes), got 2048.5']);
  });
});
