/**
 * Models listings against the mock server's listing endpoints (OpenAI, Anthropic and Gemini with
 * pagination, Azure, Ollama), their errors, their bounds, the on-disk cache, and the pure merge
 * with the price data that `mmr models --all` prints.
 */
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog, type ProviderListing } from '../../src/core/catalog.js';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { listModels } from '../../src/providers/listing.js';
import { LISTING_TTL_MS, readCachedListing, writeCachedListing } from '../../src/providers/listing-cache.js';
import type { ProviderSpec } from '../../src/providers/provider.js';
import { startRawServer } from '../helpers/raw-server.js';
import { SECRET_KEY } from './support.js';

let server: MockServer;
const HOSTILE = '\u001b]52;c;cHduZWQ=\u0007evil';
beforeAll(async () => {
  server = await startMockServer({
    reply: () => ({}),
    apiKey: SECRET_KEY,
    listPageSize: 2,
    listModels: {
      openai: ['gpt-4o-mini', 'o4-mini', HOSTILE, 'with space', 'x'.repeat(300)],
      anthropic: ['claude-haiku-4-5-20251001', 'claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805'],
      gemini: ['gemini-2.5-flash', 'gemini-2.5-pro', 'text-embedding-004', 'gemini-2.5-flash-lite', 'gemini-2.0-flash'],
      azure: ['gpt-4o-mini'],
    },
    ollamaModels: ['llama3.2', 'qwen3:8b'],
  });
});
afterAll(() => server.close());

const spec = (protocol: ProviderSpec['protocol'], baseUrl: string, over: Partial<ProviderSpec> = {}): ProviderSpec => ({ id: protocol, protocol, baseUrl, keyEnv: ['K'], needsKey: true, apiKey: SECRET_KEY, ...over });

describe('listing each provider', () => {
  it('OpenAI-compatible: the ids, with names a terminal or a model id could not take dropped and counted', async () => {
    const got = await listModels(spec('openai', server.baseUrls.openai));
    expect(got).toEqual({ ok: true, models: [{ id: 'gpt-4o-mini' }, { id: 'o4-mini' }], dropped: 3 });
    expect(server.listings.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
  });

  it('Anthropic: follows has_more / last_id across pages, with x-api-key and anthropic-version', async () => {
    const before = server.listings.length;
    const got = await listModels(spec('anthropic', server.baseUrls.anthropic));
    expect(got.ok && got.models.map((m) => m.id)).toEqual(['claude-haiku-4-5-20251001', 'claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805']);
    const pages = server.listings.slice(before);
    expect(pages.map((p) => p.path)).toEqual(['/anthropic/v1/models?limit=1000', '/anthropic/v1/models?limit=1000&after_id=claude-sonnet-4-5-20250929']);
    expect(pages[0].headers).toMatchObject({ 'x-api-key': SECRET_KEY, 'anthropic-version': '2023-06-01' });
  });

  it('Gemini: follows nextPageToken, keeps only models that generate text, takes the context window, drops models/', async () => {
    const got = await listModels(spec('gemini', server.baseUrls.gemini));
    expect(got.ok && got.models).toEqual([
      { id: 'gemini-2.5-flash', contextWindow: 1048576 },
      { id: 'gemini-2.5-pro', contextWindow: 1048576 },
      { id: 'gemini-2.5-flash-lite', contextWindow: 1048576 },
      { id: 'gemini-2.0-flash', contextWindow: 1048576 },
    ]);
    expect(server.listings.at(-1)!.headers['x-goog-api-key']).toBe(SECRET_KEY);
  });

  it('Azure and Ollama', async () => {
    const azure = await listModels(spec('openai', server.baseUrls.azure, { id: 'azure', azure: {} }));
    expect(azure.ok && azure.models).toEqual([{ id: 'gpt-4o-mini' }]);
    expect(server.listings.at(-1)!.path).toBe('/azure/openai/models?api-version=2024-10-21');
    expect(server.listings.at(-1)!.headers['api-key']).toBe(SECRET_KEY);
    const ollama = await listModels(spec('ollama', server.baseUrls.ollama, { needsKey: false, apiKey: undefined }));
    expect(ollama.ok && ollama.models.map((m) => m.id)).toEqual(['llama3.2:latest', 'qwen3:8b']);
  });

  it('a rejected key, a missing key and a server that is not there are errors that say what to do, and never hold the key', async () => {
    const bad = await listModels(spec('anthropic', server.baseUrls.anthropic, { apiKey: 'sk-ant-wrong-000000', keyEnv: ['ANTHROPIC_API_KEY'] }));
    expect(!bad.ok && bad.error).toMatchObject({ kind: 'auth', status: 401 });
    expect(!bad.ok && bad.error.hint).toContain('ANTHROPIC_API_KEY');
    const none = await listModels(spec('openai', server.baseUrls.openai, { apiKey: undefined, keyEnv: ['OPENAI_API_KEY'] }));
    expect(!none.ok && none.error).toMatchObject({ kind: 'config', hint: 'set OPENAI_API_KEY' });
    const down = await listModels(spec('openai', 'http://127.0.0.1:1/v1'));
    expect(!down.ok && down.error.kind).toBe('network');
    expect(JSON.stringify([bad, none, down])).not.toContain(SECRET_KEY);
  });

  it('a listing body over the bound, or one that is not JSON, is an error, not a crash', async () => {
    const raw = await startRawServer();
    try {
      raw.respond({ headers: { 'content-type': 'application/json' }, body: `{"data":[${'{"id":"m"},'.repeat(1_000_000)}{"id":"z"}]}` });
      const big = await listModels(spec('openai', raw.url));
      expect(!big.ok && big.error.message).toMatch(/exceeded 8 MiB/);
      raw.respond({ headers: { 'content-type': 'text/html' }, body: '<html>login</html>' });
      expect((await listModels(spec('openai', raw.url))).ok).toBe(false);
    } finally {
      await raw.close();
    }
  });
});

describe('the listing cache', () => {
  it('is reused within its TTL, 0600 in a 0700 directory, without the key or the base URL in it; stale or corrupt entries are ignored', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'mmr-listing-')), 'models');
    const url = `http://user:pass-${SECRET_KEY}@example.test/v1`;
    await writeCachedListing(dir, 'openai', url, [{ id: 'gpt-4o-mini' }], 1_000_000);
    expect(await readCachedListing(dir, 'openai', url, 1_000_000 + 60_000)).toEqual({ models: [{ id: 'gpt-4o-mini' }], fetchedAt: 1_000_000 });
    expect(await readCachedListing(dir, 'openai', url, 1_000_000 + LISTING_TTL_MS + 1)).toBeNull();
    expect(await readCachedListing(dir, 'openai', 'http://elsewhere/v1', 1_000_000)).toBeNull();
    const [file] = readdirSync(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, file)).mode & 0o777).toBe(0o600);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(path.join(dir, file), 'utf8');
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain('pass-');
    writeFileSync(path.join(dir, file), '{"v":1,"provider":"openai","models":"nope"}');
    expect(await readCachedListing(dir, 'openai', url, 1_000_000)).toBeNull();
  });
});

describe('the catalog: price data merged with listings', () => {
  const listings: ProviderListing[] = [
    { provider: 'openai', status: 'listed', local: false, models: [{ id: 'gpt-4o-mini' }, { id: 'gpt-4o-mini-2024-07-18' }, { id: 'my-ft-model' }] },
    { provider: 'anthropic', status: 'no-key', local: false, hint: 'set ANTHROPIC_API_KEY' },
    { provider: 'ollama', status: 'listed', local: true, models: [{ id: 'llama3.2:latest' }] },
  ];
  const priced = [
    { provider: 'openai', model: 'gpt-4o-mini', inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075, contextWindow: 128000, deprecated: false },
    { provider: 'openai', model: 'gpt-3.5-turbo', inputPerMTok: 0.5, outputPerMTok: 1.5, cachedInputPerMTok: null, contextWindow: 16385, deprecated: true },
    { provider: 'anthropic', model: 'claude-haiku-4-5', inputPerMTok: 1, outputPerMTok: 5, cachedInputPerMTok: 0.1, contextWindow: 200000, deprecated: false },
  ];
  const priceOf = (_p: string, m: string) => (m.startsWith('gpt-4o-mini') ? { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: null, contextWindow: 128000 } : null);

  it('marks callable, not listed, unchecked and unpriced models, prices snapshots through the price data, and local models at 0', () => {
    const rows = buildCatalog(['openai', 'anthropic', 'ollama'], priced, listings, priceOf);
    const view = rows.map((r) => [r.model, r.callable, r.listed, r.noKnownPrice, r.inputPerMTok]);
    expect(view).toEqual([
      ['openai:gpt-3.5-turbo', false, false, false, 0.5],
      ['openai:gpt-4o-mini', true, true, false, 0.15],
      ['openai:gpt-4o-mini-2024-07-18', true, true, false, 0.15],
      ['openai:my-ft-model', true, true, true, null],
      ['anthropic:claude-haiku-4-5', false, null, false, 1],
      ['ollama:llama3.2:latest', true, true, false, 0],
    ]);
  });

  it('filters by provider and by text in the id, case-insensitively', () => {
    expect(buildCatalog(['openai', 'anthropic', 'ollama'], priced, listings, priceOf, { search: 'MINI-2024' }).map((r) => r.model)).toEqual(['openai:gpt-4o-mini-2024-07-18']);
    expect(buildCatalog(['openai', 'anthropic', 'ollama'], priced, listings, priceOf, { provider: 'anthropic' }).map((r) => r.model)).toEqual(['anthropic:claude-haiku-4-5']);
  });
});
