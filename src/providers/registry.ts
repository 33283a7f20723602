import type { ProtocolKind, ProviderAdapter } from './provider.js';
import { openaiAdapter } from './openai-compatible.js';
import { anthropicAdapter } from './anthropic.js';
import { geminiAdapter } from './gemini.js';
import { ollamaAdapter } from './ollama.js';
import { responsesAdapter } from './responses.js';

/**
 * The HTTP adapters are small and bundled with the commands that call models (the registry
 * itself is loaded only by those); `mmr --version` and `mmr route` never load them. The command
 * adapter stays lazy: execa costs ~150 ms to import and most runs never spawn a program.
 */
const loaders: Record<ProtocolKind, () => Promise<ProviderAdapter>> = {
  openai: async () => openaiAdapter,
  'openai-responses': async () => responsesAdapter,
  anthropic: async () => anthropicAdapter,
  gemini: async () => geminiAdapter,
  ollama: async () => ollamaAdapter,
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
