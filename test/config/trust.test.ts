import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { emptyConfig } from '../../src/config/schema.js';
import { privilegedSettings, PRIVILEGED_KEYS } from '../../src/config/trust.js';
import { configDigest, UntrustedConfigError } from '../../src/config/trust-check.js';
import { editTrustStore, MAX_TRUST_ENTRIES, readTrustStore, trustStorePath } from '../../src/config/trust-store.js';
import { mergeConfigs } from '../../src/config/merge.js';
import { parseConfigText } from '../../src/config/parse.js';
import { validateConfig } from '../../src/config/schema.js';
import { MmrError } from '../../src/core/errors.js';
import { sandbox, trust, type Sandbox } from './sandbox.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

/** privilegedSettings of YAML text, merged over an optional user config. */
function settingsOf(text: string, env: NodeJS.ProcessEnv = {}, userText?: string) {
  const parse = (t: string) => {
    const p = parseConfigText(t, 'f');
    if (!p.ok) throw new Error('parse');
    return { p, config: validateConfig(p.value, 'f', p.locate).config };
  };
  const { p, config } = parse(text);
  const merged = userText ? mergeConfigs(parse(userText).config, config) : config;
  return privilegedSettings(p.value, merged, env, p.locate);
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe('what is privileged, and what it would do', () => {
  it('the one list names every privileged key', () => {
    expect(PRIVILEGED_KEYS.map((k) => k.key)).toEqual(['protocol', 'command', 'baseUrl', 'keyEnv', 'headers', 'env']);
  });

  it('a command provider: says what would run, shell-quoted, with lines', () => {
    const s = settingsOf('providers:\n  openai:\n    protocol: command\n    command: [sh, -c, "id > pwned.txt"]\n');
    expect(s).toEqual([
      { path: 'providers.openai.protocol', line: 3, effect: 'would make openai run a local program instead of calling a server' },
      { path: 'providers.openai.command', line: 4, effect: "would run `sh -c 'id > pwned.txt'`" },
    ]);
  });

  it('a base URL on a preset: which key would go where, from the preset and the environment', () => {
    expect(settingsOf('providers:\n  openai:\n    baseUrl: http://attacker.example/v1\n')[0].effect).toBe(
      'would send OPENAI_API_KEY and your prompts to http://attacker.example/v1',
    );
    expect(settingsOf('providers:\n  gemini:\n    baseUrl: http://x.example\n')[0].effect).toBe('would send GEMINI_API_KEY or GOOGLE_API_KEY and your prompts to http://x.example');
  });

  it('keyEnv: which variable would be read, and where it would be sent (env base URL, user file)', () => {
    expect(settingsOf('providers:\n  openai:\n    keyEnv: [GITHUB_TOKEN]\n')[0].effect).toBe('would read GITHUB_TOKEN and send it to https://api.openai.com/v1');
    expect(settingsOf('providers:\n  openai:\n    keyEnv: GITHUB_TOKEN\n', { OPENAI_BASE_URL: 'http://proxy.local/v1' })[0].effect).toBe(
      'would read GITHUB_TOKEN and send it to http://proxy.local/v1',
    );
    const user = 'providers:\n  mine:\n    protocol: openai\n    baseUrl: http://mine.local/v1\n';
    expect(settingsOf('providers:\n  mine:\n    keyEnv: [AWS_SECRET_ACCESS_KEY]\n', {}, user)[0].effect).toBe(
      'would read AWS_SECRET_ACCESS_KEY and send it to http://mine.local/v1',
    );
  });

  it('headers and env name what they set; credentials in a URL are hidden', () => {
    const s = settingsOf(
      'providers:\n  c:\n    protocol: openai\n    baseUrl: http://u:secretpw@h.example/v1\n    headers: {X-A: "1", X-B: "2"}\n  x:\n    protocol: command\n    command: [run-model]\n    env: {LD_PRELOAD: ./evil.so}\n',
    );
    expect(s.map((x) => x.effect)).toEqual([
      'would send your prompts to http://***:***@h.example/v1',
      'would add the headers X-A, X-B to every request to http://***:***@h.example/v1',
      'would make x run a local program instead of calling a server',
      'would run `run-model`',
      'would set LD_PRELOAD=./evil.so in the environment of `run-model`',
    ]);
    expect(JSON.stringify(s)).not.toContain('secretpw');
  });

  it('model-level keys count too (models.<id>.command, baseUrl ...)', () => {
    const p = parseConfigText('models:\n  "openai:x":\n    baseUrl: http://evil.example/v1\n    command: [sh]\n', 'f');
    if (!p.ok) throw new Error('parse');
    const s = privilegedSettings(p.value, emptyConfig(), {}, p.locate);
    expect(s.map((x) => [x.path, x.effect])).toEqual([
      ['models["openai:x"].baseUrl', 'would send OPENAI_API_KEY and your prompts to http://evil.example/v1'],
      ['models["openai:x"].command', 'would run `sh`'],
    ]);
  });

  it('unprivileged settings are not listed: aliases, defaults, options, rules, prices, timeouts, rpm', () => {
    const text = [
      'default: [fast]',
      'aliases: {fast: openai:gpt-4o-mini}',
      'options: {temperature: 0.2, system: be brief}',
      'models: {"openai:gpt-4o-mini": {price: {input: 1, output: 2}, contextWindow: 1000}}',
      'providers: {openai: {rpm: 60, concurrency: 2}, anthropic: {protocol: anthropic}}',
      'timeouts: {totalMs: 1000}',
      'retries: {maxRetries: 1}',
      'rules: [{name: a, when: {keywords: [x]}, use: fast}]',
    ].join('\n');
    expect(settingsOf(text)).toEqual([]);
  });

  it('a model name that a command provider would receive must be a plain name (no flags, no shell)', () => {
    const user = 'providers:\n  llm:\n    protocol: command\n    command: [sh, -c, "llm -m {model}"]\n';
    expect(settingsOf('default: [llm:gpt-4o]\n', {}, user)).toEqual([]);
    const s = settingsOf('default: ["llm:x;touch${IFS}pwned"]\naliases:\n  f: "llm:--exec=sh"\nrules:\n  - {name: r, use: f}\n', {}, user);
    expect(s.map((x) => [x.path, x.line])).toEqual([['default[0]', 1], ['aliases.f', 3], ['rules[0].use', 5]]);
    expect(s[0].effect).toBe("would pass the model name \"x;touch${IFS}pwned\" to `sh -c 'llm -m {model}'`");
  });

  it('escape sequences in a hostile file never reach the message', () => {
    const s = settingsOf('providers:\n  openai:\n    baseUrl: "http://a.example/\\e]52;c;cHduZWQ=\\a"\n    command: ["\\e[2Jx"]\n');
    expect(JSON.stringify(s)).not.toMatch(/\\u001b|\\u0007/);
  });
});

describe('loading a project file found by searching', () => {
  const HOSTILE = 'providers:\n  openai:\n    baseUrl: http://127.0.0.1:9/v1\n';

  it('refuses an untrusted file with privileged settings: names the file, line, effect and the command', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', HOSTILE);
    const err = await rejection(loadConfig({ cwd: sb.project, env: sb.env }));
    expect(err).toBeInstanceOf(UntrustedConfigError);
    expect((err as MmrError).exitCode).toBe(2);
    expect(err.message).toBe(
      '.routerrc.yaml is not trusted, and it has settings that can run programs or send your keys elsewhere:\n' +
        '  .routerrc.yaml:3 providers.openai.baseUrl: would send OPENAI_API_KEY and your prompts to http://127.0.0.1:9/v1\n' +
        'Nothing was run or sent.',
    );
    expect((err as MmrError).hint).toContain('mmr trust .routerrc.yaml');
  });

  it('works once trusted, and is refused again when the content changes (then says so)', async () => {
    sb = await sandbox();
    const file = await sb.write('home/project/.routerrc.yaml', HOSTILE);
    await trust(sb, file);
    const loaded = await loadConfig({ cwd: sb.project, env: sb.env });
    expect(loaded.config.providers.openai.baseUrl).toBe('http://127.0.0.1:9/v1');
    await writeFile(file, `${HOSTILE}# one more line\n`);
    const err = await rejection(loadConfig({ cwd: sb.project, env: sb.env }));
    expect(err.message).toMatch(/^\.routerrc\.yaml changed since you trusted it \(on \d{4}-\d\d-\d\d\)/);
  });

  it('unprivileged settings need no trust; the user file and --config need none either', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', 'aliases: {fast: openai:gpt-4o-mini}\ndefault: [fast]\n');
    expect((await loadConfig({ cwd: sb.project, env: sb.env })).config.default).toEqual(['fast']);
    await sb.write('xdg/mmr/config.yaml', 'providers:\n  tool:\n    protocol: command\n    command: [my-llm, "{model}"]\n');
    expect((await loadConfig({ cwd: sb.project, env: sb.env })).config.providers.tool.command).toEqual(['my-llm', '{model}']);
    await sb.write('home/project/team.yaml', HOSTILE);
    expect((await loadConfig({ cwd: sb.project, env: sb.env, configPath: 'team.yaml' })).config.providers.openai.baseUrl).toBe('http://127.0.0.1:9/v1');
  });

  it('merged with a user file: the untrusted project stops the run; it may still pick the user\'s providers', async () => {
    sb = await sandbox();
    await sb.write('xdg/mmr/config.yaml', 'providers:\n  command:\n    command: [my-llm, -m, "{model}"]\n');
    await sb.write('home/project/.routerrc.yaml', 'default: [command:llama3]\n');
    expect((await loadConfig({ cwd: sb.project, env: sb.env })).config.default).toEqual(['command:llama3']);
    await sb.write('home/project/.routerrc.yaml', 'default: [command:llama3]\nproviders:\n  openai:\n    keyEnv: GITHUB_TOKEN\n');
    const err = await rejection(loadConfig({ cwd: sb.project, env: sb.env }));
    expect(err).toBeInstanceOf(UntrustedConfigError);
    expect((err as UntrustedConfigError).settings.map((x) => x.path)).toEqual(['providers.openai.keyEnv']);
  });

  it('package.json "router" is searched and trusted the same way; the digest covers only that field', async () => {
    sb = await sandbox();
    const pkg = (version: string) => JSON.stringify({ name: 'x', version, router: { providers: { openai: { keyEnv: 'GITHUB_TOKEN' } } } }, null, 2);
    const file = await sb.write('home/project/package.json', pkg('1.0.0'));
    const err = await rejection(loadConfig({ cwd: sb.project, env: sb.env }));
    expect(err.message).toContain('package.json:7 providers.openai.keyEnv: would read GITHUB_TOKEN and send it to https://api.openai.com/v1');
    await trust(sb, file);
    await writeFile(file, pkg('1.0.1')); // a version bump does not untrust it
    expect((await loadConfig({ cwd: sb.project, env: sb.env })).config.providers.openai.keyEnv).toBe('GITHUB_TOKEN');
  });

  it('environment overrides are the user\'s own: OPENAI_BASE_URL needs no trust', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', 'default: [openai:gpt-4o-mini]\n');
    const loaded = await loadConfig({ cwd: sb.project, env: { ...sb.env, OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' } });
    expect(loaded.config.default).toEqual(['openai:gpt-4o-mini']);
  });

  it('a trust record for another path, or for a file reached through a symlink, is matched by real path', async () => {
    sb = await sandbox();
    const real = await sb.write('home/dotfiles/routerrc.yaml', HOSTILE);
    const { symlink } = await import('node:fs/promises');
    await symlink(real, path.join(sb.project, '.routerrc.yaml'));
    await trust(sb, real);
    expect((await loadConfig({ cwd: sb.project, env: sb.env })).config.providers.openai.baseUrl).toBe('http://127.0.0.1:9/v1');
  });
});

describe('the trust store', () => {
  it('is written 0600 in a 0700 directory, as {version, files: [{path, sha256, trustedAt}]}', async () => {
    sb = await sandbox();
    const file = await sb.write('home/project/.routerrc.yaml', 'providers: {openai: {keyEnv: X_KEY}}\n');
    await trust(sb, file);
    const store = trustStorePath(sb.env);
    expect((await stat(store)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(store))).mode & 0o777).toBe(0o700);
    const doc = JSON.parse(await readFile(store, 'utf8'));
    expect(doc).toEqual({ version: 1, files: [{ path: file, sha256: configDigest(await readFile(file)), trustedAt: expect.any(String) }] });
  });

  it('a corrupt store trusts nothing (warning naming it) and is never overwritten', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', 'providers: {openai: {keyEnv: X_KEY}}\n');
    const store = await sb.write('xdg/mmr/trusted.json', '{"version": 1, "files": [{"path": "relative", "sha256": "x"}]}');
    const warnings: string[] = [];
    await expect(loadConfig({ cwd: sb.project, env: sb.env, warn: (m) => warnings.push(m) })).rejects.toBeInstanceOf(UntrustedConfigError);
    expect(warnings).toEqual([`ignoring the trust store ${store}: it has a malformed entry at files[0] (each needs an absolute "path", a hex "sha256" and an ISO "trustedAt"); no file is trusted until it is fixed or deleted`]);
    const err = await rejection(trust(sb, path.join(sb.project, '.routerrc.yaml')));
    expect(err.message).toContain(`the trust store ${store} has a malformed entry`);
    expect(await readFile(store, 'utf8')).toContain('"relative"');
  });

  it.each([
    ['not JSON', '{nope', /is not valid JSON/],
    ['wrong shape', '[1, 2]', /is not an mmr trust store/],
    ['too many entries', JSON.stringify({ version: 1, files: Array.from({ length: MAX_TRUST_ENTRIES + 1 }, () => ({})) }), /entries; at most 2000/],
    ['bigger than 1 MB', ' '.repeat(1024 * 1024 + 1), /at most 1 MB/],
  ])('a store that is %s is refused', async (_, text, problem) => {
    sb = await sandbox();
    const store = await sb.write('xdg/mmr/trusted.json', text);
    const r = readTrustStore(store);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(problem);
  });

  it('a store others can write is not believed', async () => {
    sb = await sandbox();
    const store = await sb.write('xdg/mmr/trusted.json', '{"version": 1, "files": []}');
    await chmod(store, 0o666);
    const r = readTrustStore(store);
    expect(!r.ok && r.problem).toBe('(the file) is writable by others, so someone else could have written it');
    await chmod(store, 0o600);
    await chmod(path.dirname(store), 0o777);
    expect(readTrustStore(store).ok).toBe(false);
  });

  it('keeps one entry per path and at most MAX_TRUST_ENTRIES, dropping the oldest', async () => {
    sb = await sandbox();
    const entry = (i: number) => ({ path: `/p/${i}`, sha256: 'a'.repeat(64), trustedAt: new Date(i * 1000).toISOString() });
    await editTrustStore(sb.env, () => Array.from({ length: MAX_TRUST_ENTRIES }, (_, i) => entry(i)));
    const after = await editTrustStore(sb.env, (es) => [...es, entry(0), { ...entry(99999) }]);
    expect(after).toHaveLength(MAX_TRUST_ENTRIES);
    expect(after.at(-1)!.path).toBe('/p/99999');
    expect(after.at(-2)!.path).toBe('/p/0'); // re-trusted: moved to the newest end
    expect(after.some((e) => e.path === '/p/1')).toBe(false); // the oldest went
  });

  it('a trust store directory that cannot be created is a clear error', async () => {
    sb = await sandbox();
    await mkdir(path.join(sb.root, 'ro'));
    const env = { ...sb.env, XDG_CONFIG_HOME: path.join(sb.root, 'ro', 'file-not-dir') };
    await writeFile(path.join(sb.root, 'ro', 'file-not-dir'), 'x');
    const err = await rejection(editTrustStore(env, (e) => e));
    expect(err).toBeInstanceOf(MmrError);
    expect(err.message).toMatch(/^cannot write .*trusted\.json: a file is in the way of the directory .*file-not-dir\/mmr; nothing was changed$/);
  });
});
