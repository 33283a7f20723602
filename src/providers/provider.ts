/**
 * The adapter contract (defined in core, which consumes it; re-exported here for the adapters)
 * and the provider-side facts about protocols.
 */
import type { ProtocolKind } from '../core/provider-contract.js';

export type { ProtocolKind, ProviderAdapter, ProviderSpec, ReasoningParam, StreamOptions } from '../core/provider-contract.js';

/** Protocols that talk HTTP to `baseUrl`: the ones a per-model `protocol` may choose. */
export const HTTP_PROTOCOLS: readonly ProtocolKind[] = ['openai', 'openai-responses', 'anthropic', 'gemini', 'ollama'];
