import { describe, expect, it } from 'vitest';
import { effortFor, parseReasoning } from '../../src/core/reasoning.js';
import type { ModelRequest, ReasoningSetting } from '../../src/core/types.js';
import { anthropicRequest } from '../../src/providers/anthropic.js';
import { geminiRequest } from '../../src/providers/gemini.js';
import { ollamaRequest } from '../../src/providers/ollama.js';
import { openaiRequest } from '../../src/providers/openai-compatible.js';
import type { ProviderSpec } from '../../src/providers/provider.js';
import { requestProblem } from '../../src/providers/request-check.js';
import { specFor } from './support.js';

const req = (model: string, reasoning?: ReasoningSetting, extra: Partial<ModelRequest> = {}): ModelRequest => ({ model, messages: [{ role: 'user', content: 'q' }], reasoning, ...extra });
const body = (b: unknown) => b as Record<string, any>;
const openai = specFor('openai', 'https://api.openai.com');

describe('the one reasoning setting', () => {
  it('reads off, the levels, and budgets in tokens; anything else is refused', () => {
    expect(['off', 'LOW', ' medium ', 'high', 'none', '0', '4096', 2048].map(parseReasoning)).toEqual(['off', 'low', 'medium', 'high', 'off', 'off', 4096, 2048]);
    for (const bad of ['max', '-1', '1.5', '', 2_000_000, true, null]) expect(parseReasoning(bad)).toBeUndefined();
  });

  it('a budget on an effort API is its nearest level', () => {
    expect([1024, 2048, 2049, 12288, 12289].map((n) => effortFor(n))).toEqual(['low', 'low', 'medium', 'medium', 'high']);
  });
});

describe('each provider\'s knob', () => {
  it('OpenAI and compatible servers: reasoning_effort; off is the model family\'s own word, or nothing for a model that does not reason', () => {
    expect(body(openaiRequest(openai, req('o4-mini', 'high')).body).reasoning_effort).toBe('high');
    expect(body(openaiRequest(openai, req('o4-mini', 20000)).body).reasoning_effort).toBe('high');
    expect(body(openaiRequest(openai, req('gpt-5-mini', 'off')).body).reasoning_effort).toBe('minimal');
    expect(body(openaiRequest(openai, req('gpt-5.1', 'off')).body).reasoning_effort).toBe('none');
    expect(body(openaiRequest(openai, req('gpt-4o', 'off')).body)).not.toHaveProperty('reasoning_effort');
    // Unknown to mmr: the parameter goes, and the server decides.
    const groq = specFor('openai', 'https://api.groq.com/openai', { id: 'groq' });
    expect(body(openaiRequest(groq, req('qwen/qwen3-32b', 'off')).body).reasoning_effort).toBe('none');
    expect(body(openaiRequest(groq, req('some-new-model', 'medium')).body).reasoning_effort).toBe('medium');
    expect(body(openaiRequest(openai, req('o4-mini')).body)).not.toHaveProperty('reasoning_effort');
  });

  it('OpenRouter: its reasoning object (effort, max_tokens, or enabled: false)', () => {
    const or: ProviderSpec = specFor('openai', 'https://openrouter.ai/api', { id: 'openrouter', reasoningParam: 'openrouter' });
    expect(body(openaiRequest(or, req('anthropic/claude-sonnet-4.5', 'low')).body).reasoning).toEqual({ effort: 'low' });
    expect(body(openaiRequest(or, req('anthropic/claude-sonnet-4.5', 3000)).body).reasoning).toEqual({ max_tokens: 3000 });
    expect(body(openaiRequest(or, req('deepseek/deepseek-r1', 'off')).body).reasoning).toEqual({ enabled: false });
    expect(body(openaiRequest(or, req('x', 'low')).body)).not.toHaveProperty('reasoning_effort');
  });

  it('Anthropic: thinking with budget_tokens, and max_tokens grows by the budget so the answer keeps its room', () => {
    const a = specFor('anthropic', 'http://x');
    expect(body(anthropicRequest(a, req('claude-haiku-4-5', 'medium')).body)).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 8192 }, max_tokens: 4096 + 8192 });
    expect(body(anthropicRequest(a, req('claude-sonnet-4-5', 2000, { maxTokens: 500 })).body)).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2000 }, max_tokens: 2500 });
    expect(body(anthropicRequest(a, req('claude-haiku-4-5', 'off')).body)).not.toHaveProperty('thinking');
  });

  it('Gemini: thinkingBudget on 2.5 (0 is off), thinkingLevel on 3, thoughts included when it thinks', () => {
    const g = specFor('gemini', 'http://x');
    const cfg = (model: string, r: ReasoningSetting) => body(geminiRequest(g, req(model, r)).body).generationConfig.thinkingConfig;
    expect(cfg('gemini-2.5-flash', 'low')).toEqual({ thinkingBudget: 1024, includeThoughts: true });
    expect(cfg('gemini-2.5-flash', 'off')).toEqual({ thinkingBudget: 0 });
    expect(cfg('gemini-2.5-pro', 5000)).toEqual({ thinkingBudget: 5000, includeThoughts: true });
    expect(cfg('gemini-3-pro-preview', 'high')).toEqual({ thinkingLevel: 'high', includeThoughts: true });
    expect(cfg('gemini-3-flash-preview', 'off')).toEqual({ thinkingLevel: 'minimal' });
    expect(body(geminiRequest(g, req('gemini-2.5-flash')).body)).not.toHaveProperty('generationConfig');
  });

  it('Ollama: think, a level for gpt-oss', () => {
    const o = specFor('ollama', 'http://x');
    expect(body(ollamaRequest(o, req('qwen3:8b', 'high')).body).think).toBe(true);
    expect(body(ollamaRequest(o, req('qwen3:8b', 'off')).body).think).toBe(false);
    expect(body(ollamaRequest(o, req('gpt-oss:20b', 'medium')).body).think).toBe('medium');
    expect(body(ollamaRequest(o, req('gpt-oss:20b', 100)).body).think).toBe('low');
    expect(body(ollamaRequest(o, req('llama3.2')).body)).not.toHaveProperty('think');
  });
});

describe('refused where a model is known to have no such knob', () => {
  const problem = (spec: ProviderSpec, r: ModelRequest) => requestProblem(spec, r);

  it('a model that does not reason, one that cannot stop, one that takes no setting', () => {
    expect(problem(openai, req('gpt-4o-mini', 'high'))).toMatchObject({ kind: 'config', code: 'reasoning_unsupported', retryable: false, message: 'openai:gpt-4o-mini does not reason, so reasoning: high cannot apply' });
    expect(problem(openai, req('gpt-4o-mini', 'high'))!.hint).toContain('openai:o4-mini');
    expect(problem(openai, req('o3', 'off'))!.message).toBe('openai:o3 always reasons; reasoning: off cannot turn it off');
    const ds = specFor('openai', 'https://api.deepseek.com', { id: 'deepseek' });
    expect(problem(ds, req('deepseek-reasoner', 'low'))!.message).toBe('deepseek:deepseek-reasoner always reasons and takes no reasoning setting (reasoning: low)');
    expect(problem(specFor('gemini', 'http://x'), req('gemini-2.5-pro', 'off'))!.message).toContain('always reasons');
    expect(problem(specFor('anthropic', 'http://x'), req('claude-3-5-sonnet-20241022', 4096))!.message).toContain('does not reason');
  });

  it('Anthropic\'s smallest budget, and a command provider', () => {
    expect(problem(specFor('anthropic', 'http://x'), req('claude-haiku-4-5', 500))!.message).toContain("Anthropic's smallest thinking budget is 1,024 tokens");
    const cmd: ProviderSpec = { id: 'llm', protocol: 'command', baseUrl: '', keyEnv: [], needsKey: false, command: ['llm'] };
    expect(problem(cmd, req('x', 'low'))!.message).toContain('takes no reasoning setting');
  });

  it('passes what it does not know, and what fits', () => {
    expect(problem(openai, req('gpt-7-preview', 'high'))).toBeNull();
    expect(problem(openai, req('gpt-4o', 'off'))).toBeNull();
    expect(problem(openai, req('o3', 'low'))).toBeNull();
    expect(problem(specFor('anthropic', 'http://x'), req('claude-opus-4-1', 'high'))).toBeNull();
    expect(problem(openai, req('gpt-4o'))).toBeNull();
  });
});
