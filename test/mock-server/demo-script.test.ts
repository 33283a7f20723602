import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultDemoPrompt,
  demoReply,
  loadDemoAnswers,
  startMockServer,
  type MockProtocol,
  type MockRequestInfo,
  type MockServer,
} from '../../src/mock-server/index.js';
import { chat, parseSse, post } from './helpers.js';

const ANSWERS = fileURLToPath(new URL('../../fixtures/demo/answers.json', import.meta.url));
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5', 'gemini:gemini-2.5-flash', 'ollama:llama3.2'];
const answers = loadDemoAnswers(ANSWERS);

function info(protocol: MockProtocol, model: string, prompt: string): MockRequestInfo {
  const body = protocol === 'gemini' ? { contents: [{ role: 'user', parts: [{ text: prompt }] }] } : chat(prompt, { model });
  return { protocol, model, stream: true, body, headers: {}, path: '/', attempt: 1 };
}

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('fixtures/demo/answers.json', () => {
  it('has 3–4 prompts, the default first, each answered by the four demo models with distinct texts', () => {
    expect(answers.prompts.length).toBeGreaterThanOrEqual(3);
    expect(answers.prompts.length).toBeLessThanOrEqual(4);
    expect(defaultDemoPrompt(answers)).toBe('Explain the difference between a process and a thread in two sentences.');
    for (const p of answers.prompts) {
      expect(Object.keys(p.answers).sort()).toEqual([...MODELS].sort());
      const texts = Object.values(p.answers).map((a) => a.text);
      expect(new Set(texts).size).toBe(texts.length);
      for (const a of Object.values(p.answers)) {
        expect(a.usage.output).toBeGreaterThan(0);
        expect(a.latency.tokensPerSecond).toBeGreaterThan(0);
      }
    }
    expect(answers.prompts.some((p) => Object.values(p.answers).some((a) => a.text.includes('```sql')))).toBe(true);
  });

  it('loadDemoAnswers names the file and the bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-demo-'));
    const file = join(dir, 'answers.json');
    writeFileSync(file, JSON.stringify({ version: 1, prompts: [{ prompt: 'p', answers: { 'openai:x': { text: 'a', usage: { input: 1 } } } }] }));
    expect(() => loadDemoAnswers(file)).toThrow(`${file}: prompts[0].answers["openai:x"].usage`);
    writeFileSync(file, '{oops');
    expect(() => loadDemoAnswers(file)).toThrow(file);
  });
});

describe('demoReply', () => {
  it('picks the prompt by the last user message: exact, then closest, then the first', () => {
    const sql = answers.prompts.find((p) => p.prompt.includes('SQL'))!;
    expect(demoReply(answers, info('openai', 'gpt-4o-mini', sql.prompt), { timeScale: 0 }).text).toBe(sql.answers['openai:gpt-4o-mini'].text);
    const fuzzy = demoReply(answers, info('anthropic', 'claude-haiku-4-5', 'sql query: top 5 customers by revenue please'), { timeScale: 0 });
    expect(fuzzy.text).toBe(sql.answers['anthropic:claude-haiku-4-5'].text);
    const none = demoReply(answers, info('gemini', 'gemini-2.5-flash', 'zzz qqq'), { timeScale: 0 });
    expect(none.text).toBe(answers.prompts[0].answers['gemini:gemini-2.5-flash'].text);
  });

  it('picks the answer by model, accepting ollama :latest and falling back to the same provider', () => {
    const p = answers.prompts[0];
    expect(demoReply(answers, info('ollama', 'llama3.2:latest', p.prompt)).text).toBe(p.answers['ollama:llama3.2'].text);
    expect(demoReply(answers, info('openai', 'gpt-4.1', p.prompt)).text).toBe(p.answers['openai:gpt-4o-mini'].text);
  });

  it('turns the latency profile into delays that reproduce ttft and tokens/second', () => {
    for (const p of answers.prompts) {
      for (const [id, a] of Object.entries(p.answers)) {
        const [protocol, model] = id.split(/:(.*)/s) as [MockProtocol, string];
        const r = demoReply(answers, info(protocol, model, p.prompt));
        expect(r.usage).toEqual({ input: a.usage.input, output: a.usage.output });
        expect((r.headerDelayMs ?? 0) + (r.firstChunkDelayMs ?? 0)).toBeCloseTo(a.latency.ttftMs, -1);
        const deltas = Math.ceil(Array.from(a.text).length / r.deltaChars!);
        const streamSeconds = (Math.max(1, deltas - 1) * r.chunkDelayMs!) / 1000;
        const tps = a.usage.output / streamSeconds;
        expect(tps / a.latency.tokensPerSecond).toBeGreaterThan(0.75);
        expect(tps / a.latency.tokensPerSecond).toBeLessThan(1.35);
      }
    }
    const fast = demoReply(answers, info('openai', 'gpt-4o-mini', 'x'), { timeScale: 0 });
    expect([fast.headerDelayMs, fast.firstChunkDelayMs, fast.chunkDelayMs]).toEqual([0, 0, 0]);
  });

  it('serves every demo model through the real server', async () => {
    server = await startMockServer({ reply: (req) => demoReply(answers, req, { timeScale: 0 }) });
    const prompt = answers.prompts[1].prompt;
    const openai = await (await post(`${server.baseUrls.openai}/chat/completions`, chat(prompt, { model: 'gpt-4o-mini', stream: false }))).json();
    expect(openai.choices[0].message.content).toBe(answers.prompts[1].answers['openai:gpt-4o-mini'].text);
    const sse = await (await post(`${server.baseUrls.anthropic}/v1/messages`, chat(prompt, { model: 'claude-haiku-4-5', stream: true, max_tokens: 500 }))).text();
    const text = parseSse(sse)
      .map((e) => JSON.parse(e.data))
      .filter((d) => d.type === 'content_block_delta')
      .map((d) => d.delta.text)
      .join('');
    expect(text).toBe(answers.prompts[1].answers['anthropic:claude-haiku-4-5'].text);
  });
});
