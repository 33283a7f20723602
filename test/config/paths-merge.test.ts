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
  it('outside HOME: stops at the enclosing git repository root, or searches only cwd when there is none', () => {
    const repoAt = (root: string) => (dir: string) => dir === root;
    expect(searchDirs('/srv/app/src/lib', { HOME: '/home/u' }, repoAt('/srv/app'))).toEqual(['/srv/app/src/lib', '/srv/app/src', '/srv/app']);
    expect(searchDirs('/srv/app/src', { HOME: '/home/u' }, () => false)).toEqual(['/srv/app/src']);
    expect(searchDirs('/tmp/x', { HOME: '/home/u' }, repoAt('/tmp/x'))).toEqual(['/tmp/x']);
  });
  it('inside HOME the git root does not stop the search: it goes on up to HOME', () => {
    expect(searchDirs('/home/u/p/q', { HOME: '/home/u' }, (d) => d === '/home/u/p/q')).toEqual(['/home/u/p/q', '/home/u/p', '/home/u']);
  });
  it('HOME=/ does not make every directory "inside home"', () => {
    expect(searchDirs('/tmp/a/b', { HOME: '/' }, () => false)).toEqual(['/tmp/a/b']);
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
