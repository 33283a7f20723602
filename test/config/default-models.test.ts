import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/schema.js';
import type { MmrConfig } from '../../src/config/types.js';
import { defaultModels, noProvidersHint, probeOllama } from '../../src/config/default-models.js';

const cfg = (over: Partial<MmrConfig> = {}): MmrConfig => ({ ...emptyConfig(), ...over });

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A tiny stand-in for `ollama serve`: only /api/tags, as the real one answers it. */
async function fakeOllama(body: unknown, delayMs = 0): Promise<{ host: string; paths: string[] }> {
  const paths: string[] = [];
  server = createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`);
    setTimeout(() => {
      res.writeHead(req.url === '/api/tags' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const TAGS = { models: [{ name: 'llama3.2:1b', model: 'llama3.2:1b', size: 1 }, { name: 'qwen2.5:7b', model: 'qwen2.5:7b' }] };

describe('defaultModels', () => {
  it('uses config `default` when present, without probing', async () => {
    let called = false;
    const fetch = (async () => {
      called = true;
      throw new Error('no');
    }) as unknown as typeof globalThis.fetch;
    const r = await defaultModels(cfg({ default: ['mini', 'anthropic:claude-haiku-4-5'] }), { OPENAI_API_KEY: 'k' }, { fetch });
    expect(r).toEqual({ models: ['mini', 'anthropic:claude-haiku-4-5'], source: 'config', notes: [] });
    expect(called).toBe(false);
  });

  it('picks one cheap model per provider whose key is set, in preset order', async () => {
    const env = { OLLAMA_HOST: `127.0.0.1:${await closedPort()}`, GROQ_API_KEY: 'g', GOOGLE_API_KEY: 'x', OPENAI_API_KEY: 'o', XAI_API_KEY: ' ' };
    const r = await defaultModels(cfg(), env);
    expect(r.source).toBe('env');
    expect(r.models).toEqual(['openai:gpt-4o-mini', 'gemini:gemini-2.5-flash', 'groq:llama-3.1-8b-instant']);
    expect(r.notes).toContain('GOOGLE_API_KEY is set: comparing gemini:gemini-2.5-flash');
    expect(r.notes.join('\n')).not.toMatch(/: o$|=o\b/);
  });

  it('honours a config keyEnv override when deciding which keys are set', async () => {
    const env = { OLLAMA_HOST: `127.0.0.1:${await closedPort()}`, WORK_KEY: 'w', OPENAI_API_KEY: 'o' };
    const config = cfg({ providers: { openai: { keyEnv: 'OTHER_KEY' }, anthropic: { keyEnv: 'WORK_KEY' } } });
    expect((await defaultModels(config, env)).models).toEqual(['anthropic:claude-haiku-4-5']);
  });

  it('adds the first model of a local Ollama that answers /api/tags', async () => {
    const { host, paths } = await fakeOllama(TAGS);
    const r = await defaultModels(cfg(), { OLLAMA_HOST: host, ANTHROPIC_API_KEY: 'a' });
    expect(r.models).toEqual(['anthropic:claude-haiku-4-5', 'ollama:llama3.2:1b']);
    expect(paths).toEqual(['GET /api/tags']);
    expect(r.notes).toContain(`Ollama answered at http://${host}: comparing ollama:llama3.2:1b`);
  });

  it('probes the config ollama baseUrl over OLLAMA_HOST', async () => {
    const { host } = await fakeOllama(TAGS);
    const config = cfg({ providers: { ollama: { baseUrl: `http://${host}` } } });
    const r = await defaultModels(config, { OLLAMA_HOST: `127.0.0.1:${await closedPort()}` });
    expect(r.models).toEqual(['ollama:llama3.2:1b']);
  });

  it('notes an Ollama with no models and leaves it out', async () => {
    const { host } = await fakeOllama({ models: [] });
    const r = await defaultModels(cfg(), { OLLAMA_HOST: host });
    expect(r.models).toEqual([]);
    expect(r.notes[0]).toContain('ollama pull');
  });

  it('a closed port means no Ollama, quickly', async () => {
    const started = performance.now();
    const r = await defaultModels(cfg(), { OLLAMA_HOST: `127.0.0.1:${await closedPort()}` });
    expect(r).toEqual({ models: [], source: 'env', notes: [] });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a server slower than the timeout counts as absent', async () => {
    const { host } = await fakeOllama(TAGS, 500);
    const started = performance.now();
    expect(await probeOllama(`http://${host}`, globalThis.fetch, 100)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(450);
  });

  it('a server that is not Ollama (HTML, 404) counts as absent', async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await probeOllama(base, globalThis.fetch, 300)).toBeUndefined();
  });
});

describe('noProvidersHint', () => {
  it('names the variables, the local server and the demo', () => {
    const hint = noProvidersHint({}, 'linux');
    expect(hint).toContain('export OPENAI_API_KEY=...');
    expect(hint).toContain('export ANTHROPIC_API_KEY=...');
    expect(hint).toContain('export GEMINI_API_KEY=...');
    expect(hint).toContain('OPENROUTER_API_KEY, GROQ_API_KEY, TOGETHER_API_KEY, DEEPSEEK_API_KEY, MISTRAL_API_KEY, XAI_API_KEY');
    expect(hint).toContain('ollama serve');
    expect(hint).toContain('http://127.0.0.1:11434');
    expect(hint).toContain('mmr demo');
    expect(hint).toMatchInlineSnapshot(`
      "mmr found no model to call: no API key is set and no local Ollama answered.
      Set a key for at least one provider:
        export OPENAI_API_KEY=...      # OpenAI
        export ANTHROPIC_API_KEY=...   # Anthropic
        export GEMINI_API_KEY=...      # Google Gemini
        (also read: OPENROUTER_API_KEY, GROQ_API_KEY, TOGETHER_API_KEY, DEEPSEEK_API_KEY, MISTRAL_API_KEY, XAI_API_KEY)
      or start a local server:
        ollama serve            # then: ollama pull llama3.2
        (mmr looks for it at http://127.0.0.1:11434; set OLLAMA_HOST if it is elsewhere)
        LM Studio, vLLM and llama.cpp servers work too: mmr ask -m lmstudio:<model> "..."
      or name models yourself with -m provider:model, or set \`default:\` in .routerrc.
      To see mmr work without any keys: mmr demo"
    `);
  });

  it('shows the OLLAMA_HOST in use (without credentials) and PowerShell syntax on Windows', () => {
    expect(noProvidersHint({ OLLAMA_HOST: 'http://u:pw@gpu:11434' }, 'linux')).toContain('OLLAMA_HOST=http://***@gpu:11434');
    expect(noProvidersHint({}, 'win32')).toContain('$env:OPENAI_API_KEY="..."');
  });
});
