import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockReply, type MockServer } from '../../src/mock-server/index.js';
import { chat, get, post } from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(reply: MockReply, extra: { ollamaModels?: string[]; apiKey?: string } = {}) {
  server = await startMockServer({ reply: () => reply, ...extra });
  return server;
}

function ndjson(body: string): any[] {
  expect(body.endsWith('\n')).toBe(true);
  return body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

describe('ollama /api/chat', () => {
  it('streams NDJSON by default (stream omitted) and ends with a done line carrying counts', async () => {
    const s = await start({ text: 'Okay, here we go!\n\n1, 2, 3', usage: { input: 16, output: 22 } });
    const res = await post(`${s.baseUrls.ollama}/api/chat`, chat('Count', { model: 'llama3.2' }));
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = ndjson(await res.text());
    const body = lines.slice(0, -1);
    const final = lines[lines.length - 1];
    expect(body.every((l) => l.done === false && l.model === 'llama3.2' && l.message.role === 'assistant' && typeof l.created_at === 'string')).toBe(true);
    expect(body.map((l) => l.message.content).join('')).toBe('Okay, here we go!\n\n1, 2, 3');
    expect(final).toMatchObject({ done: true, done_reason: 'stop', prompt_eval_count: 16, eval_count: 22, message: { role: 'assistant', content: '' } });
    for (const k of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration']) expect(final[k]).toBeGreaterThan(0);
    expect(s.requests[0].stream).toBe(true);
  });

  it('streams thinking in message.thinking before content, and done_reason length', async () => {
    const s = await start({ text: 'Yes.', reasoning: 'Hmm, think.', finish: 'length' });
    const lines = ndjson(await (await post(`${s.baseUrls.ollama}/api/chat`, chat('q', { model: 'llama3.2', stream: true }))).text());
    const thinking = lines.filter((l) => l.message?.thinking);
    expect(thinking.map((l) => l.message.thinking).join('')).toBe('Hmm, think.');
    expect(lines.findIndex((l) => l.message?.content)).toBeGreaterThan(lines.lastIndexOf(thinking[thinking.length - 1]));
    expect(lines[lines.length - 1].done_reason).toBe('length');
  });

  it('answers stream:false with one JSON object', async () => {
    const s = await start({ text: 'Hi there', usage: { input: 5, output: 2 } });
    const res = await post(`${s.baseUrls.ollama}/api/chat`, chat('q', { model: 'llama3.2', stream: false }));
    const json = await res.json();
    expect(json).toMatchObject({ model: 'llama3.2', message: { role: 'assistant', content: 'Hi there' }, done: true, done_reason: 'stop', eval_count: 2 });
    expect(s.requests[0].stream).toBe(false);
  });

  it('sends an {"error"} line for streamError', async () => {
    const s = await start({ text: 'abcdefgh', deltaChars: 2, streamError: { afterDeltas: 1, message: 'llama runner process has terminated' } });
    const lines = ndjson(await (await post(`${s.baseUrls.ollama}/api/chat`, chat('q', { model: 'llama3.2' }))).text());
    expect(lines).toHaveLength(2);
    expect(lines[1]).toEqual({ error: 'llama runner process has terminated' });
  });

  it('never checks API keys (a local Ollama has none)', async () => {
    const s = await start({ text: 'ok' }, { apiKey: 'secret' });
    const res = await post(`${s.baseUrls.ollama}/api/chat`, chat('q', { model: 'llama3.2', stream: false }));
    expect(res.status).toBe(200);
    await res.text();
  });
});

describe('ollama models', () => {
  it('lists llama3.2 by default in /api/tags', async () => {
    const s = await start({});
    const json = await (await get(`${s.baseUrls.ollama}/api/tags`)).json();
    expect(json.models.map((m: any) => m.name)).toEqual(['llama3.2:latest']);
    expect(json.models[0]).toHaveProperty('model', 'llama3.2:latest');
    expect(json.models[0]).toHaveProperty('details');
    expect(s.requests).toHaveLength(0);
  });

  it('404s a model missing from ollamaModels with the real message, on both endpoints', async () => {
    const s = await start({ text: 'ok' }, { ollamaModels: ['llama3.2', 'qwen2.5-coder:7b'] });
    expect((await (await get(`${s.baseUrls.ollama}/api/tags`)).json()).models.map((m: any) => m.name)).toEqual([
      'llama3.2:latest',
      'qwen2.5-coder:7b',
    ]);
    const missing = await post(`${s.baseUrls.ollama}/api/chat`, chat('q', { model: 'mistral' }));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'model "mistral" not found, try pulling it first' });
    const v1 = await post(`${s.baseUrls.ollama}/v1/chat/completions`, chat('q', { model: 'mistral' }));
    expect(v1.status).toBe(404);
    expect((await v1.json()).error.message).toBe('model "mistral" not found, try pulling it first');
    for (const model of ['llama3.2', 'llama3.2:latest', 'qwen2.5-coder:7b']) {
      const ok = await post(`${s.baseUrls.ollama}/api/chat`, chat('q', { model, stream: false }));
      expect(ok.status).toBe(200);
      await ok.text();
    }
  });

  it('answers the root and /api/version like a running Ollama', async () => {
    const s = await start({});
    expect(await (await get(`${s.baseUrls.ollama}/`)).text()).toBe('Ollama is running');
    expect((await (await get(`${s.baseUrls.ollama}/api/version`)).json()).version).toMatch(/^\d+\.\d+/);
  });
});
