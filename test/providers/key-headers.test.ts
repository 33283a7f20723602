import { describe, expect, it } from 'vitest';
import { ANTHROPIC_VERSION, keyHeaders } from '../../src/providers/key-headers.js';
import type { ProviderSpec } from '../../src/providers/provider.js';

const spec = (over: Partial<ProviderSpec>): ProviderSpec => ({ id: 'p', protocol: 'openai', baseUrl: 'http://127.0.0.1:1/v1', ...over }) as ProviderSpec;

describe('keyHeaders: the key in each protocol\'s own header', () => {
  it.each<[string, Partial<ProviderSpec>, Record<string, string>]>([
    ['OpenAI and compatible servers: bearer', { protocol: 'openai', apiKey: 'sk-1' }, { accept: 'text/event-stream', authorization: 'Bearer sk-1' }],
    ['Anthropic: x-api-key and the API version', { protocol: 'anthropic', apiKey: 'sk-ant' }, { accept: 'text/event-stream', 'anthropic-version': ANTHROPIC_VERSION, 'x-api-key': 'sk-ant' }],
    ['Gemini: x-goog-api-key, never the URL', { protocol: 'gemini', apiKey: 'AIza' }, { accept: 'text/event-stream', 'x-goog-api-key': 'AIza' }],
    ['Azure OpenAI: api-key', { protocol: 'openai', apiKey: 'az', azure: {} } as Partial<ProviderSpec>, { accept: 'text/event-stream', 'api-key': 'az' }],
    ['Ollama behind a proxy: bearer', { protocol: 'ollama', apiKey: 'tok' }, { accept: 'text/event-stream', authorization: 'Bearer tok' }],
    ['no key (a local server): no auth header', { protocol: 'openai' }, { accept: 'text/event-stream' }],
  ])('%s', (_, over, expected) => {
    expect(keyHeaders(spec(over), 'text/event-stream')).toEqual(expected);
  });

  it('configured headers are sent and may set the API version, but never replace the key', () => {
    const h = keyHeaders(spec({ protocol: 'anthropic', apiKey: 'real', headers: { 'x-api-key': 'planted', 'anthropic-version': '2099-01-01', 'x-title': 'mmr' } }));
    expect(h).toEqual({ 'anthropic-version': '2099-01-01', 'x-title': 'mmr', 'x-api-key': 'real' });
    expect(keyHeaders(spec({ apiKey: 'real', headers: { authorization: 'Bearer planted' } })).authorization).toBe('Bearer real');
  });
});
