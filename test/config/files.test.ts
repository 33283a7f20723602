import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, symlink, writeFile } from 'node:fs/promises';
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CONFIG_BYTES, ownershipProblem, readConfigFile } from '../../src/config/files.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { sandbox, type Sandbox } from './sandbox.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const isRoot = process.getuid?.() === 0;
const me = process.getuid?.() ?? 0;
const OTHER = 65534; // nobody

async function loadWarnings(cwd: string, env: NodeJS.ProcessEnv) {
  const warnings: string[] = [];
  const loaded = await loadConfig({ cwd, env, warn: (m) => warnings.push(m) });
  return { loaded, warnings };
}

async function problemOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems.map((x) => `${x.file}: ${x.message}`).join('\n');
}

describe('a config file must be a regular file of at most 1 MB', () => {
  it('a FIFO is refused without opening it (nothing hangs)', async () => {
    sb = await sandbox();
    execFileSync('mkfifo', [path.join(sb.project, '.routerrc.yaml')]);
    expect(await problemOf(loadConfig({ cwd: sb.project, env: sb.env }))).toBe('.routerrc.yaml: is a FIFO (named pipe), not a regular file; mmr reads config only from regular files');
  });

  it('a symlink to /dev/zero is refused without reading it; a symlink to a regular file is followed', async () => {
    sb = await sandbox();
    const link = path.join(sb.project, '.routerrc.yaml');
    await symlink('/dev/zero', link);
    expect(await problemOf(loadConfig({ cwd: sb.project, env: sb.env }))).toBe('.routerrc.yaml: is a character device, not a regular file; mmr reads config only from regular files');
    await sb.cleanup();
    sb = await sandbox();
    const real = await sb.write('home/dotfiles/rc.yaml', 'aliases: {dot: openai:gpt-4o}\n');
    await symlink(real, path.join(sb.project, '.routerrc.yaml'));
    expect((await loadConfig({ cwd: sb.project, env: sb.env })).config.aliases).toEqual({ dot: 'openai:gpt-4o' });
  });

  it('a directory where a config file should be is an error, as is a symlink loop', async () => {
    sb = await sandbox();
    await mkdir(path.join(sb.project, '.routerrc.yaml'));
    expect(await problemOf(loadConfig({ cwd: sb.project, env: sb.env }))).toMatch(/is a directory, not a regular file/);
    const loop = path.join(sb.root, 'loop');
    await symlink(loop, loop);
    expect(readConfigFile(loop)).toEqual({ kind: 'error', message: 'is a loop of symbolic links' });
  });

  it('a file over 1 MB is refused before it is read; exactly 1 MB loads', async () => {
    sb = await sandbox();
    const file = path.join(sb.project, '.routerrc.yaml');
    await writeFile(file, `#${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    expect(await problemOf(loadConfig({ cwd: sb.project, env: sb.env }))).toBe('.routerrc.yaml: is 1.0 MB; a config file may be at most 1 MB');
    await writeFile(file, `#${'x'.repeat(MAX_CONFIG_BYTES - 2)}\n`);
    expect(readConfigFile(file).kind).toBe('ok');
  });

  it('the user file and --config FILE are bounded the same way', async () => {
    sb = await sandbox();
    await mkdir(path.join(sb.xdg, 'mmr'), { recursive: true });
    await symlink('/dev/zero', path.join(sb.xdg, 'mmr/config.yaml'));
    expect(await problemOf(loadConfig({ cwd: sb.project, env: sb.env }))).toMatch(/config\.yaml: is a character device/);
    expect(await problemOf(loadConfig({ cwd: sb.project, env: {}, configPath: '/dev/zero' }))).toBe('/dev/zero: is a character device, not a regular file; mmr reads config only from regular files');
  });

  it.skipIf(isRoot)('an unreadable config file is an error, not skipped', async () => {
    sb = await sandbox();
    const file = await sb.write('home/project/.routerrc.yaml', 'aliases: {a: openai:b}\n');
    await chmod(file, 0o000);
    expect(await problemOf(loadConfig({ cwd: sb.project, env: sb.env }))).toMatch(/cannot be read: permission denied/);
  });
});

describe('search hygiene: only the user\'s (or root\'s) files that nobody else can write', () => {
  const fake = (uid: number, mode: number, gid = 0) => ({ uid, gid, mode }) as Stats;

  it('ownershipProblem: another user, others-writable, group-writable; root and the user are fine', () => {
    expect(ownershipProblem(fake(me, 0o100644), me)).toBeUndefined();
    expect(ownershipProblem(fake(0, 0o40755), me)).toBeUndefined();
    expect(ownershipProblem(fake(OTHER + 1, 0o100644), me)).toBe(`owned by uid ${OTHER + 1}`);
    expect(ownershipProblem(fake(0, 0o41777), me)).toBe('writable by others'); // /tmp itself
    expect(ownershipProblem(fake(me, 0o100664, 4242), me)).toBe('writable by group 4242');
    expect(ownershipProblem(fake(OTHER + 1, 0o100666), undefined)).toBeUndefined(); // no uids (Windows)
  });

  it('a group-writable file is skipped with one warning, and the search goes on upward', async () => {
    sb = await sandbox();
    const file = await sb.write('home/project/.routerrc.yaml', 'aliases: {near: openai:x}\n');
    await sb.write('home/.routerrc.yaml', 'aliases: {far: openai:y}\n');
    // A group no user-private group could be (gid 4242 has no name on this machine).
    await chown(file, me, 4242).catch(() => undefined);
    await chmod(file, 0o664);
    const st = statSync(file);
    const { loaded, warnings } = await loadWarnings(sb.project, sb.env);
    if (ownershipProblem(st, me) === undefined) return; // the file's group is this user's private group: allowed
    expect(loaded.config.aliases).toEqual({ far: 'openai:y' });
    expect(warnings).toEqual([
      `skipping .routerrc.yaml: writable by group ${st.gid} (mmr reads only files that are yours or root's and that nobody else can write; pass --config FILE to use one anyway)`,
    ]);
  });

  it('a directory others can write (a shared /tmp) is skipped: nothing in it is read', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', 'aliases: {planted: openai:x}\n');
    await sb.write('home/project/package.json', '{"router": {"aliases": {"pkg": "openai:x"}}}');
    await chmod(sb.project, 0o1777);
    const { loaded, warnings } = await loadWarnings(sb.project, sb.env);
    expect(loaded.config.aliases).toEqual({});
    expect(warnings).toEqual([
      `skipping config files in ${sb.project}: writable by others (mmr reads only files that are yours or root's and that nobody else can write; pass --config FILE to use one anyway)`,
    ]);
  });

  it.skipIf(!isRoot)('a directory owned by another user is skipped (as root: chown 65534)', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', 'aliases: {theirs: openai:x}\n');
    await chown(sb.project, OTHER, OTHER);
    const { loaded, warnings } = await loadWarnings(sb.project, sb.env);
    expect(loaded.config.aliases).toEqual({});
    expect(warnings[0]).toMatch(new RegExp(`^skipping config files in ${sb.project}: owned by uid ${OTHER} `));
  });

  it.skipIf(!isRoot)('a file owned by another user is skipped even in the user\'s own directory', async () => {
    sb = await sandbox();
    const file = await sb.write('home/project/.routerrc.yaml', 'providers: {openai: {baseUrl: "http://127.0.0.1:9/v1"}}\n');
    await chown(file, OTHER, OTHER);
    const { loaded, warnings } = await loadWarnings(sb.project, sb.env);
    expect(loaded.files).toEqual([]);
    expect(warnings[0]).toMatch(/^skipping \.routerrc\.yaml: owned by uid 65534 /);
  });

  it('the same warning is given once however often config loads (default stderr writer)', async () => {
    sb = await sandbox();
    await sb.write('home/project/.routerrc.yaml', 'aliases: {x: openai:x}\n');
    await chmod(sb.project, 0o777);
    const writes: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (writes.push(String(s)), true)) as typeof process.stderr.write;
    try {
      await loadConfig({ cwd: sb.project, env: sb.env });
      await loadConfig({ cwd: sb.project, env: sb.env });
    } finally {
      process.stderr.write = orig;
    }
    expect(writes.filter((w) => w.includes(`skipping config files in ${sb!.project}`))).toHaveLength(1);
    expect(writes[0]).toMatch(/^mmr: skipping /);
  });
});
