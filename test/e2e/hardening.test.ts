/**
 * The built binary against misbehaving servers and programs on this machine: escape sequences in
 * answers and error bodies, an endless stream, a line that never ends, a gzip bomb, a redirect to
 * another origin, Retry-After: 0, a command whose grandchild ignores SIGTERM, credentials in a
 * base URL. Terminal checks run the binary in a real PTY (`script`), skipped where it is missing.
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockReply, type MockRequestInfo, type MockServer } from '../../src/mock-server/index.js';
import { groupAlive, KILL_GRACE_MS } from '../../src/providers/process-group.js';
import { bin, closedPort, isolatedEnv, mmr } from '../helpers/cli.js';
import { until } from '../helpers/until.js';

const KEY = 'sk-hardening-SECRET-5e6f7a8b9c0d';
const PASSWORD = 'url-pass-SECRET-77';
/** What a terminal would act on: C0 controls but tab, newline and CR (a PTY turns LF into CRLF), DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const HOSTILE = 'Hello \u001b]52;c;cHduZWQ=\u0007there\u001b]0;owned title\u0007 \u001b[2J\u001b[31mred\u001b[0m \u009b5m8-bit\r\nend';

let server: MockServer; // the providers
let other: MockServer; // another origin
let script: (req: MockRequestInfo) => MockReply = () => ({ text: 'ok' });
beforeAll(async () => {
  [server, other] = await Promise.all([startMockServer({ reply: (req) => script(req) }), startMockServer({ apiKey: 'never-sent', reply: () => ({ text: 'other origin' }) })]);
});
afterAll(() => Promise.all([server.close(), other.close()]));

async function env(extra: Record<string, string> = {}) {
  return isolatedEnv({
    OPENAI_API_KEY: KEY,
    ANTHROPIC_API_KEY: KEY,
    OPENAI_BASE_URL: server.baseUrls.openai,
    ANTHROPIC_BASE_URL: server.baseUrls.anthropic,
    ...extra,
  });
}

/** The user's own config file (trusted by definition), under the isolated XDG dir. */
function userConfig(e: Record<string, string>, yaml: string): void {
  const dir = path.join(e.XDG_CONFIG_HOME, 'mmr');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.yaml'), yaml);
}

const byModel = (answers: Record<string, MockReply>) => (req: MockRequestInfo) => answers[req.model] ?? { status: 500, errorMessage: 'no script' };
const hasScript = existsSync('/usr/bin/script') || existsSync('/bin/script');
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs mmr with stdin, stdout and stderr on a pseudo-terminal; returns everything the terminal received. */
async function inPty(args: string[], e: Record<string, string>) {
  const cmd = [process.execPath, bin, ...args].map(q).join(' ');
  const r = await execa('script', ['-qfec', cmd, '/dev/null'], { env: e, extendEnv: false, reject: false, cwd: e.HOME, timeout: 20_000, stdin: 'ignore' });
  return { out: r.stdout, exitCode: r.exitCode };
}

describe('escape sequences from a server', () => {
  it('reach a pipe byte for byte, answers and all', async () => {
    script = () => ({ text: HOSTILE });
    const { env: e } = await env();
    const r = await mmr(['ask', '-m', 'openai:gpt-4o-mini', 'hi'], { env: e });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(HOSTILE);
  });

  it('are neutralised in error messages on stderr, even when stdout is a pipe', async () => {
    script = () => ({ status: 500, errorMessage: 'boom \u001b]0;pwned\u0007\u001b[2J\u009b31m gone' });
    const { env: e } = await env();
    const r = await mmr(['ask', '--retries', '0', '-m', 'openai:gpt-4o-mini', 'hi'], { env: e });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/openai returned HTTP 500: boom +gone/);
    expect(r.stderr).not.toMatch(CONTROL);
  });

  it.skipIf(!hasScript)('never reach a terminal: answers, error messages and model names in a PTY', async () => {
    script = byModel({ 'gpt-4o-mini': { text: HOSTILE }, 'claude-haiku-4-5': { status: 400, errorMessage: 'bad \u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007 request' } });
    const { env: e } = await env();
    const { out, exitCode } = await inPty(['ask', '--no-tui', '-m', 'openai:gpt-4o-mini', '-m', 'anthropic:claude-haiku-4-5', 'hi'], e);
    expect(exitCode).toBe(1);
    expect(out).toContain('Hello there red 8-bit\r\nend');
    expect(out).toContain('anthropic returned HTTP 400: bad link request');
    expect(out).not.toMatch(CONTROL);
  });
});

describe('NO_COLOR', () => {
  it.skipIf(!hasScript)('with any non-empty value turns colour off in a terminal; without it the status line is coloured', async () => {
    script = () => ({ text: 'plain' });
    const { env: e } = await env();
    const off = await inPty(['ask', '--no-tui', '-v', '-m', 'openai:gpt-4o-mini', 'hi'], { ...e, NO_COLOR: 'false' });
    expect(off.out).toMatch(/✔ openai:gpt-4o-mini ttft/);
    expect(off.out).not.toContain('\u001b[');
    const on = await inPty(['ask', '--no-tui', '-v', '-m', 'openai:gpt-4o-mini', 'hi'], { ...e, NO_COLOR: '', TERM: 'xterm-256color' });
    expect(on.out).toMatch(/\u001b\[\d+m/);
  });
});

describe('bounded memory and time', () => {
  // A peak-RSS report from inside the mmr process, as bench/ does.
  const rssHook = `data:text/javascript,process.on('exit',()=>process.stderr.write('MAXRSS '+process.resourceUsage().maxRSS+'\\n'))`;

  it('an endless valid stream ends at the default 32 MiB with a clear error while the other model answers, holding no copy', async () => {
    script = byModel({ flood: { flood: 'deltas', text: 'x'.repeat(4096) }, 'claude-haiku-4-5': { text: 'the other answer' } });
    const { env: e } = await env();
    const r = await execa('bash', ['-c', `${q(process.execPath)} --import ${q(rssHook)} ${q(bin)} ask -m openai:flood -m anthropic:claude-haiku-4-5 hi | wc -c`], { env: e, extendEnv: false, reject: false, cwd: e.HOME, stdin: 'ignore', timeout: 60_000 });
    expect(r.stderr).toMatch(/✖ openai:flood: openai: the answer exceeded 32 MiB \(limits\.maxAnswerBytes\); stopped reading — raise limits\.maxAnswerBytes/);
    // Header, at most 32 MiB of answer, the newline ending it, then the other model's block.
    const printed = Number(r.stdout.trim());
    expect(printed).toBeGreaterThan(32 * 1024 * 1024 - 8192);
    expect(printed).toBeLessThanOrEqual(32 * 1024 * 1024 + 200);
    const rssMb = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1]) / 1024;
    // Loose sanity bound only: the text went to the pipe and was not kept (an accumulating copy adds 64+ MB).
    expect(rssMb).toBeLessThan(400);
  }, 60_000);

  it('--json reports the limit per model and keeps the others', async () => {
    script = byModel({ flood: { flood: 'deltas', text: 'abc ' }, 'claude-haiku-4-5': { text: 'fine' } });
    const { env: e } = await env();
    userConfig(e, 'limits:\n  maxAnswerBytes: 65536\n');
    const r = await mmr(['ask', '--json', '-m', 'openai:flood', '-m', 'anthropic:claude-haiku-4-5', 'hi'], { env: e });
    expect(r.exitCode).toBe(1);
    const [flood, ok] = JSON.parse(r.stdout).results;
    expect(flood.error).toMatchObject({ kind: 'bad-response', code: 'answer-too-large', retryable: false });
    expect(Buffer.byteLength(flood.text)).toBeLessThanOrEqual(65536);
    expect(Buffer.byteLength(flood.text)).toBeGreaterThan(65536 - 8);
    expect(ok).toMatchObject({ text: 'fine', error: null });
  });

  it('data: lines that never make an event stop at 8 MiB', async () => {
    script = () => ({ flood: 'data-lines' });
    const { env: e } = await env();
    const r = await mmr(['ask', '-m', 'openai:gpt-4o-mini', 'hi'], { env: e, timeout: 30_000 });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/one event of the response exceeded 8 MiB \(8,388,608 characters\); stopped reading/);
  });

  it('a gzip bomb stops at limits.maxBodyBytes, counted after decompression', async () => {
    script = () => ({ flood: 'keepalive', encoding: 'gzip' });
    const { env: e } = await env();
    userConfig(e, 'limits:\n  maxBodyBytes: 16777216\n');
    const r = await mmr(['ask', '-m', 'anthropic:claude-haiku-4-5', 'hi'], { env: e, timeout: 30_000 });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/the response body exceeded 16 MiB after gzip decompression; stopped reading/);
  });
});

describe('secrets', () => {
  it('a redirect to another origin does not take the key there', async () => {
    const before = other.requests.length;
    script = byModel({
      'gpt-4o-mini': { redirectTo: `${other.baseUrls.openai}/chat/completions` },
      'claude-haiku-4-5': { redirectTo: `${other.baseUrls.anthropic}/v1/messages`, status: 308 },
    });
    const { env: e } = await env();
    const r = await mmr(['ask', '--json', '--retries', '0', '-m', 'openai:gpt-4o-mini', '-m', 'anthropic:claude-haiku-4-5', 'hi'], { env: e });
    const seen = other.requests.slice(before);
    expect(seen.map((s) => s.protocol).sort()).toEqual(['anthropic', 'openai']);
    for (const s of seen) {
      expect(JSON.stringify(s.headers)).not.toContain(KEY);
      expect(s.headers.authorization).toBeUndefined();
      expect(s.headers['x-api-key']).toBeUndefined();
    }
    // The other origin refuses the keyless request; the error says why no key went along.
    for (const res of JSON.parse(r.stdout).results) {
      expect(res.error).toMatchObject({ kind: 'auth' });
      expect(res.error.hint).toMatch(/redirected to http:\/\/127\.0\.0\.1:\d+, another origin, so the API key and configured headers were not sent there/);
    }
  });

  it('credentials in a base URL are never printed, nor the key', async () => {
    const port = await closedPort();
    const { env: e } = await env({ OPENAI_BASE_URL: `http://me:${PASSWORD}@127.0.0.1:${port}/v1`, OLLAMA_HOST: `http://me:${PASSWORD}@127.0.0.1:${port}` });
    const ask = await mmr(['ask', '--retries', '0', '-m', 'openai:gpt-4o-mini', 'hi'], { env: e });
    expect(ask.exitCode).toBe(3);
    expect(ask.stderr).toMatch(/connection refused/);
    const models = await mmr(['models'], { env: e });
    const modelsJson = await mmr(['models', '--json'], { env: e });
    const json = await mmr(['ask', '--json', '--retries', '0', '-m', 'openai:gpt-4o-mini', '-m', 'ollama:llama3.2', 'hi'], { env: e });
    for (const r of [ask, models, modelsJson, json]) {
      const all = r.stdout + r.stderr;
      expect(all).not.toContain(PASSWORD);
      expect(all).not.toContain(KEY);
    }
  });
});

describe('Retry-After: 0', () => {
  it('falls back to mmr\u2019s own backoff instead of a burst of requests', async () => {
    script = () => ({ status: 429, headers: { 'retry-after': '0' } });
    const { env: e } = await env();
    const before = server.requests.length;
    const r = await mmr(['ask', '-v', '--retries', '2', '-m', 'openai:gpt-4o-mini', 'hi'], { env: e });
    expect(r.exitCode).toBe(3);
    expect(server.requests.length - before).toBe(3);
    // Equal jitter on a 500 ms base: the first wait is 250–500 ms, the second 500–1000 ms.
    const waits = [...r.stderr.matchAll(/retry \d in (\d+)ms/g)].map((m) => Number(m[1]));
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(250);
    expect(waits[1]).toBeGreaterThanOrEqual(500);
  });
});

describe('a command provider whose grandchild ignores SIGTERM', () => {
  /** A wrapper that records its pid (= its process group), then waits on a child holding stdout. */
  async function stubborn() {
    const { env: e, home } = await env();
    const pidFile = path.join(home, 'pgid');
    userConfig(e, `providers:\n  slow:\n    protocol: command\n    command: [sh, -c, 'trap "" TERM; echo $$ > ${pidFile}; echo started; sleep 60 & wait']\n`);
    return { e, pidFile };
  }
  const pgidFrom = (file: string) => Number(readFileSync(file, 'utf8').trim());

  it('a timeout ends the whole group: mmr exits promptly and nothing of it survives', async () => {
    const { e, pidFile } = await stubborn();
    const t0 = performance.now();
    const r = await mmr(['ask', '--timeout', '1500', '-m', 'slow:x', 'hi'], { env: e, timeout: 30_000 });
    const ms = performance.now() - t0;
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('started');
    expect(r.stderr).toMatch(/the request took too long after 1500 ms \(total timeout\)/);
    // 1.5 s timeout + 1 s grace before SIGKILL, far from the 60 s the grandchild would hold stdout.
    expect(ms).toBeLessThan(1500 + KILL_GRACE_MS + 8000);
    const pgid = pgidFrom(pidFile);
    expect(pgid).toBeGreaterThan(1);
    await until(() => !groupAlive(pgid), 3000, `process group ${pgid} gone`);
  });

  it('SIGTERM to mmr ends the group too, and a second Ctrl-C exits at once without leaving it behind', async () => {
    for (const signals of [['SIGTERM'], ['SIGINT', 'SIGINT']] as const) {
      const { e, pidFile } = await stubborn();
      const child = execa(process.execPath, [bin, 'ask', '-m', 'slow:x', 'hi'], { env: e, extendEnv: false, reject: false, cwd: e.HOME, stdin: 'ignore', timeout: 30_000 });
      // The program's first line means it runs and has written its pid.
      await new Promise<void>((resolve) => child.stdout!.on('data', () => resolve()));
      for (const s of signals) child.kill(s);
      const r = await child;
      expect(r.exitCode).toBe(signals[0] === 'SIGTERM' ? 143 : 130);
      const pgid = pgidFrom(pidFile);
      await until(() => !groupAlive(pgid), 3000, `process group ${pgid} gone after ${signals.join('+')}`);
    }
  });
});
