/**
 * Azure OpenAI: the `azure:<deployment>` preset from AZURE_OPENAI_API_KEY / AZURE_OPENAI_ENDPOINT /
 * OPENAI_API_VERSION, deployment URLs and the `api-key` header, against the mock server's Azure
 * endpoints (an empty first chunk with only prompt filter results, content_filter on choices).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/schema.js';
import type { ModelRequest } from '../../src/core/types.js';
import { resolveModel } from '../../src/config/resolve-model.js';
import { startMockServer, type MockReply, type MockServer } from '../../src/mock-server/index.js';
import { openaiAdapter } from '../../src/providers/openai-compatible.js';
import { AZURE_API_VERSIONS, openaiUrl } from '../../src/providers/openai-urls.js';
import { responsesAdapter } from '../../src/providers/responses.js';
import type { ProviderAdapter, ProviderSpec } from '../../src/providers/provider.js';
import { errorOf, outcome, SECRET_KEY } from './support.js';

let server: MockServer;
let reply: MockReply = {};
beforeAll(async () => {
  server = await startMockServer({ reply: () => reply, apiKey: SECRET_KEY, azureDeployments: ['my-4o', 'my-o3-pro'] });
});
afterAll(() => server.close());

const env = (over: Record<string, string> = {}) => ({ AZURE_OPENAI_API_KEY: SECRET_KEY, AZURE_OPENAI_ENDPOINT: `${server.baseUrls.azure}/`, ...over });
const run = async (adapter: ProviderAdapter, spec: ProviderSpec, request: ModelRequest) => {
  const events = [];
  for await (const e of adapter.stream(spec, request, { signal: new AbortController().signal })) events.push(e);
  return events;
};
const ask = (model: string): ModelRequest => ({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('azure preset', () => {
  it('resolves azure:<deployment> from the environment: the endpoint root, the key, and OPENAI_API_VERSION', () => {
    const m = resolveModel('azure:my-4o', emptyConfig(), env({ AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com/openai/', OPENAI_API_VERSION: '2024-06-01' }));
    expect(m.provider).toMatchObject({ id: 'azure', protocol: 'openai', baseUrl: 'https://res.openai.azure.com', apiKey: SECRET_KEY, azure: { apiVersion: '2024-06-01' } });
    expect(openaiUrl(m.provider, 'chat', 'my-4o')).toBe('https://res.openai.azure.com/openai/deployments/my-4o/chat/completions?api-version=2024-06-01');
  });

  it('builds deployment, Responses and listing URLs, with each API\'s default api-version; the v1 API takes OpenAI\'s paths', () => {
    const spec: ProviderSpec = { id: 'azure', protocol: 'openai', baseUrl: 'https://res.openai.azure.com', keyEnv: [], needsKey: true, azure: {} };
    expect(openaiUrl(spec, 'chat', 'a/b')).toBe(`https://res.openai.azure.com/openai/deployments/a%2Fb/chat/completions?api-version=${AZURE_API_VERSIONS.chat}`);
    expect(openaiUrl(spec, 'responses', 'dep')).toBe(`https://res.openai.azure.com/openai/responses?api-version=${AZURE_API_VERSIONS.responses}`);
    expect(openaiUrl(spec, 'models')).toBe(`https://res.openai.azure.com/openai/models?api-version=${AZURE_API_VERSIONS.models}`);
    const v1 = { ...spec, baseUrl: 'https://res.openai.azure.com/openai/v1' };
    expect(openaiUrl(v1, 'chat', 'dep')).toBe('https://res.openai.azure.com/openai/v1/chat/completions');
  });

  it('streams a deployment\'s answer: api-key header, no bearer, the empty filter chunk skipped, usage from the last chunk', async () => {
    reply = { text: 'Hello from Azure', reasoning: '', usage: { input: 12, output: 40, reasoning: 32 } };
    const m = resolveModel('azure:my-4o', emptyConfig(), env());
    const o = outcome(await run(openaiAdapter, m.provider, { ...ask('my-4o'), maxTokens: 64 }));
    expect(o.text).toBe('Hello from Azure');
    expect(o.finish?.finishReason).toEqual({ raw: 'stop', unified: 'stop' });
    expect(o.finish?.usage).toMatchObject({ inputTokens: 12, outputTokens: 40, reasoningTokens: 32 });
    const seen = server.requests.at(-1)!;
    expect(seen.path).toBe(`/azure/openai/deployments/my-4o/chat/completions?api-version=${AZURE_API_VERSIONS.chat}`);
    expect(seen.headers['api-key']).toBe(SECRET_KEY);
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.body.max_completion_tokens).toBe(64);
  });

  it('a content_filter finish is a content-filter stop; a filtered prompt is a 400 whose hint names the filter', async () => {
    reply = { text: 'Partial', finish: 'content-filter' };
    const m = resolveModel('azure:my-4o', emptyConfig(), env());
    expect(outcome(await run(openaiAdapter, m.provider, ask('my-4o'))).finish?.finishReason).toEqual({ raw: 'content_filter', unified: 'content-filter' });
    reply = { status: 400, errorMessage: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy." };
    const e = errorOf(await run(openaiAdapter, m.provider, ask('my-4o')));
    expect(e).toMatchObject({ kind: 'bad-request', status: 400, code: 'content_filter', retryable: false });
    expect(e.hint).toContain('content filter');
  });

  it('a deployment that does not exist, a wrong key, and no endpoint at all are clear errors', async () => {
    reply = { text: 'x' };
    const missing = errorOf(await run(openaiAdapter, resolveModel('azure:nope', emptyConfig(), env()).provider, ask('nope')));
    expect(missing).toMatchObject({ status: 404, code: 'DeploymentNotFound' });
    const denied = errorOf(await run(openaiAdapter, resolveModel('azure:my-4o', emptyConfig(), env({ AZURE_OPENAI_API_KEY: 'wrong-key-123456' })).provider, ask('my-4o')));
    expect(denied).toMatchObject({ kind: 'auth', status: 401 });
    expect(denied.hint).toContain('AZURE_OPENAI_API_KEY');
    const noEndpoint = resolveModel('azure:my-4o', emptyConfig(), { AZURE_OPENAI_API_KEY: SECRET_KEY });
    const e = errorOf(await run(openaiAdapter, noEndpoint.provider, ask('my-4o')));
    expect(e).toMatchObject({ kind: 'config', message: 'no endpoint for provider azure' });
    expect(e.hint).toContain('AZURE_OPENAI_ENDPOINT');
  });

  it('a Responses-only model on Azure goes to /openai/responses with the deployment as the model', async () => {
    reply = { text: 'pro answer', reasoning: 'thought' };
    const m = resolveModel('azure:my-o3-pro', emptyConfig(), env());
    expect(m.provider.protocol).toBe('openai');
    const pro = resolveModel('azure:o3-pro', emptyConfig(), env());
    expect(pro.provider.protocol).toBe('openai-responses');
    const o = outcome(await run(responsesAdapter, pro.provider, ask('o3-pro')));
    expect([o.reasoning, o.text]).toEqual(['thought', 'pro answer']);
    const seen = server.requests.at(-1)!;
    expect(seen.path).toBe(`/azure/openai/responses?api-version=${AZURE_API_VERSIONS.responses}`);
    expect(seen.body.model).toBe('o3-pro');
    expect(seen.headers['api-key']).toBe(SECRET_KEY);
  });
});
