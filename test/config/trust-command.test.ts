import { chmod, readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTrust, type TrustFlags } from '../../src/commands/trust.js';
import { loadConfig } from '../../src/config/load.js';
import { trustStorePath } from '../../src/config/trust-store.js';
import { ConfigError, UsageError } from '../../src/core/errors.js';
import { sandbox, type Sandbox } from './sandbox.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

async function run(file: string | undefined, flags: TrustFlags = {}, cwd = sb!.project): Promise<string> {
  let out = '';
  const stdout = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
  await runTrust(file, flags, { env: sb!.env, cwd, stdout });
  return out;
}

const HOSTILE = 'providers:\n  openai:\n    protocol: command\n    command: [sh, -c, "id > pwned.txt"]\n';

describe('mmr trust [FILE]', () => {
  it('without FILE trusts the file the search finds, and prints what it now allows', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', HOSTILE);
    const sub = path.join(sb.project, 'src');
    await import('node:fs/promises').then((f) => f.mkdir(sub));
    const out = await run(undefined, {}, sub);
    const file = path.join(sb.project, '.routerrc.yaml'); // above cwd: shown absolute
    expect(out.startsWith(`trusted ${file} (sha256 `)).toBe(true);
    expect(out).toMatch(/\(sha256 [0-9a-f]{12}…\)\nmmr will now use its privileged settings:\n/);
    expect(out).toContain(`  ${file}:4 providers.openai.command: would run \`sh -c 'id > pwned.txt'\`\n`);
    expect((await loadConfig({ cwd: sub, env: sb.env })).config.providers.openai.protocol).toBe('command');
  });

  it('with FILE trusts that file; a file with no privileged settings is recorded and says so', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', 'aliases: {fast: openai:gpt-4o-mini}\n');
    const out = await run('.routerrc.yaml');
    expect(out).toContain('it has no privileged settings, so mmr would have used it without trust');
    expect(JSON.parse(await readFile(trustStorePath(sb.env), 'utf8')).files).toHaveLength(1);
  });

  it('no file found, a JS config, a file that does not load, a file others can write: clear refusals', async () => {
    sb = await sandbox();
    await expect(run(undefined)).rejects.toThrow(/^no project config file found from /);
    await sb.write('home/project/.routerrc.mjs', 'export default {}');
    await expect(run('.routerrc.mjs')).rejects.toBeInstanceOf(UsageError);
    await sb.write('home/project/bad.yaml', 'options: {temperature: 9}\n');
    await expect(run('bad.yaml')).rejects.toBeInstanceOf(ConfigError);
    await sb.write('home/project/open.yaml', HOSTILE);
    await chmod(path.join(sb.project, 'open.yaml'), 0o666);
    await expect(run('open.yaml')).rejects.toThrow(/^refusing to trust open\.yaml: it is writable by others$/);
    await expect(run('missing.yaml')).rejects.toThrow(/file not found/);
  });

  it('never prompts: works with stdin closed, twice in a row (re-trusting replaces the entry)', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', HOSTILE);
    await run(undefined);
    await run(undefined);
    expect(JSON.parse(await readFile(trustStorePath(sb.env), 'utf8')).files).toHaveLength(1);
  });

  it('FILE, --list and --revoke are exclusive; --json goes with --list', async () => {
    sb = await sandbox();
    await expect(run('a', { list: true })).rejects.toThrow('give one of FILE, --list or --revoke FILE');
    await expect(run(undefined, { json: true })).rejects.toThrow('--json goes with --list');
  });
});

describe('mmr trust --list / --revoke', () => {
  it('lists each trusted file as trusted, changed or missing', async () => {
    sb = await sandbox();
    const a = await sb.write('home/project/a.yaml', HOSTILE);
    const b = await sb.write('home/project/b.yaml', HOSTILE);
    const c = await sb.write('home/project/c.yaml', HOSTILE);
    for (const f of ['a.yaml', 'b.yaml', 'c.yaml']) await run(f);
    await writeFile(b, `${HOSTILE}# edited\n`);
    await unlink(c);
    const text = await run(undefined, { list: true });
    expect(text.split('\n').map((l) => l.replace(/ {2}\S+ \S+ {2}/, '  <time>  '))).toEqual([
      `trusted  <time>  ${a}`,
      `changed  <time>  ${b}`,
      `missing  <time>  ${c}`,
      'changed: edited since you trusted it; its privileged settings are refused until mmr trust FILE',
      '',
    ]);
    const json = JSON.parse(await run(undefined, { list: true, json: true }));
    expect(json.files.map((f: { status: string }) => f.status)).toEqual(['trusted', 'changed', 'missing']);
    expect(json.store).toBe(trustStorePath(sb.env));
  });

  it('an empty store says so', async () => {
    sb = await sandbox();
    expect(await run(undefined, { list: true })).toBe(`no trusted files (store: ${trustStorePath(sb.env)})\n`);
  });

  it('--revoke forgets a file (by the path given or its real path); revoking again is a no-op', async () => {
    sb = await sandbox();
    const file = await sb.write('home/project/.routerrc.yaml', HOSTILE);
    await symlink(file, path.join(sb.project, 'link.yaml'));
    await run('.routerrc.yaml');
    expect(await run(undefined, { revoke: 'link.yaml' })).toBe('revoked trust in link.yaml\n');
    await expect(loadConfig({ cwd: sb.project, env: sb.env })).rejects.toThrow(/is not trusted/);
    expect(await run(undefined, { revoke: '.routerrc.yaml' })).toBe('.routerrc.yaml was not trusted; nothing to revoke\n');
  });
});
