import type { ProtocolKind, ProviderAdapter } from './provider.js';

/**
 * Adapters load on first use: `mmr --version` and `mmr route` never pay for provider code,
 * and a comparison of two OpenAI-compatible hosts loads one adapter, not five.
 */
const loaders: Record<ProtocolKind, () => Promise<ProviderAdapter>> = {
  openai: async () => (await import('./openai-compatible.js')).openaiAdapter,
  anthropic: async () => (await import('./anthropic.js')).anthropicAdapter,
  gemini: async () => (await import('./gemini.js')).geminiAdapter,
  ollama: async () => (await import('./ollama.js')).ollamaAdapter,
  command: async () => (await import('./command.js')).commandAdapter,
};

const cache = new Map<ProtocolKind, Promise<ProviderAdapter>>();

export function adapterFor(protocol: ProtocolKind): Promise<ProviderAdapter> {
  let p = cache.get(protocol);
  if (!p) {
    const load = loaders[protocol];
    if (!load) return Promise.reject(new Error(`unknown protocol ${protocol}`));
    p = load();
    cache.set(protocol, p);
  }
  return p;
}
