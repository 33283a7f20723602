/** Shared pieces of the provider adapter tests: specs pointing at the raw server, event collection. */
import { expect } from 'vitest';
import type { ErrorInfo, FinishReason, ModelRequest, ProviderEvent, Usage } from '../../src/core/types.js';
import { anthropicAdapter } from '../../src/providers/anthropic.js';
import { geminiAdapter } from '../../src/providers/gemini.js';
import { ollamaAdapter } from '../../src/providers/ollama.js';
import { openaiAdapter } from '../../src/providers/openai-compatible.js';
import { responsesAdapter } from '../../src/providers/responses.js';
import type { ProtocolKind, ProviderAdapter, ProviderSpec } from '../../src/providers/provider.js';

/** A key distinctive enough that finding it anywhere in output is a real leak. */
export const SECRET_KEY = 'sk-test-SECRET-4b1d9f0c7e2a';

export type HttpProtocol = Exclude<ProtocolKind, 'command'>;

export const adapters: Record<HttpProtocol, ProviderAdapter> = {
  openai: openaiAdapter,
  'openai-responses': responsesAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  ollama: ollamaAdapter,
};

const presets: Record<HttpProtocol, { id: string; path: string; keyEnv: string[]; needsKey: boolean }> = {
  openai: { id: 'openai', path: '/v1', keyEnv: ['OPENAI_API_KEY'], needsKey: true },
  'openai-responses': { id: 'openai', path: '/v1', keyEnv: ['OPENAI_API_KEY'], needsKey: true },
  anthropic: { id: 'anthropic', path: '', keyEnv: ['ANTHROPIC_API_KEY'], needsKey: true },
  gemini: { id: 'gemini', path: '/v1beta', keyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], needsKey: true },
  ollama: { id: 'ollama', path: '', keyEnv: [], needsKey: false },
};

/** A spec for `protocol` whose base URL is the raw server (or any root URL). */
export function specFor(protocol: HttpProtocol, root: string, over: Partial<ProviderSpec> = {}): ProviderSpec {
  const p = presets[protocol];
  const spec: ProviderSpec = { id: p.id, protocol, baseUrl: root + p.path, keyEnv: p.keyEnv, needsKey: p.needsKey };
  if (p.needsKey) spec.apiKey = SECRET_KEY;
  return { ...spec, ...over };
}

export const simpleRequest: ModelRequest = { model: 'test-model', messages: [{ role: 'user', content: 'Say hi' }] };

export async function collect(
  protocol: HttpProtocol,
  spec: ProviderSpec,
  request: ModelRequest = simpleRequest,
  signal: AbortSignal = new AbortController().signal,
): Promise<ProviderEvent[]> {
  const events: ProviderEvent[] = [];
  for await (const ev of adapters[protocol].stream(spec, request, { signal })) events.push(ev);
  return events;
}

export interface Outcome {
  text: string;
  reasoning: string;
  finish?: { finishReason: FinishReason; usage: Usage };
  error?: ErrorInfo;
  started: boolean;
}

/**
 * Checks the stream contract (start at most once and first, exactly one terminal event, last)
 * and sums up what the stream said.
 */
export function outcome(events: ProviderEvent[]): Outcome {
  const terminals = events.filter((e) => e.type === 'finish' || e.type === 'error');
  expect(terminals, 'exactly one finish or error').toHaveLength(1);
  expect(events[events.length - 1]).toBe(terminals[0]);
  const starts = events.filter((e) => e.type === 'start').length;
  expect(starts).toBeLessThanOrEqual(1);
  if (starts === 1) expect(events[0].type).toBe('start');
  else expect(events.some((e) => e.type === 'text-delta' || e.type === 'reasoning-delta')).toBe(false);
  const out: Outcome = { text: '', reasoning: '', started: starts === 1 };
  for (const e of events) {
    if (e.type === 'text-delta') out.text += e.text;
    if (e.type === 'reasoning-delta') out.reasoning += e.text;
    if (e.type === 'finish') out.finish = { finishReason: e.finishReason, usage: e.usage };
    if (e.type === 'error') out.error = e.error;
  }
  return out;
}

/** The error of a stream that must have failed. */
export function errorOf(events: ProviderEvent[]): ErrorInfo {
  const o = outcome(events);
  expect(o.error, `expected an error, got ${JSON.stringify(o.finish)}`).toBeDefined();
  return o.error as ErrorInfo;
}

/** SSE body from JSON payloads, `data:` framed, LF separated. */
export function sse(...payloads: Array<unknown | { event: string; data: unknown }>): string {
  return payloads
    .map((p) => {
      if (typeof p === 'string') return `data: ${p}\n\n`;
      if (p && typeof p === 'object' && 'event' in p && 'data' in p) {
        const { event, data } = p as { event: string; data: unknown };
        return `event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
      }
      return `data: ${JSON.stringify(p)}\n\n`;
    })
    .join('');
}

export const SSE_HEADERS = { 'content-type': 'text/event-stream' };
export const NDJSON_HEADERS = { 'content-type': 'application/x-ndjson' };
