import path from 'node:path';
import envPaths from 'env-paths';
import { describe, expect, it } from 'vitest';
import { deepMerge, mergeConfigs } from '../../src/config/merge.js';
import { homeDir, searchDirs, userConfigDir } from '../../src/config/paths.js';
import { emptyConfig } from '../../src/config/schema.js';
import { editDistance, suggest } from '../../src/config/suggest.js';

describe('userConfigDir', () => {
  it('matches env-paths for the real environment', () => {
    expect(userConfigDir(process.env)).toBe(envPaths('mmr', { suffix: '' }).config);
  });

  it('honours XDG_CONFIG_HOME on every platform, but only an absolute one', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(userConfigDir({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/h' }, platform)).toBe(path.join('/x/cfg', 'mmr'));
    }
    expect(userConfigDir({ XDG_CONFIG_HOME: 'relative', HOME: '/h' }, 'linux')).toBe(path.join('/h', '.config', 'mmr'));
  });

  it('uses the platform place otherwise', () => {
    expect(userConfigDir({ HOME: '/h' }, 'linux')).toBe(path.join('/h', '.config', 'mmr'));
    expect(userConfigDir({ HOME: '/h' }, 'darwin')).toBe(path.join('/h', 'Library', 'Preferences', 'mmr'));
    expect(userConfigDir({ HOME: '/h', APPDATA: '/appdata' }, 'win32')).toBe(path.join('/appdata', 'mmr', 'Config'));
  });

  it('homeDir prefers HOME, then USERPROFILE', () => {
    expect(homeDir({ HOME: '/a', USERPROFILE: '/b' })).toBe('/a');
    expect(homeDir({ USERPROFILE: '/b' })).toBe('/b');
  });
});

describe('searchDirs', () => {
  it('walks from cwd up to and including HOME', () => {
    expect(searchDirs('/home/u/p/q', { HOME: '/home/u' })).toEqual(['/home/u/p/q', '/home/u/p', '/home/u']);
  });
  it('walks to the root when cwd is outside HOME', () => {
    expect(searchDirs('/srv/app', { HOME: '/home/u' })).toEqual(['/srv/app', '/srv', '/']);
  });
});

describe('merge', () => {
  it('deep-merges mappings; lists and scalars replace', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: 2 })).toEqual({ a: { b: 1, c: [3] }, d: 2 });
  });

  it('puts project rules before user rules', () => {
    const user = { ...emptyConfig(), rules: ['u'] };
    const project = { ...emptyConfig(), rules: ['p'] };
    expect(mergeConfigs(user, project).rules).toEqual(['p', 'u']);
  });

  it('keeps the user default when the project has none', () => {
    const user = { ...emptyConfig(), default: ['openai:x'] };
    expect(mergeConfigs(user, emptyConfig()).default).toEqual(['openai:x']);
  });
});

describe('suggest', () => {
  it('finds typos and case/underscore variants', () => {
    expect(suggest('max_tokens', ['maxTokens', 'topP'])).toBe('maxTokens');
    expect(suggest('opneai', ['openai', 'anthropic'])).toBe('openai');
    expect(suggest('zzzzzz', ['openai', 'anthropic'])).toBeUndefined();
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('fsat', 'fast')).toBe(1);
    expect(suggest('fsat', ['fast', 'mini'])).toBe('fast');
  });
});
