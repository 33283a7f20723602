import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseConfigText } from '../../src/config/parse.js';
import { ConfigError } from '../../src/core/errors.js';
import { sandbox, type Sandbox } from './sandbox.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const problems = (text: string, field?: string) => {
  const p = parseConfigText(text, 'f', field);
  return p.ok ? [] : p.problems.map((x) => [x.line, x.message]);
};

describe('duplicate keys (one pass, a set per mapping)', () => {
  it('reports the later key on its line and where the first one was', () => {
    expect(problems('aliases:\n  a: openai:x\n  b: openai:y\n  a: openai:z\n')).toEqual([
      [4, 'does not parse: duplicate key "a" (first at line 2); map keys must be unique'],
    ]);
  });

  it('in nested and flow mappings, in JSON, and inside package.json', () => {
    expect(problems('providers:\n  openai: {baseUrl: "http://a", baseUrl: "http://b"}\n')).toEqual([
      [2, 'does not parse: duplicate key "baseUrl" (first at line 2); map keys must be unique'],
    ]);
    expect(problems('{\n  "options": {"temperature": 1},\n  "options": {}\n}')).toEqual([
      [3, 'does not parse: duplicate key "options" (first at line 2); map keys must be unique'],
    ]);
    expect(problems('{"name": "x", "router": {"default": ["a:b"], "default": ["c:d"]}}', 'router').map((p) => p[1])).toEqual([
      'does not parse: duplicate key "default" (first at line 1); map keys must be unique',
    ]);
  });

  it('keys that become the same string in the result count as the same key (1 and "1")', () => {
    expect(problems('aliases:\n  1: openai:x\n  "1": openai:y\n')).toHaveLength(1);
  });

  it('the same key in different mappings, and list items, are fine', () => {
    expect(problems('models:\n  "openai:a": {temperature: 1}\n  "openai:b": {temperature: 1}\nrules:\n  - {name: a}\n  - {name: a}\n')).toEqual([]);
  });
});

describe('large files', () => {
  it('a 1 MB file of aliases loads (linear parsing; bench/startup.mjs prints how long it takes)', async () => {
    sb = await sandbox();
    let text = 'aliases:\n';
    for (let i = 0; text.length < 1000 * 1024; i++) text += `  alias-number-${i}: openai:gpt-4o-mini-${i}\n`;
    await sb.write('home/project/.routerrc.yaml', text);
    const loaded = await loadConfig({ cwd: sb.project, env: sb.env });
    expect(Object.keys(loaded.config.aliases).length).toBeGreaterThan(20_000);
  });

  it('an error lists at most 100 problems, then how many more', async () => {
    sb = await sandbox();
    let text = 'aliases:\n';
    for (let i = 0; i < 250; i++) text += `  a${i}: "not an id"\n`;
    await sb.write('home/project/.routerrc.yaml', text);
    const err = await loadConfig({ cwd: sb.project, env: sb.env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const list = (err as ConfigError).problems;
    expect(list).toHaveLength(101);
    expect(list[100].message).toBe('… and 150 more problems');
  });
});

describe('problems are safe to print', () => {
  it('escape sequences from a hostile file are removed from config errors', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', 'providers:\n  openai:\n    protocol: "\\e]52;c;cHduZWQ=\\a\\e[2J"\n');
    const err = await loadConfig({ cwd: sb.project, env: sb.env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('must be one of openai, openai-responses, anthropic, gemini, ollama, command, got "');
    expect((err as ConfigError).message).not.toMatch(/[\u001b\u0007]/);
  });
});
