import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockReply, type MockRequestInfo, type MockServer } from '../../src/mock-server/index.js';
import { isolatedEnv, mmr } from '../helpers/cli.js';

const KEY = 'sk-test-SECRET-0123456789abcdef';
let server: MockServer;
let script: (req: MockRequestInfo) => MockReply = () => ({ text: 'ok' });

beforeAll(async () => {
  server = await startMockServer({ apiKey: KEY, reply: (req) => script(req) });
});
afterAll(() => server.close());

async function withKeys(extra: Record<string, string> = {}) {
  return isolatedEnv({
    OPENAI_API_KEY: KEY,
    ANTHROPIC_API_KEY: KEY,
    GEMINI_API_KEY: KEY,
    OPENAI_BASE_URL: server.baseUrls.openai,
    ANTHROPIC_BASE_URL: server.baseUrls.anthropic,
    GEMINI_BASE_URL: server.baseUrls.gemini,
    ...extra,
  });
}

const byModel = (answers: Record<string, MockReply>) => (req: MockRequestInfo) => answers[req.model] ?? { status: 500, errorMessage: 'no script' };

describe('mmr ask --json against the local provider server', () => {
  it('asks three providers at once and prints one document with text, usage, cost and timings', async () => {
    script = byModel({
      'gpt-4o-mini': { text: 'Paris is the capital.', usage: { input: 12, output: 6 }, firstChunkDelayMs: 30 },
      'claude-haiku-4-5': { text: 'The capital of France is Paris.', usage: { input: 14, output: 8 } },
      'gemini-2.5-flash': { text: 'Paris.', reasoning: 'France → Paris', usage: { input: 9, output: 12, reasoning: 5 } },
    });
    const { env } = await withKeys();
    const r = await mmr(['ask', '--json', '-m', 'openai:gpt-4o-mini', '-m', 'anthropic:claude-haiku-4-5', '-m', 'gemini:gemini-2.5-flash', 'Capital of France?'], { env });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.prompt).toBe('Capital of France?');
    expect(doc.results.map((x: { model: string }) => x.model)).toEqual(['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5', 'gemini:gemini-2.5-flash']);
    const [o, a, g] = doc.results;
    expect(o).toMatchObject({ text: 'Paris is the capital.', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 6 }, error: null });
    expect(a).toMatchObject({ text: 'The capital of France is Paris.', finishReasonRaw: 'end_turn', usage: { inputTokens: 14, outputTokens: 8 } });
    expect(g).toMatchObject({ text: 'Paris.', usage: { inputTokens: 9, outputTokens: 12, reasoningTokens: 5 } });
    expect(o.ttftMs).toBeGreaterThanOrEqual(25);
    expect(o.latencyMs).toBeGreaterThanOrEqual(o.ttftMs);
    // Real prices from the offline price data: gpt-4o-mini is $0.15 / $0.60 per 1M tokens.
    expect(o.costUsd).toBeCloseTo((12 * 0.15 + 6 * 0.6) / 1e6, 12);
    expect(doc.totalCostUsd).toBeGreaterThan(o.costUsd);
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('exits 1 when some models fail, 3 when none answer, and never prints the key', async () => {
    script = byModel({ good: { text: 'fine' }, bad: { status: 500, errorMessage: 'boom' } });
    const { env } = await withKeys();
    const some = await mmr(['ask', '--json', '--retries', '0', '-m', 'openai:good', '-m', 'openai:bad', 'q'], { env });
    expect(some.exitCode).toBe(1);
    const doc = JSON.parse(some.stdout);
    expect(doc.results[1].error).toMatchObject({ status: 500, retryable: true });
    expect(doc.results[1].costUsd).toBeNull();

    const wrongKey = await mmr(['ask', '--json', '-m', 'openai:good', '-m', 'anthropic:good', 'q'], { env: { ...env, OPENAI_API_KEY: 'sk-wrong-key-999', ANTHROPIC_API_KEY: 'sk-ant-wrong-777' } });
    expect(wrongKey.exitCode).toBe(3);
    const errs = JSON.parse(wrongKey.stdout).results.map((x: { error: { status: number; retryable: boolean } }) => x.error);
    expect(errs.map((e: { status: number }) => e.status)).toEqual([401, 401]);
    expect(errs.every((e: { retryable: boolean }) => !e.retryable)).toBe(true);
    expect(wrongKey.stdout + wrongKey.stderr).not.toMatch(/sk-wrong-key-999|sk-ant-wrong-777/);
  });

  it('retries a 429 after Retry-After and reports the attempts', async () => {
    script = (req) => (req.attempt === 1 ? { status: 429, errorMessage: 'slow down', headers: { 'retry-after': '1' } } : { text: 'second time lucky' });
    const { env } = await withKeys();
    const r = await mmr(['ask', '--json', '-m', `openai:retry-${Date.now()}`, 'q'], { env });
    expect(r.exitCode).toBe(0);
    const [res] = JSON.parse(r.stdout).results;
    expect(res).toMatchObject({ text: 'second time lucky', attempts: 2 });
    // The wait is in the wall time, not in the answering request's latency.
    expect(res.wallMs).toBeGreaterThanOrEqual(950);
    expect(res.latencyMs).toBeLessThan(res.wallMs - 900);
  });

  it('reports a stream cut mid-way and an HTML answer clearly, without a stack trace', async () => {
    script = byModel({
      cut: { text: 'this answer will be cut off somewhere in the middle', dropAfterBytes: 300 },
      html: { raw: '<html><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } },
    });
    const { env } = await withKeys();
    const r = await mmr(['ask', '--json', '--retries', '0', '-m', 'openai:cut', '-m', 'openai:html', 'q'], { env });
    expect(r.exitCode).toBe(3);
    const [cut, html] = JSON.parse(r.stdout).results;
    expect(cut.error.kind).toBe('network');
    expect(cut.error.message).toMatch(/before the response finished|closed/);
    expect(html.error.kind).toBe('bad-response');
    expect(html.error.message).toMatch(/html/i);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('mmr ask in pipes', () => {
  it('prints only the answer on stdout, status on stderr with -v', async () => {
    script = () => ({ text: 'just the answer', usage: { input: 3, output: 3 } });
    const { env } = await withKeys();
    const r = await mmr(['ask', '-m', 'openai:gpt-4o-mini', '-v', 'hello'], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('just the answer');
    expect(r.stderr).toMatch(/✔ openai:gpt-4o-mini ttft \d+ms · \d+ms · 3→3 tok/);
    const quiet = await mmr(['ask', '-m', 'openai:gpt-4o-mini', 'hello'], { env });
    expect(quiet.stderr).toBe('');
  });

  it('-v with no config file says the default comparison set was used, naming it as mmr models marks it', async () => {
    script = () => ({ text: 'ok', usage: { input: 3, output: 1 } });
    const { env } = await withKeys();
    const r = await mmr(['ask', '-v', 'Translate "good morning" into French'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const line = /^mmr: no config file; the prompt looks like (\w+); using the default comparison set: (.+) \(the providers with a key set or a local server answering; mmr models marks it with \*\)$/m.exec(r.stderr);
    expect(line, r.stderr).not.toBeNull();
    expect(line![1]).toBe('translation');
    // The set it names is the set that answered, and the one `mmr models` stars.
    const named = line![2].split(', ');
    expect(named).toHaveLength(3);
    for (const id of named) expect(r.stderr).toContain(`✔ ${id} `);
    const models = await mmr(['models', '--no-probe'], { env });
    const starred = models.stdout.split('\n').flatMap((l) => /^\*\s+(\w+:\S+)/.exec(l)?.[1] ?? []);
    expect(new Set(starred)).toEqual(new Set(named));
    // Only on stderr, only with -v in a pipe.
    expect(r.stdout).not.toContain('no config file');
    expect((await mmr(['ask', 'Translate "good morning" into French'], { env })).stderr).toBe('');
  });

  it('-v with a config that has a default but no rules says the default came from the config', async () => {
    script = () => ({ text: 'ok', usage: { input: 3, output: 1 } });
    const { env, home } = await withKeys();
    writeFileSync(path.join(home, '.routerrc.yaml'), 'default: [openai:cheap, openai:cheaper]\n');
    const r = await mmr(['ask', '-v', 'hello there'], { env, cwd: home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^mmr: no rules configured; the prompt looks like \w+; using the default from your config: openai:cheap, openai:cheaper$/m);
    // -m names the models: no routing line, as before.
    expect((await mmr(['ask', '-v', '-m', 'openai:cheap', 'hello there'], { env, cwd: home })).stderr).not.toMatch(/^mmr: no /m);
  });

  it('appends stdin to the argument as material, and attaches files with -f', async () => {
    script = (req) => ({ text: `got: ${JSON.stringify(req.body.messages.at(-1).content)}` });
    const { env, home } = await withKeys();
    const r = await mmr(['ask', '-m', 'openai:echo', 'review this'], { env, input: 'diff --git a b\n+x\n' });
    expect(r.stdout).toBe('got: "review this\\n\\ndiff --git a b\\n+x"');
    writeFileSync(path.join(home, 'notes.txt'), 'file body\n');
    const f = await mmr(['ask', '-m', 'openai:echo', '-f', 'notes.txt', 'summarise'], { env });
    expect(f.stdout).toContain('summarise\\n\\n--- notes.txt ---\\nfile body\\n--- end of notes.txt ---');
    const missing = await mmr(['ask', '-m', 'openai:echo', '-f', 'nope.txt', 'x'], { env });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('-f nope.txt: no such file');
  });

  it('prints several models as blocks headed by the model, in the order given', async () => {
    script = byModel({ slow: { text: 'slow answer', firstChunkDelayMs: 150 }, fast: { text: 'fast answer' } });
    const { env } = await withKeys();
    const r = await mmr(['ask', '-m', 'openai:slow', '-m', 'openai:fast', 'q'], { env });
    // execa strips the final newline mmr writes.
    expect(r.stdout).toBe('=== openai:slow ===\nslow answer\n\n=== openai:fast ===\nfast answer');
  });

  it('emits one JSON line per model as each finishes with --jsonl', async () => {
    script = byModel({ slow: { text: 'slow', firstChunkDelayMs: 200 }, fast: { text: 'fast' } });
    const { env } = await withKeys();
    const r = await mmr(['ask', '--jsonl', '-m', 'openai:slow', '-m', 'openai:fast', 'q'], { env });
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.model)).toEqual(['openai:fast', 'openai:slow']);
  });

  it('ends quietly when the reader closes the pipe', async () => {
    script = () => ({ text: 'line\n'.repeat(20_000), deltaChars: 500 });
    const { env } = await withKeys();
    const r = await mmr(['ask', '-m', 'openai:long', 'q'], { env, input: undefined }).pipe('head', ['-n', '1']);
    expect(r.stdout).toBe('line');
    expect(r.stderr).toBe('');
  });
});

describe('mmr ask: bad input and missing setup', () => {
  it('names the env var to set when no key is present and no local server answers', async () => {
    const { env } = await isolatedEnv();
    const r = await mmr(['ask', 'hello'], { env });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/OPENAI_API_KEY/);
    expect(r.stderr).toMatch(/ANTHROPIC_API_KEY/);
    expect(r.stderr).toMatch(/ollama serve/);
    expect(r.stderr).toMatch(/mmr demo/);
    const one = await mmr(['ask', '--json', '-m', 'anthropic:claude-haiku-4-5', 'hello'], { env });
    expect(one.exitCode).toBe(3);
    expect(JSON.parse(one.stdout).results[0].error).toMatchObject({ kind: 'config', hint: 'set ANTHROPIC_API_KEY' });
  });

  it('rejects malformed ids, unknown providers, bad flags and empty prompts with exit 2', async () => {
    const { env } = await withKeys();
    const cases: [string[], RegExp][] = [
      [['ask', '-m', 'gpt4', 'x'], /gpt4/],
      [['ask', '-m', 'nosuch:model', 'x'], /nosuch/],
      [['ask', '-m', 'openai:x', '--temperature', 'hot', 'x'], /--temperature must be a number/],
      [['ask', '-m', 'openai:x', '--json', '--jsonl', 'x'], /--json and --jsonl/],
      [['ask', '-m', 'openai:x'], /no prompt given/],
      [['ask', '--frobnicate', 'x'], /unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await mmr(args, { env });
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('reports every config problem with its file and line, and exits 2', async () => {
    const { env, home } = await withKeys();
    writeFileSync(path.join(home, '.routerrc.yaml'), 'aliases:\n  fast: openai:gpt-4o-mini\noptions:\n  temperature: 7\ntimeouts:\n  idleMs: -1\nbogus: true\n');
    const r = await mmr(['ask', '-m', 'fast', 'x'], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/\.routerrc\.yaml:4 .*temperature/);
    expect(r.stderr).toMatch(/\.routerrc\.yaml:6 .*idleMs/);
    expect(r.stderr).toMatch(/\.routerrc\.yaml:7 .*bogus/);
  });

  it('rejects binary stdin', async () => {
    const { env } = await withKeys();
    const r = await mmr(['ask', '-m', 'openai:x'], { env, input: 'PNG\u0000\u0001\u0002' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/binary/);
  });
});

describe('signals', () => {
  /** Scripts the next replies, resolving once the server has received a request. */
  const requestArrives = (reply: MockReply): Promise<void> =>
    new Promise((resolve) => {
      script = () => {
        resolve();
        return reply;
      };
    });

  it('aborts in-flight requests on SIGINT and exits 130 promptly', async () => {
    const arrived = requestArrives({ text: 'never finishes in time', firstChunkDelayMs: 10_000 });
    const { env } = await withKeys();
    const child = mmr(['ask', '-m', 'openai:slow-sigint', 'q'], { env });
    await arrived; // the request is in flight: the signal has something to abort
    const t0 = Date.now();
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('exits 143 on SIGTERM', async () => {
    const arrived = requestArrives({ text: 'x', firstChunkDelayMs: 10_000 });
    const { env } = await withKeys();
    const child = mmr(['ask', '--json', '-m', 'openai:slow-sigterm', 'q'], { env });
    await arrived;
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(143);
  });
});

describe('mmr demo and mmr models', () => {
  it('runs the demo without keys and says the answers are recorded', async () => {
    const { env } = await isolatedEnv({ MMR_DEMO_TIME_SCALE: '0' });
    const r = await mmr(['demo', '--json'], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/recorded/);
    const doc = JSON.parse(r.stdout);
    expect(doc.results).toHaveLength(4);
    expect(doc.results.every((x: { text: string; error: unknown }) => x.text.length > 50 && x.error === null)).toBe(true);
  });

  it('refuses a prompt or a model it has no recording for, naming the recorded ones (exit 2)', async () => {
    const { env } = await isolatedEnv({ MMR_DEMO_TIME_SCALE: '0' });
    const custom = await mmr(['demo', '--json', 'What is the capital of France?'], { env });
    expect(custom.exitCode).toBe(2);
    expect(custom.stdout).toBe('');
    expect(custom.stderr).toMatch(/only replays recorded answers, and has none for "What is the capital of France\?"/);
    expect(custom.stderr).toMatch(/1\. Explain the difference between a process and a thread/);
    const model = await mmr(['demo', '--json', '-m', 'openai:gpt-4.1'], { env });
    expect(model.exitCode).toBe(2);
    expect(model.stderr).toMatch(/no recording of openai:gpt-4\.1 .*it has openai:gpt-4o-mini, anthropic:claude-haiku-4-5/);
    // A recorded prompt by number or by its text (case and spacing aside), and a recorded model, work.
    const two = await mmr(['demo', '--json', '-m', 'anthropic:claude-haiku-4-5', '2'], { env });
    expect(two.exitCode).toBe(0);
    const doc = JSON.parse(two.stdout);
    expect(doc.results.map((r: { model: string }) => r.model)).toEqual(['anthropic:claude-haiku-4-5']);
    const byText = await mmr(['demo', '--json', doc.prompt.toUpperCase()], { env });
    expect(JSON.parse(byText.stdout).prompt).toBe(doc.prompt);
    const help = await mmr(['demo', '--help'], { env });
    expect(help.stdout).toMatch(/refused[\s\S]*exit 2/);
  });

  it('lists models with prices and whether each key is set', async () => {
    const { env } = await isolatedEnv({ OPENAI_API_KEY: KEY });
    const r = await mmr(['models', '--no-probe'], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/\* +openai:gpt-4o-mini +0\.15 +0\.60 +128k +set/);
    expect(r.stdout).toMatch(/anthropic:claude-haiku-4-5 .* missing: set ANTHROPIC_API_KEY/);
    expect(r.stdout).not.toContain(KEY);
  });

  it('prints its version fast path and help', async () => {
    const { env } = await isolatedEnv();
    const v = await mmr(['--version'], { env });
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await mmr(['--help'], { env });
    expect(h.stdout).toMatch(/ask \[options\] \[prompt\.\.\.\]/);
    expect(h.stdout).toMatch(/Exit codes/);
  });
});
