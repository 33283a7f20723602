/**
 * The built binary against mmr's local provider server, asserting on the request bodies the
 * server received: each provider's reasoning field, the Responses API, Azure deployment URLs and
 * the api-key header, reasoning kept apart from the answer.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockReply, type MockRequestInfo, type MockServer } from '../../src/mock-server/index.js';
import { isolatedEnv, mmr } from '../helpers/cli.js';

const KEY = 'sk-test-SECRET-5e9c2a7b1d4f8e60';
let server: MockServer;
let script: (req: MockRequestInfo) => MockReply = () => ({ text: 'ok' });

beforeAll(async () => {
  server = await startMockServer({ apiKey: KEY, reply: (req) => script(req), azureDeployments: ['my-4o'] });
});
afterAll(() => server.close());

const keys = (extra: Record<string, string> = {}) =>
  isolatedEnv({
    OPENAI_API_KEY: KEY,
    ANTHROPIC_API_KEY: KEY,
    GEMINI_API_KEY: KEY,
    AZURE_OPENAI_API_KEY: KEY,
    OPENAI_BASE_URL: server.baseUrls.openai,
    ANTHROPIC_BASE_URL: server.baseUrls.anthropic,
    GEMINI_BASE_URL: server.baseUrls.gemini,
    AZURE_OPENAI_ENDPOINT: server.baseUrls.azure,
    OLLAMA_HOST: server.baseUrls.ollama,
    ...extra,
  });

/** Requests the server received for this run's unique prompt. */
const received = (marker: string) => server.requests.filter((r) => JSON.stringify(r.body).includes(marker));
const only = (marker: string, protocol: string) => {
  const rs = received(marker).filter((r) => r.protocol === protocol);
  expect(rs, `${protocol} requests for ${marker}`).toHaveLength(1);
  return rs[0];
};

describe('reasoning controls, end to end', () => {
  it('--reasoning high reaches each provider as its own knob; a model known not to reason gets a clear error in its column', async () => {
    script = () => ({ text: 'done', reasoning: 'thinking it over', usage: { input: 10, output: 30, reasoning: 20 } });
    const { env } = await keys();
    const marker = `reasoning-${Date.now()}`;
    const models = ['openai:o4-mini', 'anthropic:claude-haiku-4-5', 'gemini:gemini-2.5-flash', 'ollama:qwen3:8b', 'openai:gpt-4o-mini'];
    const r = await mmr(['ask', '--json', '--reasoning', 'high', ...models.flatMap((m) => ['-m', m]), marker], { env });
    expect(r.exitCode).toBe(1);
    expect(only(marker, 'openai').body.reasoning_effort).toBe('high');
    expect(only(marker, 'anthropic').body).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 24576 }, max_tokens: 4096 + 24576 });
    expect(only(marker, 'gemini').body.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 24576, includeThoughts: true });
    expect(only(marker, 'ollama').body.think).toBe(true);
    // gpt-4o-mini was never asked: one OpenAI request in all, for o4-mini.
    expect(received(marker).map((x) => x.model)).not.toContain('gpt-4o-mini');
    const results = JSON.parse(r.stdout).results;
    expect(results.slice(0, 4).map((x: { text: string; error: unknown }) => [x.text, x.error])).toEqual(Array(4).fill(['done', null]));
    expect(results[4].error).toMatchObject({ kind: 'config', code: 'reasoning_unsupported', message: 'openai:gpt-4o-mini does not reason, so reasoning: high cannot apply' });
  });

  it('keeps reasoning out of the answer in pipes and JSON, prints it with --show-reasoning, and counts and prices its tokens', async () => {
    script = () => ({ text: 'The answer is 4.', reasoning: 'Two plus two is four.', usage: { input: 10, output: 30, reasoning: 20 } });
    const { env } = await keys();
    const plain = await mmr(['ask', '-m', 'openai:o4-mini', 'plain-2+2'], { env });
    expect(plain.exitCode).toBe(0);
    // (execa strips the one final newline mmr prints.)
    expect(plain.stdout).toBe('The answer is 4.');
    const shown = await mmr(['ask', '--show-reasoning', '-m', 'openai:o4-mini', 'shown-2+2'], { env });
    expect(shown.stdout).toBe('<reasoning>\nTwo plus two is four.\n</reasoning>\n\nThe answer is 4.');
    const json = JSON.parse((await mmr(['ask', '--json', '-m', 'openai:o4-mini', 'json-2+2'], { env })).stdout).results[0];
    expect(json.text).toBe('The answer is 4.');
    expect(json).not.toHaveProperty('reasoning');
    expect(json.usage).toMatchObject({ outputTokens: 30, reasoningTokens: 20 });
    // o4-mini: $1.10 in / $4.40 out per 1M; the 20 reasoning tokens are billed inside the 30 output tokens.
    expect(json.costUsd).toBeCloseTo((10 * 1.1 + 30 * 4.4) / 1e6, 12);
    const withReasoning = JSON.parse((await mmr(['ask', '--json', '--show-reasoning', '-m', 'openai:o4-mini', 'json2-2+2'], { env })).stdout).results[0];
    expect(withReasoning.reasoning).toBe('Two plus two is four.');
    const verbose = await mmr(['ask', '-v', '-m', 'openai:o4-mini', 'v-2+2'], { env });
    expect(verbose.stderr).toContain('10→30 tok (20 reasoning)');
  });

  it('a bad --reasoning value is a usage error naming the flag', async () => {
    const { env } = await keys();
    const r = await mmr(['ask', '--reasoning', 'lots', '-m', 'openai:o4-mini', 'x'], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--reasoning must be off, low, medium, high or a thinking budget in tokens, got "lots"');
  });
});

describe('the Responses API', () => {
  it('is chosen on its own for a Responses-only model, and set per model in config', async () => {
    script = (req) => ({ text: `via ${req.protocol}`, reasoning: req.model === 'o3-pro' ? 'pondering' : '' });
    const { env, home } = await keys();
    writeFileSync(path.join(home, '.routerrc.yaml'), 'models:\n  openai:gpt-4.1:\n    protocol: openai-responses\n');
    const marker = `responses-${Date.now()}`;
    const r = await mmr(['ask', '--json', '-m', 'openai:o3-pro', '-m', 'openai:gpt-4.1', '-m', 'openai:o4-mini', marker], { env });
    expect(r.exitCode).toBe(0);
    const results = JSON.parse(r.stdout).results;
    expect(results.map((x: { text: string }) => x.text)).toEqual(['via openai-responses', 'via openai-responses', 'via openai']);
    expect(received(marker).map((x) => [x.model, x.path]).sort()).toEqual([
      ['gpt-4.1', '/openai/v1/responses'],
      ['o3-pro', '/openai/v1/responses'],
      ['o4-mini', '/openai/v1/chat/completions'],
    ]);
    const pro = received(marker).find((x) => x.model === 'o3-pro')!;
    expect(pro.body).toMatchObject({ model: 'o3-pro', stream: true, store: false, input: [{ role: 'user', content: marker }] });
    expect(pro.headers.authorization).toBe(`Bearer ${KEY}`);

    const thought = `responses-reasoning-${Date.now()}`;
    const t = await mmr(['ask', '--json', '--show-reasoning', '--reasoning', 'medium', '-m', 'openai:o3-pro', thought], { env });
    expect(JSON.parse(t.stdout).results[0]).toMatchObject({ text: 'via openai-responses', reasoning: 'pondering' });
    expect(only(thought, 'openai-responses').body.reasoning).toEqual({ effort: 'medium', summary: 'auto' });
  });
});

describe('Azure OpenAI', () => {
  it('azure:<deployment> goes to the deployment URL with api-key and OPENAI_API_VERSION; an unknown deployment is a clear 404', async () => {
    script = () => ({ text: 'from azure', usage: { input: 5, output: 3 } });
    const { env } = await keys({ OPENAI_API_VERSION: '2025-01-01-preview' });
    const marker = `azure-${Date.now()}`;
    const r = await mmr(['ask', '--json', '-m', 'azure:my-4o', '-m', 'azure:missing', marker], { env });
    expect(r.exitCode).toBe(1);
    const [ok, missing] = JSON.parse(r.stdout).results;
    expect(ok).toMatchObject({ model: 'azure:my-4o', text: 'from azure', usage: { inputTokens: 5, outputTokens: 3 }, error: null });
    expect(missing.error).toMatchObject({ status: 404, code: 'DeploymentNotFound' });
    const seen = received(marker).find((x) => x.model === 'my-4o')!;
    expect(seen.path).toBe('/azure/openai/deployments/my-4o/chat/completions?api-version=2025-01-01-preview');
    expect(seen.headers['api-key']).toBe(KEY);
    expect(seen.headers.authorization).toBeUndefined();
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('without AZURE_OPENAI_ENDPOINT the column says which variable to set', async () => {
    const { env } = await keys();
    delete (env as Record<string, string>).AZURE_OPENAI_ENDPOINT;
    const r = await mmr(['ask', '--json', '-m', 'azure:my-4o', 'x'], { env });
    expect(r.exitCode).toBe(3);
    expect(JSON.parse(r.stdout).results[0].error).toMatchObject({ kind: 'config', message: 'no endpoint for provider azure', hint: 'set AZURE_OPENAI_ENDPOINT (e.g. https://<resource>.openai.azure.com)' });
  });
});

/** A real 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const B64 = PNG.toString('base64');

describe('images', () => {
  it('-f picture.png goes to every model that takes images in its own shape; a text-only model gets a clear error in its column', async () => {
    script = () => ({ text: 'a single pixel' });
    const { env, home } = await keys();
    writeFileSync(path.join(home, 'picture.png'), PNG);
    const marker = `image-${Date.now()}`;
    const models = ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5', 'gemini:gemini-2.5-flash', 'ollama:llava', 'openai:gpt-3.5-turbo'];
    const r = await mmr(['ask', '--json', '-f', 'picture.png', ...models.flatMap((m) => ['-m', m]), marker], { env });
    expect(r.exitCode).toBe(1);
    const results = JSON.parse(r.stdout).results;
    expect(results.slice(0, 4).map((x: { text: string }) => x.text)).toEqual(Array(4).fill('a single pixel'));
    expect(results[4].error).toMatchObject({ kind: 'config', code: 'images_unsupported', message: 'openai:gpt-3.5-turbo does not take images; the image picture.png not sent' });
    expect(only(marker, 'openai').body.messages[0].content).toEqual([{ type: 'text', text: marker }, { type: 'image_url', image_url: { url: `data:image/png;base64,${B64}` } }]);
    expect(only(marker, 'anthropic').body.messages[0].content).toEqual([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: B64 } }, { type: 'text', text: marker }]);
    expect(only(marker, 'gemini').body.contents[0].parts).toEqual([{ text: marker }, { inlineData: { mimeType: 'image/png', data: B64 } }]);
    expect(only(marker, 'ollama').body.messages[0]).toEqual({ role: 'user', content: marker, images: [B64] });
  });

  it('a file named .png that is not an image is refused before any request, naming the file', async () => {
    const { env, home } = await keys();
    writeFileSync(path.join(home, 'fake.png'), Buffer.from([0, 1, 2, 0, 4]));
    const before = server.requests.length;
    const r = await mmr(['ask', '-f', 'fake.png', '-m', 'openai:gpt-4o-mini', 'what?'], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('-f fake.png: not a PNG, JPEG, GIF or WebP image (judged by its bytes, not its name)');
    expect(server.requests.length).toBe(before);
  });

  it('bench cases with images: send them, and the rows file carries the image\'s hash, never its bytes', async () => {
    script = () => ({ text: 'red' });
    const { env, home } = await keys();
    writeFileSync(path.join(home, 'dot.png'), PNG);
    const marker = `bench-image-${Date.now()}`;
    writeFileSync(path.join(home, 'cases.yaml'), `- id: colour\n  prompt: "${marker}: what colour?"\n  images: [dot.png]\n  expect: [{type: contains, value: red}]\n`);
    const r = await mmr(['bench', 'cases.yaml', '-m', 'openai:gpt-4o-mini', '-m', 'anthropic:claude-haiku-4-5', '--out', 'rows.jsonl', '--no-cache'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(only(marker, 'openai').body.messages[0].content[1]).toEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${B64}` } });
    expect(only(marker, 'anthropic').body.messages[0].content[0].source.data).toBe(B64);
    const { readFileSync } = await import('node:fs');
    const rows = readFileSync(path.join(home, 'rows.jsonl'), 'utf8');
    expect(rows).not.toContain(B64);
    const row = JSON.parse(rows.split('\n')[0]);
    expect(row.pass).toBe(true);
    expect(row.messages[0].images[0]).toMatchObject({ mediaType: 'image/png', bytes: PNG.length, name: 'dot.png' });
  });
});

describe('mmr models --all', () => {
  it('merges the price data with the live listings: callable now, not listed, no key, not running; prices and context from the data', async () => {
    const { env, home } = await keys({ OLLAMA_HOST: `127.0.0.1:${(await import('../helpers/cli.js').then((m) => m.closedPort()))}` });
    delete (env as Record<string, string>).GEMINI_API_KEY;
    const r = await mmr(['models', '--all', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const row = (id: string) => doc.models.find((m: { model: string }) => m.model === id);
    expect(row('openai:gpt-4o-mini')).toMatchObject({ callable: true, listed: true, inputPerMTok: 0.15, outputPerMTok: 0.6, contextWindow: 128000, noKnownPrice: false });
    expect(row('openai:gpt-4.1-nano')).toMatchObject({ callable: false, listed: false });
    // Listed by Anthropic as a dated snapshot: priced through the price data's own matching.
    expect(row('anthropic:claude-haiku-4-5-20251001')).toMatchObject({ callable: true, inputPerMTok: 1, outputPerMTok: 5 });
    expect(row('gemini:gemini-2.5-flash')).toMatchObject({ callable: false, listed: null });
    const providers = Object.fromEntries(doc.providers.map((p: { provider: string }) => [p.provider, p]));
    expect(providers.openai).toMatchObject({ status: 'listed', listed: 6 });
    expect(providers.gemini).toMatchObject({ status: 'no-key', hint: 'set GEMINI_API_KEY or GOOGLE_API_KEY' });
    expect(providers.ollama).toMatchObject({ status: 'unreachable' });
    expect(doc.models.some((m: { model: string }) => m.model.startsWith('azure:'))).toBe(false);
    // The listings were cached, 0600, and nothing of a key is in them.
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const dir = path.join(home, '.cache/mmr/models');
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
      expect(readFileSync(path.join(dir, f), 'utf8')).not.toContain(KEY);
    }
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('--provider and --search narrow it; a second run uses the cache, --refresh asks again; a bad --provider is exit 2', async () => {
    const { env } = await keys();
    const count = () => server.listings.filter((l) => l.path.startsWith('/anthropic/v1/models')).length;
    const first = count();
    const table = await mmr(['models', '--provider', 'anthropic', '--search', 'HAIKU'], { env });
    expect(table.exitCode).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^MODEL\s+IN \$\/1M\s+OUT \$\/1M\s+CACHED \$\/1M\s+CONTEXT\s+STATUS$/);
    expect(lines.filter((l) => l.startsWith('anthropic:claude-haiku-4-5-20251001'))[0]).toMatch(/1\.00\s+5\.00\s+0\.10\s+200k\s+callable$/);
    expect(lines.every((l) => !l.startsWith('openai:'))).toBe(true);
    expect(count()).toBe(first + 1);
    await mmr(['models', '--provider', 'anthropic'], { env });
    expect(count()).toBe(first + 1);
    await mmr(['models', '--provider', 'anthropic', '--refresh'], { env });
    expect(count()).toBe(first + 2);
    const bad = await mmr(['models', '--provider', 'nosuch'], { env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--provider "nosuch" is not a provider mmr can list');
  });
});

describe('mmr doctor', () => {
  const doctorEnv = async (extra: Record<string, string> = {}) => {
    const e = await keys(extra);
    // Only what each test sets: no Azure unless asked.
    for (const k of ['AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT']) if (!(k in extra)) delete (e.env as Record<string, string>)[k];
    return e;
  };

  it('all well: keys accepted through the models listings (no generation request), local server running, missing keys only reported; exit 0', async () => {
    const { env } = await doctorEnv();
    const before = server.requests.length;
    const r = await mmr(['doctor'], { env });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(server.requests.length).toBe(before);
    expect(r.stdout).toMatch(/✔ openai\s+key OPENAI_API_KEY set · http:\/\/127\.0\.0\.1:\d+\/openai\/v1 · reachable · key accepted \(6 models listed\)/);
    expect(r.stdout).toMatch(/✔ anthropic\s+key ANTHROPIC_API_KEY set · .* · reachable · key accepted \(3 models listed\)/);
    expect(r.stdout).toMatch(/✔ gemini\s+key GEMINI_API_KEY set/);
    expect(r.stdout).toMatch(/✔ ollama\s+http:\/\/127\.0\.0\.1:\d+\/ollama · running \(1 model listed\)/);
    expect(r.stdout).toMatch(/– groq\s+no key \(set GROQ_API_KEY\)/);
    expect(r.stdout).toMatch(/– lmstudio\s+not running at http:\/\/127\.0\.0\.1:1234\/v1/);
    expect(r.stdout).toMatch(/– azure\s+no key \(set AZURE_OPENAI_API_KEY\)/);
    expect(r.stdout).toContain('All is well: 4 providers ready.');
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('each problem with its fix, and exit 1: a rejected key, a host that does not answer, Azure without its endpoint, an untrusted project file', async () => {
    const { closedPort } = await import('../helpers/cli.js');
    const { env, home } = await doctorEnv({
      ANTHROPIC_API_KEY: 'sk-ant-wrong-key-000000',
      GEMINI_BASE_URL: `http://me:hunter2-secret@127.0.0.1:${await closedPort()}/v1beta`,
      AZURE_OPENAI_API_KEY: KEY,
    });
    writeFileSync(path.join(home, '.routerrc.yaml'), `providers:\n  openai:\n    baseUrl: ${server.baseUrls.openai}\n`);
    const r = await mmr(['doctor', '--json'], { env });
    expect(r.exitCode).toBe(1);
    const doc = JSON.parse(r.stdout);
    const p = Object.fromEntries(doc.providers.map((x: { id: string }) => [x.id, x]));
    expect(p.anthropic).toMatchObject({ level: 'fail', reachable: true, keyAccepted: false, keyFrom: 'ANTHROPIC_API_KEY' });
    expect(p.anthropic.fix).toContain('set ANTHROPIC_API_KEY to a valid key');
    expect(p.gemini).toMatchObject({ level: 'fail', reachable: false });
    expect(p.gemini.baseUrl).toMatch(/^http:\/\/\*\*\*@127\.0\.0\.1/);
    expect(p.azure).toMatchObject({ level: 'fail', detail: 'AZURE_OPENAI_API_KEY is set, but there is no endpoint' });
    const project = doc.files.find((f: { role: string }) => f.role === 'project');
    expect(project).toMatchObject({ file: '.routerrc.yaml', level: 'fail' });
    expect(project.detail).toContain('not trusted, and it has privileged settings: providers.openai.baseUrl (line 3)');
    expect(project.fix).toBe('read it; if you trust it: mmr trust .routerrc.yaml');
    expect(doc.failures).toBe(4);
    expect(r.stdout).not.toMatch(/hunter2|sk-ant-wrong-key/);
    const text = await mmr(['doctor'], { env });
    expect(text.stdout).toMatch(/✖ anthropic .*key rejected \(HTTP 401\)\n\s+fix: the API key was rejected; set ANTHROPIC_API_KEY to a valid key/);
    expect(text.stdout).toContain('4 problems (✖) to fix');

    // Trusted, the same file is fine.
    expect((await mmr(['trust', '.routerrc.yaml'], { env })).exitCode).toBe(0);
    const trusted = JSON.parse((await mmr(['doctor', '--json'], { env })).stdout);
    expect(trusted.files.find((f: { role: string }) => f.role === 'project')).toMatchObject({ level: 'ok' });
    expect(trusted.failures).toBe(3);
  });
});

describe('variants as model ids', () => {
  it('the same model at two settings is two columns, each request carrying its values; an alias may carry settings', async () => {
    script = (req) => ({ text: `t=${req.body.temperature ?? 'default'}` });
    const { env, home } = await keys();
    writeFileSync(path.join(home, '.routerrc.yaml'), 'aliases:\n  mini-cold:\n    model: openai:gpt-4o-mini\n    temperature: 0\n');
    const marker = `variants-${Date.now()}`;
    const r = await mmr(['ask', '--json', '-m', 'openai:gpt-4o-mini{temperature=0.2}', '-m', 'openai:gpt-4o-mini{temperature=1.5,reasoning=off}', '-m', 'mini-cold', marker], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout).results;
    expect(results.map((x: { model: string; alias: string | null; text: string }) => [x.model, x.alias, x.text])).toEqual([
      ['openai:gpt-4o-mini{temperature=0.2}', null, 't=0.2'],
      ['openai:gpt-4o-mini{temperature=1.5,reasoning=off}', null, 't=1.5'],
      ['openai:gpt-4o-mini', 'mini-cold', 't=0'],
    ]);
    const bodies = received(marker).map((x) => x.body);
    expect(bodies.map((b) => b.temperature).sort()).toEqual([0, 0.2, 1.5]);
    // gpt-4o-mini does not reason: "off" sends nothing rather than a parameter it would refuse.
    expect(bodies.every((b) => !('reasoning_effort' in b))).toBe(true);
    expect(bodies.every((b) => b.model === 'gpt-4o-mini')).toBe(true);
  });

  it('a malformed variant id is a usage error naming it', async () => {
    const { env } = await keys();
    const r = await mmr(['ask', '-m', 'openai:gpt-4o-mini{temperature=7}', 'x'], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('model id "openai:gpt-4o-mini{temperature=7}": temperature must be a number from 0 to 2');
  });
});

describe('--vary and bench variants', () => {
  it('ask --vary multiplies the models by the values, one column each, and every request carries its values', async () => {
    script = (req) => ({ text: `${req.model} t=${req.body.temperature}` });
    const { env } = await keys();
    const marker = `vary-${Date.now()}`;
    const r = await mmr(['ask', '--json', '--vary', 'temperature=0,1', '-m', 'openai:gpt-4o-mini', '-m', 'anthropic:claude-haiku-4-5', marker], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).results.map((x: { model: string; text: string }) => [x.model, x.text])).toEqual([
      ['openai:gpt-4o-mini{temperature=0}', 'gpt-4o-mini t=0'],
      ['openai:gpt-4o-mini{temperature=1}', 'gpt-4o-mini t=1'],
      ['anthropic:claude-haiku-4-5{temperature=0}', 'claude-haiku-4-5 t=0'],
      ['anthropic:claude-haiku-4-5{temperature=1}', 'claude-haiku-4-5 t=1'],
    ]);
    expect(received(marker).map((x) => [x.protocol, x.body.temperature]).sort()).toEqual([['anthropic', 0], ['anthropic', 1], ['openai', 0], ['openai', 1]]);
  });

  it('--vary system=@a.txt,@b.txt sends each file as the system prompt; reasoning levels become each provider\'s budget; conflicts and missing files are exit 2', async () => {
    script = () => ({ text: 'ok' });
    const { env, home } = await keys();
    writeFileSync(path.join(home, 'terse.txt'), 'Answer in one word.\n');
    writeFileSync(path.join(home, 'full.txt'), 'Explain fully.');
    const marker = `vary-system-${Date.now()}`;
    const r = await mmr(['ask', '--json', '--vary', 'system=@terse.txt,@full.txt', '--vary', 'reasoning=low,high', '-m', 'anthropic:claude-haiku-4-5', marker], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).results.map((x: { model: string }) => x.model)).toEqual([
      'anthropic:claude-haiku-4-5{reasoning=low,system=@terse.txt}',
      'anthropic:claude-haiku-4-5{reasoning=high,system=@terse.txt}',
      'anthropic:claude-haiku-4-5{reasoning=low,system=@full.txt}',
      'anthropic:claude-haiku-4-5{reasoning=high,system=@full.txt}',
    ]);
    expect(received(marker).map((x) => [x.body.system, x.body.thinking.budget_tokens]).sort()).toEqual([
      ['Answer in one word.', 1024],
      ['Answer in one word.', 24576],
      ['Explain fully.', 1024],
      ['Explain fully.', 24576],
    ]);
    const both = await mmr(['ask', '--vary', 'temperature=0,1', '-t', '0.5', '-m', 'openai:gpt-4o-mini', 'x'], { env });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('--vary temperature and -t/--temperature both set temperature');
    const missing = await mmr(['ask', '--vary', 'system=@nope.txt', '-m', 'openai:gpt-4o-mini', 'x'], { env });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('--vary system=@nope.txt: no such file');
    const bad = await mmr(['ask', '--vary', 'seed=1,2', '-m', 'openai:gpt-4o-mini', 'x'], { env });
    expect(bad.stderr).toContain('"seed" is not a setting mmr can vary');
  });

  it('bench: --vary and a file\'s named variants: are rows of their own, cached apart', async () => {
    script = (req) => ({ text: req.body.temperature === 0 ? 'cold answer' : 'warm answer' });
    const { env, home } = await keys();
    const marker = `bench-vary-${Date.now()}`;
    writeFileSync(path.join(home, 'cases.yaml'), `variants:\n  cold: {temperature: 0}\n  warm: {temperature: 0.9}\ncases:\n  - id: one\n    prompt: "${marker}"\n    expect: [{type: contains, value: cold}]\n`);
    const r = await mmr(['bench', 'cases.yaml', '-m', 'openai:gpt-4o-mini', '--out', 'rows.jsonl', '--vary', 'maxTokens=64,128'], { env });
    expect(r.stderr).toContain('variants: cold = {temperature=0} · warm = {temperature=0.9}');
    const { readFileSync } = await import('node:fs');
    const rows = readFileSync(path.join(home, 'rows.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.model, x.pass]).sort()).toEqual([
      ['openai:gpt-4o-mini{temperature=0,maxTokens=128}', true],
      ['openai:gpt-4o-mini{temperature=0,maxTokens=64}', true],
      ['openai:gpt-4o-mini{temperature=0.9,maxTokens=128}', false],
      ['openai:gpt-4o-mini{temperature=0.9,maxTokens=64}', false],
    ]);
    expect(received(marker).map((x) => [x.body.temperature, x.body.max_tokens ?? x.body.max_completion_tokens]).sort()).toEqual([[0, 128], [0, 64], [0.9, 128], [0.9, 64]]);
    // Run again: every variant's answer comes from the cache, none is asked again.
    const before = received(marker).length;
    await mmr(['bench', 'cases.yaml', '-m', 'openai:gpt-4o-mini', '--vary', 'maxTokens=64,128'], { env });
    expect(received(marker).length).toBe(before);
    // Failed checks alone do not change bench's exit code.
    expect(r.exitCode).toBe(0);
  });

  it('a rule keeps the settings it names: use: model{temperature=0} routes to that model with them', async () => {
    script = (req) => ({ text: `t=${req.body.temperature}` });
    const { env, home } = await keys();
    writeFileSync(path.join(home, '.routerrc.yaml'), 'rules:\n  - name: cold-sql\n    when: {keywords: [sql]}\n    use: "openai:gpt-4o-mini{temperature=0}"\n');
    const route = await mmr(['route', '--json', 'write an sql query'], { env });
    expect(JSON.parse(route.stdout)).toMatchObject({ source: 'rule', rule: 'cold-sql', models: ['openai:gpt-4o-mini{temperature=0}'] });
    const r = await mmr(['ask', '--json', '-t', '0.7', 'write an sql query'], { env });
    const res = JSON.parse(r.stdout).results[0];
    // The variant's own setting wins over a plain flag: it is what the rule chose.
    expect(res).toMatchObject({ model: 'openai:gpt-4o-mini{temperature=0}', text: 't=0' });
  });

  it('votes and the learned router keep the settings: evidence on two variants of one model routes to the better variant, with its settings', async () => {
    const { synthetic } = await import('../learn/synthetic.js');
    const names: Record<string, string> = { 'cheap:math': 'openai:gpt-4o-mini{temperature=0}', 'dear:code': 'openai:gpt-4o-mini{temperature=1}', 'mid:both': 'openai:gpt-4o-mini{temperature=0.5}' };
    const rows = synthetic().map((o, i) => JSON.stringify({
      caseId: `c${Math.floor(i / 3)}`, where: 'cases.jsonl:1', tags: [], prompt: o.prompt, messages: [{ role: 'user', content: o.prompt }], system: null,
      model: names[o.model], answer: '', pass: o.quality === 1, checks: [{ type: 'equals', pass: o.quality === 1 }], error: null, latencyMs: 900, ttftMs: 200,
      inputTokens: 20, outputTokens: 30, costUsd: o.costUsd, judgeCostUsd: 0, cached: false, attempts: 1,
    }));
    script = (req) => ({ text: `t=${req.body.temperature}` });
    const { env, home } = await keys();
    writeFileSync(path.join(home, 'rows.jsonl'), rows.join('\n'));
    writeFileSync(path.join(home, 'package.json'), '{"name": "p"}');
    const learn = await mmr(['learn', 'rows.jsonl'], { env, timeout: 60_000 });
    expect(learn.exitCode, learn.stderr).toBe(0);
    const MATH = 'Compute 321 * 328 and then add 9; what is the total?';
    const r = await mmr(['ask', '--json', '--router', '.mmr/router.json', '--tradeoff', '1', MATH], { env });
    const doc = JSON.parse(r.stdout);
    expect(doc.routing).toMatchObject({ source: 'learned', models: ['openai:gpt-4o-mini{temperature=0}'] });
    expect(doc.results[0]).toMatchObject({ model: 'openai:gpt-4o-mini{temperature=0}', text: 't=0' });
  });
});
