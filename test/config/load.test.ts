import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, emptyLoadedConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { FIXTURES, sandbox, trust, type Sandbox } from './sandbox.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

async function loadFixture(fixture: string, sub = '') {
  sb = await sandbox(fixture);
  return loadConfig({ cwd: path.join(sb.project, sub), env: sb.env });
}

async function configError(p: Promise<unknown>): Promise<ConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('search places', () => {
  it.each([
    ['valid-yaml', '.routerrc.yaml', 'mini'],
    ['valid-yml', '.routerrc.yml', 'yml'],
    ['valid-json', '.routerrc.json', 'json'],
    ['rc-yaml', '.routerrc', 'rc'],
    ['rc-json', '.routerrc', 'rcjson'],
    ['package-json', 'package.json', 'pkg'],
  ])('%s: finds %s', async (fixture, file, alias) => {
    const loaded = await loadFixture(fixture);
    expect(loaded.projectFile).toBe(path.join(sb!.project, file));
    expect(loaded.files).toEqual([path.join(sb!.project, file)]);
    expect(loaded.userFile).toBeUndefined();
    expect(Object.keys(loaded.config.aliases)).toContain(alias);
  });

  it('reads the package.json "router" field and nothing else of package.json', async () => {
    const { config } = await loadFixture('package-json');
    expect(config.options).toEqual({ maxTokens: 256 });
    expect(config).not.toHaveProperty('name');
  });

  it('skips a package.json without a "router" field and keeps searching upward', async () => {
    sb = await sandbox();
    await sb.write('home/project/package.json', '{ "name": "x", "dependencies": { "router-lib": "1" } }');
    await sb.write('home/.routerrc.yaml', 'aliases: { up: openai:gpt-4o-mini }\n');
    const loaded = await loadConfig({ cwd: sb.project, env: sb.env });
    expect(loaded.projectFile).toBe(path.join(sb.home, '.routerrc.yaml'));
  });

  it('prefers package.json over .routerrc in the same directory (cosmiconfig order)', async () => {
    sb = await sandbox('package-json');
    await sb.write('home/project/.routerrc.yaml', 'aliases: { rc: openai:gpt-4o }\n');
    const loaded = await loadConfig({ cwd: sb.project, env: sb.env });
    expect(loaded.projectFile).toBe(path.join(sb.project, 'package.json'));
  });

  it('searches upward from a subdirectory and the nearest file wins', async () => {
    const loaded = await loadFixture('nested', 'packages/app/src');
    expect(loaded.projectFile).toBe(path.join(sb!.project, '.routerrc.yaml'));
    expect(loaded.config.aliases.nested).toBe('ollama:llama3.2:1b');

    await sb!.write('home/project/packages/app/.routerrc.json', '{"aliases": {"nearer": "openai:gpt-4o"}}');
    const nearer = await loadConfig({ cwd: path.join(sb!.project, 'packages/app/src'), env: sb!.env });
    expect(nearer.projectFile).toBe(path.join(sb!.project, 'packages/app/.routerrc.json'));
    expect(nearer.config.aliases).toEqual({ nearer: 'openai:gpt-4o' });
  });

  it('stops at HOME: a file above the home directory is never read', async () => {
    sb = await sandbox();
    await sb.write('.routerrc.yaml', 'aliases: { above: openai:gpt-4o }\n'); // in root, the parent of HOME
    expect(await loadConfig({ cwd: sb.project, env: sb.env })).toEqual(emptyLoadedConfig());
  });

  it('outside HOME, searches up to the git repository root and no further', async () => {
    sb = await sandbox();
    await sb.write('.routerrc.yaml', 'aliases: { above: openai:gpt-4o }\n'); // above the repository: never read
    await sb.write('elsewhere/.routerrc.yaml', 'aliases: { repo: openai:gpt-4o }\n');
    await mkdir(path.join(sb.root, 'elsewhere/.git'));
    await mkdir(path.join(sb.root, 'elsewhere/deep'), { recursive: true });
    const env = { HOME: path.join(sb.root, 'other-home'), XDG_CONFIG_HOME: sb.xdg };
    const loaded = await loadConfig({ cwd: path.join(sb.root, 'elsewhere/deep'), env });
    expect(loaded.config.aliases).toEqual({ repo: 'openai:gpt-4o' });
  });

  it('outside HOME and outside any git repository, reads only the working directory', async () => {
    sb = await sandbox();
    await sb.write('shared/.routerrc.yaml', 'aliases: { planted: openai:gpt-4o }\n');
    await mkdir(path.join(sb.root, 'shared/mine'), { recursive: true });
    const env = { HOME: path.join(sb.root, 'other-home'), XDG_CONFIG_HOME: sb.xdg };
    expect(await loadConfig({ cwd: path.join(sb.root, 'shared/mine'), env })).toEqual(emptyLoadedConfig());
    await sb.write('shared/mine/.routerrc.yaml', 'aliases: { here: openai:gpt-4o }\n');
    expect((await loadConfig({ cwd: path.join(sb.root, 'shared/mine'), env })).config.aliases).toEqual({ here: 'openai:gpt-4o' });
  });

  it('a .git file (worktree, submodule) marks the repository root too', async () => {
    sb = await sandbox();
    await sb.write('.routerrc.yaml', 'aliases: { above: openai:gpt-4o }\n');
    await sb.write('wt/.git', 'gitdir: /elsewhere/.git/worktrees/wt\n');
    await sb.write('wt/.routerrc.yaml', 'aliases: { wt: openai:gpt-4o }\n');
    await mkdir(path.join(sb.root, 'wt/src'), { recursive: true });
    const env = { HOME: path.join(sb.root, 'other-home'), XDG_CONFIG_HOME: sb.xdg };
    expect((await loadConfig({ cwd: path.join(sb.root, 'wt/src'), env })).config.aliases).toEqual({ wt: 'openai:gpt-4o' });
  });

  it('returns an empty config when there is no file anywhere', async () => {
    sb = await sandbox();
    expect(await loadConfig({ cwd: sb.project, env: sb.env })).toEqual(emptyLoadedConfig());
  });

  it('a comments-only project file counts as found and empty', async () => {
    sb = await sandbox();
    const file = await sb.write('home/project/.routerrc.yaml', '# nothing yet\n');
    const loaded = await loadConfig({ cwd: sb.project, env: sb.env });
    expect(loaded.projectFile).toBe(file);
    expect(loaded.config).toEqual(emptyLoadedConfig().config);
  });
});

describe('user file and precedence', () => {
  async function layered() {
    sb = await sandbox();
    await cp(path.join(FIXTURES, 'user-and-project/xdg'), sb.xdg, { recursive: true });
    await cp(path.join(FIXTURES, 'user-and-project/home/project'), sb.project, { recursive: true });
    return loadConfig({ cwd: sb.project, env: sb.env });
  }

  it('reads the user file from XDG_CONFIG_HOME/mmr alone', async () => {
    sb = await sandbox();
    await cp(path.join(FIXTURES, 'user-and-project/xdg'), sb.xdg, { recursive: true });
    const loaded = await loadConfig({ cwd: sb.project, env: sb.env });
    expect(loaded.userFile).toBe(path.join(sb.xdg, 'mmr/config.yaml'));
    expect(loaded.projectFile).toBeUndefined();
    expect(loaded.config.default).toEqual(['openai:gpt-4o-mini']);
  });

  it('falls back to $HOME/.config/mmr when XDG_CONFIG_HOME is unset (Linux)', async () => {
    sb = await sandbox();
    await sb.write('home/.config/mmr/config.json', '{"aliases": {"homecfg": "openai:gpt-4o"}}');
    const loaded = await loadConfig({ cwd: sb.project, env: { HOME: sb.home } });
    if (process.platform === 'linux') expect(loaded.config.aliases).toEqual({ homecfg: 'openai:gpt-4o' });
  });

  it('project overrides user: mappings merge, scalars and lists replace, rules concatenate project-first', async () => {
    // The project sets headers (privileged): it must be trusted before it merges.
    await expect(layered()).rejects.toThrow(/not trusted/);
    await trust(sb!, path.join(sb!.project, '.routerrc.yaml'));
    const { config, files, userFile, projectFile } = await loadConfig({ cwd: sb!.project, env: sb!.env });
    expect(files).toEqual([userFile, projectFile]);
    expect(config.default).toEqual(['anthropic:claude-haiku-4-5']);
    expect(config.aliases).toEqual({ mini: 'openai:gpt-4o-mini', shared: 'anthropic:claude-haiku-4-5' });
    expect(config.options).toEqual({ temperature: 0.1, maxTokens: 100 });
    expect(config.providers.openai).toEqual({ keyEnv: ['USER_OPENAI_KEY'], headers: { 'X-User': '1', 'X-Project': '1' } });
    expect(config.rules).toEqual([{ name: 'project-rule' }, { name: 'user-rule' }]);
  });

  it('reports problems from both files in one error', async () => {
    sb = await sandbox();
    await sb.write('xdg/mmr/config.yaml', 'options:\n  temperature: 9\n');
    await sb.write('home/project/.routerrc.yaml', 'timeouts:\n  idleMs: -3\n');
    const err = await configError(loadConfig({ cwd: sb.project, env: sb.env }));
    expect(err.problems.map((p) => [p.path, p.line])).toEqual([
      ['options.temperature', 2],
      ['timeouts.idleMs', 2],
    ]);
    expect(err.problems[0].file).toBe(path.join(sb.xdg, 'mmr/config.yaml'));
    expect(err.problems[1].file).toBe('.routerrc.yaml'); // relative to cwd: short and clickable
  });
});

describe('code is never executed by search', () => {
  it('ignores .routerrc.js and router.config.js in cwd', async () => {
    const loaded = await loadFixture('js-not-loaded');
    expect(loaded).toEqual(emptyLoadedConfig());
    expect(existsSync(path.join(sb!.project, 'EXECUTED-routerrc-js'))).toBe(false);
    expect(existsSync(path.join(sb!.project, 'EXECUTED-router-config-js'))).toBe(false);
  });

  it('runs a JS config named explicitly with --config, and only that file', async () => {
    sb = await sandbox('js-not-loaded');
    await sb.write('xdg/mmr/config.yaml', 'aliases: { fromuser: openai:gpt-4o }\n');
    const loaded = await loadConfig({ cwd: sb.project, env: sb.env, configPath: '.routerrc.js' });
    expect(existsSync(path.join(sb.project, 'EXECUTED-routerrc-js'))).toBe(true);
    expect(existsSync(path.join(sb.project, 'EXECUTED-router-config-js'))).toBe(false);
    expect(loaded.config.aliases).toEqual({ fromjs: 'openai:gpt-4o-mini' });
    expect(loaded.files).toEqual([path.join(sb.project, '.routerrc.js')]);
    expect(loaded.userFile).toBeUndefined();
  });

  it('validates what a JS config exports (without line numbers)', async () => {
    sb = await sandbox();
    await sb.write('home/project/bad.mjs', 'export default { options: { temperature: -1 } };\n');
    const err = await configError(loadConfig({ cwd: sb.project, env: sb.env, configPath: 'bad.mjs' }));
    expect(err.problems).toEqual([{ file: 'bad.mjs', path: 'options.temperature', message: 'must be between 0 and 2, got -1' }]);
  });

  it('loads an explicit .ts config through cosmiconfig\'s TypeScript loader', async () => {
    sb = await sandbox();
    await sb.write('home/project/router.config.ts', "const temperature: number = 0.3;\nexport default { options: { temperature } };\n");
    const loaded = await loadConfig({ cwd: sb.project, env: sb.env, configPath: 'router.config.ts' });
    expect(loaded.config.options).toEqual({ temperature: 0.3 });
  });

  it('reports a JS config that throws as a config problem', async () => {
    sb = await sandbox();
    await sb.write('home/project/throws.cjs', 'require("fs").appendFileSync(__dirname + "/runs", "x");\nthrow new Error("boom from config");\n');
    const err = await configError(loadConfig({ cwd: sb.project, env: sb.env, configPath: 'throws.cjs' }));
    expect(err.problems[0].message).toBe('could not be loaded: boom from config');
    expect(readFileSync(path.join(sb.project, 'runs'), 'utf8')).toBe('x'); // executed once, not retried
  });
});

describe('explicit --config', () => {
  it('loads a YAML file by any name, relative to cwd', async () => {
    sb = await sandbox();
    await sb.write('home/project/conf/team.yaml', 'aliases: { team: openai:gpt-4o }\n');
    const loaded = await loadConfig({ cwd: sb.project, env: sb.env, configPath: 'conf/team.yaml' });
    expect(loaded.projectFile).toBe(path.join(sb.project, 'conf/team.yaml'));
    expect(loaded.config.aliases).toEqual({ team: 'openai:gpt-4o' });
  });

  it('a missing file is a ConfigError that says so', async () => {
    sb = await sandbox();
    const err = await configError(loadConfig({ cwd: sb.project, env: sb.env, configPath: 'nope.yaml' }));
    expect(err.problems).toEqual([{ file: 'nope.yaml', path: '', message: 'file not found' }]);
    expect(err.hint).toContain('--config');
  });

  it('a package.json without the field is reported', async () => {
    sb = await sandbox();
    await sb.write('home/project/package.json', '{"name": "x"}');
    const err = await configError(loadConfig({ cwd: sb.project, env: sb.env, configPath: 'package.json' }));
    expect(err.problems[0].message).toBe('has no "router" field');
  });
});

describe('errors with lines', () => {
  it('an unparseable YAML file reports the parser line', async () => {
    const err = await configError(loadFixture('unparseable'));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ file: '.routerrc.yaml', line: 5, path: '' });
    expect(err.problems[0].message).toMatch(/does not parse: Tabs are not allowed as indentation/);
    expect(err.message).toContain('.routerrc.yaml:5');
  });

  it('a duplicate key is a parse problem on its line', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', 'aliases:\n  a: openai:x\n  a: openai:y\n');
    const err = await configError(loadConfig({ cwd: sb.project, env: sb.env }));
    expect(err.problems[0]).toMatchObject({ line: 3 });
    expect(err.problems[0].message).toContain('unique');
  });

  it('JSON problems carry lines too, including inside package.json', async () => {
    const err = await configError(loadFixture('invalid-json'));
    expect(err.problems.map((p) => [p.line, p.path])).toEqual([
      [4, 'options.temperature'],
      [5, 'options.max_tokens'],
    ]);
    await sb!.cleanup();
    sb = await sandbox();
    await sb.write('home/project/package.json', '{\n  "name": "x",\n  "router": {\n    "options": { "topP": 7 }\n  }\n}\n');
    const pkg = await configError(loadConfig({ cwd: sb.project, env: sb.env }));
    expect(pkg.problems).toEqual([{ file: 'package.json', path: 'options.topP', line: 4, message: 'must be between 0 and 1, got 7' }]);
  });
});
