/**
 * mmr serve end to end with the official SDKs as clients: the built binary in front of the
 * project's local provider server, each client routed by a rule to an upstream of the other
 * protocol, streaming and not, with errors as each SDK's own types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startMockServer, type MockReply, type MockRequestInfo, type MockServer } from '../../src/mock-server/index.js';
import { CONFIG, KEY, serve, type Served } from './harness.js';

let mock: MockServer;
let srv: Served;
const reply = (req: MockRequestInfo): MockReply => {
  if (req.model === 'down') return { status: 503, errorMessage: 'The engine is currently overloaded' };
  if (req.model === 'limited') return { status: 429, headers: { 'retry-after': '3' } };
  return { text: `answer from ${req.protocol}:${req.model}`, usage: { input: 20, output: 7 }, chunkDelayMs: 2 };
};
const last = (protocol: string) => [...mock.requests].reverse().find((r) => r.protocol === protocol)!;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  mock = await startMockServer({ apiKey: KEY, reply: (r) => reply(r) });
  srv = await serve(mock, CONFIG);
  // The clients' own keys are not mmr's business on loopback; they must never reach a provider.
  openai = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: 'client-key-openai', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: srv.url, apiKey: 'client-key-anthropic', maxRetries: 0 });
});
afterAll(async () => {
  await srv?.stop();
  await mock?.close();
});

describe('OpenAI SDK → mmr serve → Anthropic upstream', () => {
  it('answers a non-streaming completion routed by a rule, with usage normalised and the x-mmr headers', async () => {
    const { data, response } = await openai.chat.completions
      .create({
        model: 'mmr/auto',
        messages: [
          { role: 'system', content: 'You write short poems.' },
          { role: 'user', content: 'hello' },
          { role: 'assistant', content: 'Hi! What shall I write?' },
          { role: 'user', content: [{ type: 'text', text: 'a poem about the sea' }] },
        ],
        temperature: 0.3,
        max_tokens: 64,
        stop: ['END'],
      })
      .withResponse();
    expect(data.choices[0].message.content).toBe('answer from anthropic:claude-haiku-4-5');
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(data.model).toBe('anthropic:claude-haiku-4-5');
    expect(data.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 });
    expect(response.headers.get('x-mmr-model')).toBe('anthropic:claude-haiku-4-5');
    expect(response.headers.get('x-mmr-route')).toBe('rule:to-anthropic');
    // claude-haiku-4-5 at $1 / $5 per 1M tokens (offline price data).
    expect(Number(response.headers.get('x-mmr-cost-usd'))).toBeCloseTo((20 * 1 + 7 * 5) / 1e6, 10);
    const up = last('anthropic');
    expect(up.body).toMatchObject({
      model: 'claude-haiku-4-5', system: 'You write short poems.', temperature: 0.3, max_tokens: 64, stop_sequences: ['END'],
      messages: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'Hi! What shall I write?' }, { role: 'user', content: 'a poem about the sea' }],
    });
    expect(up.headers['x-api-key']).toBe(KEY);
  });

  it('streams with stream_options.include_usage: deltas, a finish chunk, then usage in a chunk with no choices', async () => {
    const stream = await openai.chat.completions.create({
      model: 'auto',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'write me a poem' }],
    });
    let text = '';
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) {
      chunks.push(c);
      text += c.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('answer from anthropic:claude-haiku-4-5');
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 7 });
    expect(last('anthropic').stream).toBe(true);
  });

  it('streams without usage when the client does not ask for it', async () => {
    const stream = await openai.chat.completions.create({ model: 'claude', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('answer from anthropic:claude-haiku-4-5');
  });

  it('lists mmr/auto, the aliases and the configured models', async () => {
    const ids = [];
    for await (const m of openai.models.list()) ids.push(m.id);
    expect(ids[0]).toBe('mmr/auto');
    expect(ids).toEqual(expect.arrayContaining(['fast', 'claude', 'auto', 'openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5', 'openai:down']));
    const anthropicIds = (await anthropic.models.list()).data.map((m) => m.id);
    expect(anthropicIds).toEqual(ids);
  });

  it('reads request paths as URLs: trailing slashes, queries, dot segments and escapes', async () => {
    const get = async (p: string) => {
      const r = await fetch(`${srv.url}${p}`);
      return `${r.status} ${r.status === 200 ? ((await r.json()) as { id?: string }).id ?? 'list' : ''}`.trim();
    };
    expect(await get('/v1/models/')).toBe('200 list');
    expect(await get('/v1/models?limit=5')).toBe('200 list');
    expect(await get('/v1/./models/fast')).toBe('200 fast');
    expect(await get('/v1/models/openai:gpt-4o-mini/')).toBe('200 openai:gpt-4o-mini');
    expect(await get('/v1/models/mmr%2Fauto')).toBe('200 mmr/auto');
    expect(await get('/v1/models/nope')).toBe('404');
    expect(await get('/v1/chat/completions')).toBe('405');
    expect(await get('/v2/anything')).toBe('404');
  });
});

describe('Anthropic SDK → mmr serve → OpenAI upstream', () => {
  it('answers a non-streaming message routed by a rule', async () => {
    const { data, response } = await anthropic.messages
      .create({
        model: 'mmr/auto',
        max_tokens: 100,
        system: [{ type: 'text', text: 'You write SQL.' }],
        messages: [{ role: 'user', content: 'an sql query for the top customers' }],
        stop_sequences: [';'],
        // Not in this SDK's types any more (newer Claude models ignore it); the API still takes it.
        ...({ temperature: 0.2 } as object),
      })
      .withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'answer from openai:gpt-4o-mini' }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage).toMatchObject({ input_tokens: 20, output_tokens: 7 });
    expect(response.headers.get('x-mmr-route')).toBe('rule:to-openai');
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    const up = last('openai');
    expect(up.body).toMatchObject({
      model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 100, stop: [';'],
      messages: [{ role: 'system', content: 'You write SQL.' }, { role: 'user', content: 'an sql query for the top customers' }],
    });
    expect(up.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('streams the full event sequence; the SDK assembles the message with the cumulative usage', async () => {
    const s = anthropic.messages.stream({ model: 'auto', max_tokens: 50, messages: [{ role: 'user', content: 'sql please' }] });
    const types: string[] = [];
    s.on('streamEvent', (e) => types.push(e.type));
    const msg = await s.finalMessage();
    expect(msg.content).toHaveLength(1);
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'answer from openai:gpt-4o-mini' });
    expect(msg.usage).toMatchObject({ input_tokens: 20, output_tokens: 7 });
    expect(msg.stop_reason).toBe('end_turn');
    expect(types[0]).toBe('message_start');
    expect(types[1]).toBe('content_block_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(types.filter((t) => t === 'content_block_delta').length).toBeGreaterThan(2);

    // The SDK drops pings; the raw stream has one after content_block_start, as Anthropic sends.
    const res = await fetch(`${srv.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fast', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] }) });
    const events = [...(await res.text()).matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(events.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(res.headers.get('x-mmr-model')).toBe('openai:gpt-4o-mini');
  });
});

describe('routing, fallback and cost cap over HTTP', () => {
  it('falls back when the routed model is unavailable and says so in the headers', async () => {
    const { data, response } = await openai.chat.completions.create({ model: 'mmr/auto', messages: [{ role: 'user', content: 'is there an outage?' }] }).withResponse();
    expect(data.choices[0].message.content).toBe('answer from anthropic:claude-haiku-4-5');
    expect(response.headers.get('x-mmr-fallback-from')).toBe('openai:down');
    expect(response.headers.get('x-mmr-model')).toBe('anthropic:claude-haiku-4-5');
    expect(response.headers.get('x-mmr-route')).toBe('rule:failover');
  });

  it("refuses a request whose estimated cost exceeds the rule's maxCostUsd, before calling the model", async () => {
    const before = mock.requests.filter((r) => r.model === 'gpt-4o').length;
    const err = await anthropic.messages.create({ model: 'mmr/auto', max_tokens: 1000, messages: [{ role: 'user', content: 'write an essay' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toMatch(/maxCostUsd \$0\.0001; not sent/);
    expect(mock.requests.filter((r) => r.model === 'gpt-4o').length).toBe(before);
  });
});

describe('errors in each SDK’s own types', () => {
  it('400 for a model mmr does not know, naming the known ones', async () => {
    const e1 = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(e1).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e1.message).toMatch(/unknown model "gpt-4o".*Known: mmr\/auto, .*fast/);
    expect(e1.code).toBe('model_not_found');
    const e2 = await anthropic.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(e2).toBeInstanceOf(Anthropic.BadRequestError);
    expect(e2.error.error.type).toBe('invalid_request_error');
  });

  it('429 with Retry-After, which the SDK retry logic honours', async () => {
    const e = await openai.chat.completions.create({ model: 'openai:limited', messages: [{ role: 'user', content: 'x' }] }).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    expect(e.headers.get('retry-after')).toBe('3');
    const a = await anthropic.messages.create({ model: 'openai:limited', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((x) => x);
    expect(a).toBeInstanceOf(Anthropic.RateLimitError);
    expect(a.error.error.type).toBe('rate_limit_error');
    // With retries on, the SDK waits Retry-After and asks again: two upstream calls for one create().
    const before = mock.requests.filter((r) => r.model === 'limited').length;
    const retrying = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: 'x', maxRetries: 1 });
    const started = Date.now();
    await retrying.chat.completions.create({ model: 'openai:limited', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
    expect(mock.requests.filter((r) => r.model === 'limited').length - before).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  });

  it('overload is 503 for OpenAI clients and 529 for Anthropic clients', async () => {
    const o = await openai.chat.completions.create({ model: 'openai:down', messages: [{ role: 'user', content: 'x' }] }).catch((x) => x);
    expect(o).toBeInstanceOf(OpenAI.InternalServerError);
    expect(o.status).toBe(503);
    const a = await anthropic.messages.create({ model: 'openai:down', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((x) => x);
    expect(a.status).toBe(529);
    expect(a.error.error.type).toBe('overloaded_error');
  });
});

describe('tools and images', () => {
  const tool = { type: 'function' as const, function: { name: 'weather', description: 'the weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

  it('passes tools through raw to an upstream of the same protocol, with mmr’s key instead of the client’s', async () => {
    const { data, response } = await openai.chat.completions.create({ model: 'fast', tools: [tool], messages: [{ role: 'user', content: 'weather in Paris?' }] }).withResponse();
    const up = last('openai');
    expect(up.body.tools).toEqual([tool]);
    expect(up.headers.authorization).toBe(`Bearer ${KEY}`);
    // The provider's own response, untouched: its id, not one mmr made.
    expect(data.id).not.toMatch(/req_/);
    expect(data.choices[0].message.content).toBe('answer from openai:gpt-4o-mini');
    expect(response.headers.get('x-mmr-model')).toBe('openai:gpt-4o-mini');
    expect(Number(response.headers.get('x-mmr-cost-usd'))).toBeGreaterThan(0);

    const stream = await openai.chat.completions.create({ model: 'fast', stream: true, tools: [tool], messages: [{ role: 'user', content: 'weather?' }] });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('answer from openai:gpt-4o-mini');
    // mmr asked the upstream for usage (for its log) and kept that extra chunk from the client.
    expect(last('openai').body.stream_options).toEqual({ include_usage: true });
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
  });

  it('refuses tools for an upstream of the other protocol with a clear 400', async () => {
    const e = await anthropic.messages
      .create({ model: 'fast', max_tokens: 10, tools: [{ name: 'weather', input_schema: { type: 'object' } }], messages: [{ role: 'user', content: 'x' }] })
      .catch((x) => x);
    expect(e).toBeInstanceOf(Anthropic.BadRequestError);
    expect(e.message).toMatch(/tools: mmr serve passes these only to a model that speaks the anthropic protocol.*openai:gpt-4o-mini \(openai\)/);
  });

  it('passes an inline image to an upstream of the other protocol; a broken image or an image URL is a 400 naming the part', async () => {
    const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const data = await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] }],
    });
    expect(data.choices[0].message.content).toBe('answer from anthropic:claude-haiku-4-5');
    expect(last('anthropic').body.messages).toEqual([
      { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'text', text: 'what is this?' }] },
    ]);
    const broken = await openai.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }] })
      .catch((x) => x);
    expect(broken).toBeInstanceOf(OpenAI.BadRequestError);
    expect(broken.message).toMatch(/messages\[0\]\.content\[1\]\.image_url: not a PNG, JPEG, GIF or WebP image/);
    const remote = await openai.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] })
      .catch((x) => x);
    expect(remote).toBeInstanceOf(OpenAI.BadRequestError);
    expect(remote.message).toMatch(/image URL \(messages\[0\]\.content\[0\]; only inline base64 images are translated\)/);
  });
});
