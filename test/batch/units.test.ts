/**
 * The batch pieces in-process, against real HTTP servers on 127.0.0.1: jobs split at the
 * limits, the mock server's validation (as the providers validate), the key never following a
 * redirect or a results URL to another origin, the state file, and the polling schedule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { startRawServer } from '../helpers/raw-server.js';
import { openSession } from '../../src/session/open.js';
import { LogCache } from '../../src/bench/cache-store.js';
import { normalizeCase } from '../../src/bench/normalize.js';
import { runBatch } from '../../src/batch/run.js';
import { JobBuilder } from '../../src/batch/builder.js';
import { openaiBatch } from '../../src/batch/openai.js';
import { anthropicBatch } from '../../src/batch/anthropic.js';
import { call } from '../../src/batch/http.js';
import { parseState, readState, updateState } from '../../src/batch/state.js';
import { pollJobs } from '../../src/batch/poll.js';
import type { JobRecord } from '../../src/batch/types.js';
import type { ProviderSpec } from '../../src/providers/provider.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ reply: (req) => ({ text: `ok ${req.model}`, usage: { input: 5, output: 2 } }), batch: { limits: { openai: { maxRequests: 7 }, anthropic: { maxRequests: 4 } } } });
});
afterAll(() => server.close());

const tmp = () => mkdtempSync(path.join(tmpdir(), 'mmr-batch-'));
const spec = (baseUrl: string, protocol: ProviderSpec['protocol'] = 'openai', apiKey = 'sk-secret-key-123'): ProviderSpec => ({ id: protocol, protocol, baseUrl, apiKey, keyEnv: [], needsKey: true });

describe('batch jobs', () => {
  it('split at the requests-per-job limit; a job the provider refuses makes each of its requests an error', async () => {
    const dir = tmp();
    const env = { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'c'), OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrls.openai, ANTHROPIC_BASE_URL: server.baseUrls.anthropic };
    const session = await openSession({ model: ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'] }, { env, cwd: dir });
    const cache = await LogCache.open(path.join(dir, 'cache', 'bench'));
    const cases = Array.from({ length: 16 }, (_, i) => normalizeCase({ id: `c${i}`, prompt: `q${i}` }, `f:${i}`, `c${i}`));
    const before = server.requests.length;
    const out = await runBatch(
      { cases: async function* () { yield* cases; }, models: session.models, options: {}, repeat: 1 },
      { cache, engine: session.engine, stateFile: path.join(dir, 'cache', 'batches.json'), run: { id: 'r1', cwd: dir, argv: [] }, pollMaxMs: 10, progress: null, note: () => {}, limits: { maxRequests: 7 } },
    );
    if (!('answers' in out)) throw new Error('interrupted');
    const asked = server.requests.slice(before);
    // 16 requests per model in jobs of at most 7: OpenAI takes 7 + 7 + 2. This Anthropic allows
    // only 4 per batch: it refuses the two jobs of 7 and runs the one of 2.
    const jobs = new Map<string, number>();
    for (const r of asked) jobs.set(`${r.protocol} ${r.batch}`, (jobs.get(`${r.protocol} ${r.batch}`) ?? 0) + 1);
    expect([...jobs].filter(([k]) => k.startsWith('openai')).map(([, n]) => n)).toEqual([7, 7, 2]);
    expect([...jobs].filter(([k]) => k.startsWith('anthropic')).map(([, n]) => n)).toEqual([2]);
    expect(new Set(asked.filter((r) => r.protocol === 'openai').map((r) => JSON.stringify(r.body.messages))).size).toBe(16);
    const { cacheKey } = await import('../../src/bench/cache.js');
    const { buildRequest } = await import('../../src/core/request.js');
    const claude = session.models[1];
    const key0 = cacheKey(claude, buildRequest(claude, { messages: cases[0].messages }), 1);
    expect(out.answers.error(key0)).toMatchObject({ kind: 'bad-request', status: 400 });
    expect(out.answers.error(key0)!.message).toMatch(/at most 4 items/);
    await cache.close();
    // The job inputs (they hold the prompts) are gone once sent.
    expect(readdirSync(path.join(dir, 'cache', 'batch-input'))).toEqual([]);
  }, 30_000);

  it('builders split at the byte limit too, and hand back a request too large for any job', async () => {
    const dir = tmp();
    const s = spec('http://x/v1');
    const model = { id: 'openai:m', model: 'm', options: {}, provider: s };
    const b = new JobBuilder(openaiBatch, s, dir, { maxRequests: 1000, maxBytes: 600 });
    for (let i = 0; i < 6; i++) await b.add({ key: `${i}`.padStart(64, '0'), model, request: { model: 'm', messages: [{ role: 'user', content: `question ${i}` }] } });
    await b.add({ key: 'f'.repeat(64), model, request: { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(700) }] } });
    await b.finish();
    expect(b.tooLarge.map((t) => t.key)).toEqual(['f'.repeat(64)]);
    expect(b.done.length).toBeGreaterThan(1);
    expect(b.done.reduce((a, d) => a + d.count, 0)).toBe(6);
    for (const d of b.done) expect(d.bytes).toBeLessThanOrEqual(600);
  });

  it('the mock server validates inputs as the providers do', async () => {
    const s = spec(server.baseUrls.openai, 'openai', 'k');
    const dup = path.join(tmp(), 'in.jsonl');
    const line = (id: string) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [] } });
    writeFileSync(dup, `${line('a')}\n${line('a')}\n`);
    const job = await openaiBatch.submit(s, 'm', { file: dup, count: 2, bytes: 0 }, {});
    const st = await openaiBatch.poll(s, { id: job.id } as JobRecord, {});
    expect(st).toMatchObject({ state: 'failed', error: expect.stringMatching(/^line 2: The custom_id 'a' is duplicated/) });
    // Anthropic refuses a custom id that is not 1–64 of [a-zA-Z0-9_-] at create time.
    const a = spec(server.baseUrls.anthropic, 'anthropic', 'k');
    const bad = path.join(tmp(), 'a.json');
    const body = JSON.stringify({ requests: [{ custom_id: 'has space', params: { model: 'm', max_tokens: 5, messages: [] } }] });
    writeFileSync(bad, body);
    await expect(anthropicBatch.submit(a, 'm', { file: bad, count: 1, bytes: Buffer.byteLength(body) }, {})).rejects.toThrow(/HTTP 400.*custom_id: String should match pattern/);
  });

  it('never follows a redirect with the key, nor sends it to a results URL on another origin', async () => {
    const elsewhere = await startRawServer({ status: 200, body: '{"custom_id":"x","result":{"type":"succeeded"}}\n' });
    const raw = await startRawServer((req): import('../helpers/raw-server.js').RawResponse =>
      req.url.includes('/results')
        ? { status: 200, body: '' }
        : req.url.endsWith('/msgbatch_1')
          ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'msgbatch_1', processing_status: 'ended', request_counts: {}, results_url: `${elsewhere.url}/steal` }) }
          : { status: 307, headers: { location: `${elsewhere.url}/v1/messages/batches` }, body: '' },
    );
    try {
      const s = spec(raw.url, 'anthropic');
      const job = { id: 'msgbatch_1', model: 'anthropic:m' } as JobRecord;
      await expect((async () => {
        for await (const _ of anthropicBatch.results(s, job, {})) void _;
      })()).rejects.toThrow(/results URL on another origin \(http:\/\/127\.0\.0\.1:\d+\); mmr sends your key only to/);
      await expect(call(s, `${raw.url}/v1/messages/batches/other`)).rejects.toThrow(/redirect \(HTTP 307\); mmr does not follow it with your key/);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await raw.close();
      await elsewhere.close();
    }
  });

  it('the state file: validated when read, an invalid one set aside (never overwritten), no key in it', async () => {
    const dir = tmp();
    const file = path.join(dir, 'batches.json');
    expect(parseState('{"v":1,"runs":[{"id":"r","cwd":"/x","argv":[],"createdAt":1,"jobs":[{"id":"batch\\u001b[2J","provider":"openai","protocol":"openai","baseUrl":"http://x","model":"openai:m","requests":1,"submittedAt":1}]}]}')).toBeNull();
    await updateState(file, (s) => void s.runs.push({ id: 'r', cwd: dir, argv: ['bench', 'x.jsonl'], createdAt: 1, jobs: [{ id: 'batch_1', provider: 'openai', protocol: 'openai', baseUrl: 'http://x/v1', model: 'openai:m', requests: 3, submittedAt: 5, keys: ['k1', 'k2'] }] }));
    const back = await readState(file);
    expect(back.runs[0].jobs[0]).toEqual({ id: 'batch_1', provider: 'openai', protocol: 'openai', baseUrl: 'http://x/v1', model: 'openai:m', requests: 3, submittedAt: 5 });
    writeFileSync(file, '{"v":1,"runs":"not a list"}');
    await expect(readState(file)).rejects.toThrow(/was not valid and was moved to .*batches\.json\.invalid-\d+; the batch jobs it named may still be running/);
    expect(readdirSync(dir).some((f) => f.startsWith('batches.json.invalid-'))).toBe(true);
  });

  it('polls within 2 s of submitting, then backs off by half each time up to the longest wait', async () => {
    const waits: number[] = [];
    let polls = 0;
    const job = { id: 'j', model: 'm' } as JobRecord;
    const r = await pollJobs([job], {
      pollMaxMs: 60_000,
      progress: null,
      note: () => {},
      sleep: async (ms) => (waits.push(ms), true),
      spec: () => spec('http://x'),
      api: () => ({ ...openaiBatch, poll: async () => ({ state: ++polls >= 12 ? 'completed' : 'running', raw: 'x', total: 1, done: 0, failed: 0 }) }),
      onEnded: async () => {},
      save: async () => {},
    });
    expect(r).toBe('done');
    expect(waits[0]).toBe(2000);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBe(Math.min(60_000, waits[i - 1] * 1.5));
    expect(waits.at(-1)).toBe(60_000);
    // A smaller --poll-interval caps the first wait too.
    const fast: number[] = [];
    await pollJobs([job], { pollMaxMs: 50, progress: null, note: () => {}, sleep: async (ms) => (fast.push(ms), true), spec: () => spec('http://x'), api: () => ({ ...openaiBatch, poll: async () => ({ state: 'completed', raw: 'x', total: 1, done: 1, failed: 0 }) }), onEnded: async () => {}, save: async () => {} });
    expect(fast).toEqual([50]);
  });
});

describe('batchApiFor: which models go to a batch API', () => {
  it('OpenAI, Anthropic and Gemini with their keys do; Azure, local servers and providers without a key run live', async () => {
    const { batchApiFor } = await import('../../src/batch/apis.js');
    const { resolveModel } = await import('../../src/config/resolve-model.js');
    const { emptyConfig } = await import('../../src/config/schema.js');
    const env = { OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k', GEMINI_API_KEY: 'k', AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com/' };
    const api = (ref: string, e: Record<string, string> = env) => batchApiFor(resolveModel(ref, emptyConfig(), e));
    expect(api('openai:gpt-4o-mini')).not.toBeNull();
    expect(api('anthropic:claude-haiku-4-5')).not.toBeNull();
    expect(api('gemini:gemini-2.5-flash')).not.toBeNull();
    expect(api('azure:my-4o')).toBeNull();
    expect(api('ollama:llama3.2')).toBeNull();
    expect(api('openai:gpt-4o-mini', {})).toBeNull();
  });
});
