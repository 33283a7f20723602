/**
 * The headers every request to a provider carries, in one place for the adapters, the models
 * listing and the batch APIs: `accept`, Anthropic's API version, the configured `headers` (which
 * may override either), then the key in the protocol's own header: Anthropic `x-api-key`, Gemini
 * `x-goog-api-key`, Azure OpenAI `api-key`, everyone else (OpenAI and compatible servers, Ollama
 * behind an authenticating proxy) a bearer token. The key is set last, so a configured header can
 * never stand in for it. No key (a local server): no auth header at all.
 */
import type { ProviderSpec } from './provider.js';

export const ANTHROPIC_VERSION = '2023-06-01';

/** `spec`'s request headers; `accept` when given. */
export function keyHeaders(spec: ProviderSpec, accept?: string): Record<string, string> {
  const headers: Record<string, string> = accept ? { accept } : {};
  if (spec.protocol === 'anthropic') headers['anthropic-version'] = ANTHROPIC_VERSION;
  Object.assign(headers, spec.headers);
  const key = spec.apiKey;
  if (!key) return headers;
  if (spec.protocol === 'anthropic') headers['x-api-key'] = key;
  else if (spec.protocol === 'gemini') headers['x-goog-api-key'] = key;
  else if (spec.azure) headers['api-key'] = key;
  else headers.authorization = `Bearer ${key}`;
  return headers;
}
