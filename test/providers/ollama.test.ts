import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ollamaRequest } from '../../src/providers/ollama.js';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';
import { collect, NDJSON_HEADERS, outcome, specFor } from './support.js';

const line = (content: string, extra: object = {}) => JSON.stringify({ model: 'm', message: { role: 'assistant', content, ...extra }, done: false });
const done = (extra: object = {}) => JSON.stringify({ model: 'm', message: { role: 'assistant', content: '' }, done: true, prompt_eval_count: 16, eval_count: 22, ...extra });

let server: RawServer;
beforeAll(async () => {
  server = await startRawServer();
});
afterAll(() => server.close());

describe('ollama request', () => {
  it('POSTs /api/chat with options mapped to Ollama names and no auth header', async () => {
    server.respond({ headers: NDJSON_HEADERS, body: `${done({ done_reason: 'stop' })}\n` });
    await collect('ollama', specFor('ollama', server.url), {
      model: 'llama3.2:1b',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0,
      maxTokens: 50,
      topP: 0.5,
      stop: ['\n\n'],
    });
    const req = server.requests.at(-1)!;
    expect(req.url).toBe('/api/chat');
    expect(req.headers.authorization).toBeUndefined();
    expect(JSON.parse(req.body)).toEqual({
      model: 'llama3.2:1b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
      options: { temperature: 0, num_predict: 50, top_p: 0.5, stop: ['\n\n'] },
    });
  });

  it('omits options when none are set', () => {
    const call = ollamaRequest(specFor('ollama', 'http://localhost:11434/'), { model: 'm', messages: [] });
    expect(call.url).toBe('http://localhost:11434/api/chat');
    expect(call.body).toEqual({ model: 'm', messages: [], stream: true });
  });
});

describe('ollama stream', () => {
  it('maps thinking to reasoning, content to text, and the done line to finish and usage', async () => {
    const body = [line('', { thinking: 'hmm' }), line('Hi'), line(' there'), done({ done_reason: 'length' })].join('\r\n');
    server.respond({ headers: NDJSON_HEADERS, body }); // CRLF and no final newline
    const o = outcome(await collect('ollama', specFor('ollama', server.url)));
    expect(o.reasoning).toBe('hmm');
    expect(o.text).toBe('Hi there');
    expect(o.finish?.finishReason).toEqual({ unified: 'length', raw: 'length' });
    expect(o.finish?.usage).toEqual({ inputTokens: 16, outputTokens: 22, raw: { prompt_eval_count: 16, eval_count: 22 } });
  });

  it('reports a done line without done_reason (old Ollama) as unknown', async () => {
    server.respond({ headers: NDJSON_HEADERS, body: `${line('x')}\n${done()}\n` });
    expect(outcome(await collect('ollama', specFor('ollama', server.url))).finish?.finishReason).toEqual({ unified: 'unknown', raw: null });
  });

  it('turns an {"error"} line mid-stream into an error event', async () => {
    server.respond({ headers: NDJSON_HEADERS, body: `${line('par')}\n{"error":"an error was encountered while running the model"}\n` });
    const o = outcome(await collect('ollama', specFor('ollama', server.url)));
    expect(o.text).toBe('par');
    expect(o.error).toMatchObject({ kind: 'server', retryable: true, message: expect.stringContaining('running the model') });
  });

  it('404 model not found → hint to ollama pull the model', async () => {
    server.respond({ status: 404, headers: { 'content-type': 'application/json' }, body: `{"error":"model 'qwen3:4b' not found"}` });
    const o = outcome(await collect('ollama', specFor('ollama', server.url), { model: 'qwen3:4b', messages: [{ role: 'user', content: 'x' }] }));
    expect(o.error).toMatchObject({ kind: 'bad-request', status: 404, retryable: false });
    expect(o.error?.message).toContain("model 'qwen3:4b' not found");
    expect(o.error?.hint).toContain('ollama pull qwen3:4b');
  });

  it('reads a complete (stream: false style) JSON answer', async () => {
    server.respond({ headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ message: { role: 'assistant', content: 'all at once' }, done: true, done_reason: 'stop', prompt_eval_count: 1, eval_count: 3 }) });
    const o = outcome(await collect('ollama', specFor('ollama', server.url)));
    expect(o.text).toBe('all at once');
    expect(o.finish?.usage.outputTokens).toBe(3);
  });
});
