import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockReply, type MockRequestInfo, type MockServer } from '../../src/mock-server/index.js';
import { bin, isolatedEnv, mmr } from '../helpers/cli.js';

const KEY = 'sk-pipe-test-0123456789';
let server: MockServer;
let script: (req: MockRequestInfo) => MockReply = () => ({ text: 'ok' });
beforeAll(async () => {
  server = await startMockServer({ apiKey: KEY, reply: (req) => script(req) });
});
afterAll(() => server.close());

const env = () => isolatedEnv({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrls.openai });

describe('mmr in real shell pipelines', () => {
  it('works inside bash: stdin in, answer out, byte counts exact', async () => {
    script = (req) => ({ text: `len=${req.body.messages.at(-1).content.length}` });
    const { env: e } = await env();
    const r = await execa('bash', ['-c', `printf 'abc' | node ${JSON.stringify(bin)} ask -m openai:x 'count' | wc -c`], { env: e, extendEnv: false, reject: false });
    // "count\n\nabc" is 10 characters → "len=10\n" is 7 bytes.
    expect(r.stdout.trim()).toBe('7');
    expect(r.stderr).toBe('');
  });

  it('reports partial failure through the shell exit status', async () => {
    script = (req) => (req.model === 'bad' ? { status: 400, errorMessage: 'bad request' } : { text: 'fine' });
    const { env: e } = await env();
    const r = await execa('bash', ['-c', `node ${JSON.stringify(bin)} ask -m openai:good -m openai:bad q < /dev/null > /dev/null; echo "status=$?"`], { env: e, extendEnv: false, reject: false });
    expect(r.stdout).toBe('status=1');
    expect(r.stderr).toMatch(/^✖ openai:bad: openai returned HTTP 400: bad request$/m);
  });

  it('reads 10 MB from stdin', async () => {
    script = (req) => ({ text: `got ${req.body.messages.at(-1).content.length}` });
    const { env: e } = await env();
    const big = 'x'.repeat(10 * 1024 * 1024);
    const r = await mmr(['ask', '-m', 'openai:gpt-4o-mini', '--no-tui'], { env: e, input: big, timeout: 30_000 });
    // gpt-4o-mini's window is 128k tokens: 10 MB is refused before any request is made.
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/about [\d,]+ tokens, more than openai:gpt-4o-mini's 128,000-token context window; not sent/);
    const unknown = await mmr(['ask', '-m', 'openai:some-new-model'], { env: e, input: big, timeout: 30_000 });
    expect(unknown.exitCode).toBe(0);
    expect(unknown.stdout).toBe(`got ${big.length}`);
  });

  it('uses a context window from config for the pre-flight check', async () => {
    script = () => ({ text: 'should not be called' });
    const { env: e, home } = await env();
    writeFileSync(path.join(home, '.routerrc.yaml'), 'models:\n  "openai:tiny":\n    contextWindow: 10000\n');
    const before = server.requests.length;
    const r = await mmr(['ask', '--json', '-m', 'openai:tiny'], { env: e, input: 'word '.repeat(20_000) });
    expect(r.exitCode).toBe(3);
    expect(JSON.parse(r.stdout).results[0].error).toMatchObject({ kind: 'context-length', status: null });
    expect(server.requests.length).toBe(before);
  });

  it('does not wait on stdin when it is a terminal-less /dev/null and a prompt is given', async () => {
    script = () => ({ text: 'answer' });
    const { env: e } = await env();
    const r = await execa('bash', ['-c', `node ${JSON.stringify(bin)} ask -m openai:x 'hi' < /dev/null`], { env: e, extendEnv: false, reject: false, timeout: 10_000 });
    expect(r.stdout).toBe('answer');
  });

  it('honours NO_COLOR and --no-color, and colours stderr when forced', async () => {
    script = () => ({ text: 'answer' });
    const { env: e } = await env();
    const forced = await mmr(['ask', '-v', '-m', 'openai:x', 'hi'], { env: { ...e, NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stderr).toMatch(/\u001b\[/);
    expect(forced.stdout).toBe('answer'); // answers are never coloured
    const off = await mmr(['ask', '-v', '--no-color', '-m', 'openai:x', 'hi'], { env: { ...e, NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(off.stderr).not.toMatch(/\u001b\[/);
  });
});
