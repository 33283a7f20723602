import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeIo, removeStaleTemps, type WriteIo } from '../../src/config/atomic.js';
import { loadConfig } from '../../src/config/load.js';
import { removeRule, saveRule } from '../../src/config/save.js';
import { eolOf } from '../../src/config/save-edit.js';
import { MmrError } from '../../src/core/errors.js';
import type { RuleConfig } from '../../src/core/router.js';
import { sandbox, trust } from './sandbox.js';

const RULE: RuleConfig = { name: 'sql', when: { keywords: ['sql'] }, use: 'openai:gpt-4o-mini' };
const CRLF = 'default: [openai:gpt-4o-mini]\r\n# rules below\r\nrules:\r\n  - name: first\r\n    use: openai:gpt-4o\r\n';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mmr-save-int-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<MmrError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MmrError);
  return err as MmrError;
}

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

describe('line endings', () => {
  it('eolOf: the first line decides', () => {
    expect(eolOf('a\r\nb\n')).toBe('\r\n');
    expect(eolOf('a\nb\r\n')).toBe('\n');
    expect(eolOf('one line')).toBe('\n');
  });

  it.each([
    ['append', (f: string) => saveRule(RULE, { file: f })],
    ['insert before', (f: string) => saveRule(RULE, { file: f, before: 'first' })],
    ['replace', (f: string) => saveRule({ ...RULE, name: 'first' }, { file: f, replace: true })],
    ['remove', (f: string) => removeRule('first', { file: f })],
  ])('%s keeps a CRLF file CRLF and every other byte as it was', async (_, act) => {
    const file = path.join(dir, '.routerrc.yaml');
    await writeFile(file, CRLF);
    await act(file);
    const text = await readFile(file, 'utf8');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n'); // no bare LF anywhere
    expect(text.startsWith('default: [openai:gpt-4o-mini]\r\n# rules below\r\nrules:\r\n')).toBe(true);
  });

  it('a CRLF JSON file stays CRLF', async () => {
    const file = path.join(dir, '.routerrc.json');
    await writeFile(file, '{\r\n  "rules": [\r\n    {"name": "first", "use": "openai:gpt-4o"}\r\n  ]\r\n}\r\n');
    await saveRule(RULE, { file });
    const text = await readFile(file, 'utf8');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(JSON.parse(text).rules.map((r: RuleConfig) => r.name)).toEqual(['first', 'sql']);
  });
});

describe('stale temp files', () => {
  let dead: number;
  beforeAll(async () => {
    // A pid that surely is not running: a child that has exited and been reaped.
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    dead = child.pid!;
  });

  it('a killed writer\'s temp file (its pid gone) is removed on the next write; a live writer\'s fresh one is kept', async () => {
    const file = path.join(dir, '.routerrc.yaml');
    await writeFile(file, 'rules: []\n');
    const stale = path.join(dir, `..routerrc.yaml.${dead}.0badc0de.tmp`);
    const live = path.join(dir, `..routerrc.yaml.${process.ppid}.0badcafe.tmp`);
    const other = path.join(dir, `.other.yaml.${dead}.0badc0de.tmp`);
    for (const f of [stale, live, other]) await writeFile(f, 'rules: [whole config with secrets]\n');
    await saveRule(RULE, { file });
    const names = await readdir(dir);
    expect(names).not.toContain(path.basename(stale));
    expect(names).toContain(path.basename(live)); // its writer may still be renaming it
    expect(names).toContain(path.basename(other)); // not this file's
    expect(names.filter((n) => n.endsWith('.tmp'))).toHaveLength(2); // our own write left none
  });

  it('an old temp file goes whoever made it (pid reuse), a symlink of that name is left alone', async () => {
    const file = path.join(dir, 'config.yaml');
    const old = path.join(dir, `.config.yaml.${process.ppid}.00000001.tmp`);
    await writeFile(old, 'x');
    const link = path.join(dir, `.config.yaml.${dead}.00000002.tmp`);
    await symlink('/etc/passwd', link);
    const removed = await removeStaleTemps(file, nodeIo, Date.now() + 11 * 60_000);
    expect(removed).toEqual([old]);
    expect((await readdir(dir)).sort()).toEqual([path.basename(link)]);
  });
});

describe('only regular files are replaced', () => {
  it('a FIFO is refused without reading it (no hang); a directory too', async () => {
    const fifo = path.join(dir, '.routerrc.yaml');
    execFileSync('mkfifo', [fifo]);
    const err = await failure(saveRule(RULE, { file: fifo }));
    expect(err.message).toBe(`refusing to write ${fifo}: it is a FIFO (named pipe), not a regular file; mmr reads config only from regular files; nothing was changed`);
    expect(err.exitCode).toBe(2);
    const d = path.join(dir, 'd.yaml');
    await mkdir(d);
    expect((await failure(saveRule(RULE, { file: d }))).message).toMatch(/it is a directory, not a regular file/);
  });

  it('a symlink to a missing file is refused rather than replaced by a copy', async () => {
    const link = path.join(dir, '.routerrc.yaml');
    await symlink(path.join(dir, 'nowhere.yaml'), link);
    const err = await failure(saveRule(RULE, { file: link }));
    expect(err.message).toMatch(/it is a symbolic link to a file that does not exist; nothing was changed$/);
    expect((await readdir(dir)).sort()).toEqual(['.routerrc.yaml']);
  });

  it('a read-only file is refused (rename would silently override the choice), and kept as it was', async () => {
    const file = path.join(dir, '.routerrc.yaml');
    await writeFile(file, 'rules: []\n');
    await chmod(file, 0o444);
    const err = await failure(saveRule(RULE, { file }));
    expect(err.message).toBe(`cannot write ${file}: the file is read-only; nothing was changed`);
    expect(err.hint).toContain('chmod u+w');
    expect(err.hint).toContain('--user');
    expect(await readFile(file, 'utf8')).toBe('rules: []\n');
  });

  it('a new config file is 0644 whatever the umask (a group-writable one would be skipped by the search)', async () => {
    const old = process.umask(0o002);
    try {
      const res = await saveRule(RULE, { create: { dir } });
      expect((await stat(res.file)).mode & 0o777).toBe(0o644);
    } finally {
      process.umask(old);
    }
  });
});

describe('file-system errors are clear, exit 2, and change nothing', () => {
  const failing = (where: 'open' | 'rename' | 'mkdir', code: string): WriteIo => ({
    ...nodeIo,
    [where]: async (...args: unknown[]) => {
      if (where !== 'open' || String(args[0]).endsWith('.tmp')) throw errno(code);
      return (nodeIo.open as (...a: unknown[]) => unknown)(...args);
    },
  });

  it.each([
    ['ENOSPC', 'open', /no space left on the device; nothing was changed$/, /free some space/],
    ['EDQUOT', 'open', /no space left on the device \(disk quota reached\)/, /free some space/],
    ['EROFS', 'rename', /is on a read-only file system; nothing was changed$/, /remount it read-write, or save the rule elsewhere/],
    ['EACCES', 'open', /permission denied in .*; nothing was changed$/, /ls -ld/],
    ['EPERM', 'rename', /permission denied in/, /--user/],
    ['EACCES', 'mkdir', /permission denied in/, /ls -ld/],
  ] as const)('%s (%s) → MmrError with the right hint', async (code, where, message, hint) => {
    const file = path.join(dir, 'sub', '.routerrc.yaml');
    if (where !== 'mkdir') {
      await mkdir(path.dirname(file));
      await writeFile(file, 'rules: []\n');
    }
    const err = await failure(saveRule(RULE, { file, io: failing(where, code) }));
    expect(err.message).toMatch(message);
    expect(err.hint).toMatch(hint);
    expect(err.exitCode).toBe(2);
    if (where !== 'mkdir') {
      expect(await readFile(file, 'utf8')).toBe('rules: []\n');
      expect((await readdir(path.dirname(file))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    }
  });

  it('an unknown error stays an internal error (it would be mmr\'s bug)', async () => {
    const file = path.join(dir, '.routerrc.yaml');
    const err = await saveRule(RULE, { file, io: failing('rename', 'EWEIRD') }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(MmrError);
  });
});

// Real file systems, where this machine allows it: a 64 KB tmpfs fills up; a read-only remount.
const canMount = (() => {
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return false;
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!canMount)('on a real full or read-only file system (root, tmpfs)', () => {
  let mnt: string;
  let mounted = false;
  beforeAll(async () => {
    mnt = await mkdtemp(path.join(os.tmpdir(), 'mmr-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
      mounted = true;
    } catch {
      mounted = false;
    }
  });
  afterAll(async () => {
    if (mounted) execFileSync('umount', [mnt]);
    await rm(mnt, { recursive: true, force: true });
  });

  it('a full disk: exit-2 error, the original intact, no temp file left', async (ctx) => {
    if (!mounted) return ctx.skip();
    const file = path.join(mnt, '.routerrc.yaml');
    await writeFile(file, 'rules: []\n');
    await writeFile(path.join(mnt, 'filler'), Buffer.alloc(60 * 1024)).catch(() => undefined);
    const big: RuleConfig = { ...RULE, when: { keywords: Array.from({ length: 3000 }, (_, i) => `word${i}`) } };
    const err = await failure(saveRule(big, { file }));
    expect(err.message).toBe(`cannot write ${file}: no space left on the device; nothing was changed`);
    expect(await readFile(file, 'utf8')).toBe('rules: []\n');
    expect((await readdir(mnt)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await rm(path.join(mnt, 'filler'));
  });

  it('a read-only mount: exit-2 error naming it', async (ctx) => {
    if (!mounted) return ctx.skip();
    const file = path.join(mnt, 'ro.yaml');
    await writeFile(file, 'rules: []\n');
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    try {
      const err = await failure(saveRule(RULE, { file }));
      expect(err.message).toMatch(/^cannot write .*: .* is on a read-only file system; nothing was changed$/);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mnt]);
    }
  });
});

describe('trust survives mmr\'s own rule edits', () => {
  it('a trusted file is still trusted after rules add and rm; a hand edit untrusts it', async () => {
    const sb = await sandbox();
    try {
      const file = await sb.write('home/project/.routerrc.yaml', 'providers:\n  openai:\n    baseUrl: http://127.0.0.1:9/v1\nrules: []\n');
      await trust(sb, file);
      await saveRule(RULE, { file, env: sb.env });
      expect((await loadConfig({ cwd: sb.project, env: sb.env })).config.rules).toHaveLength(1);
      await removeRule('sql', { file, env: sb.env });
      expect((await loadConfig({ cwd: sb.project, env: sb.env })).config.rules).toHaveLength(0);
      await writeFile(file, `${await readFile(file, 'utf8')}# hand edit\n`);
      await expect(loadConfig({ cwd: sb.project, env: sb.env })).rejects.toThrow(/changed since you trusted it/);
      // An untrusted file is not made trusted by a rule edit.
      await saveRule(RULE, { file, env: sb.env });
      await expect(loadConfig({ cwd: sb.project, env: sb.env })).rejects.toThrow(/changed since you trusted it/);
    } finally {
      await sb.cleanup();
    }
  });
});
