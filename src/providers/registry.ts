import type { ProtocolKind, ProviderAdapter } from './provider.js';

/**
 * Adapters load on the first request that needs one: a run answered from the cache (a bench
 * re-run) never loads them or the HTTP layer under them, and `mmr --version` and `mmr route`
 * never load the registry. The command adapter matters most: execa costs ~150 ms to import.
 */
const loaders: Record<ProtocolKind, () => Promise<ProviderAdapter>> = {
  openai: async () => (await import('./openai-compatible.js')).openaiAdapter,
  'openai-responses': async () => (await import('./responses.js')).responsesAdapter,
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
