/**
 * Everything the mock server answers besides generation and batches: each provider's models
 * listing (behind its own key check), Ollama's tags, version and "is it running" probe, and the
 * 404 each provider's path prefix answers an unknown URL with.
 */
import type { IncomingMessage } from 'node:http';
import { errorResponse } from './errors.js';
import { anthropicModels, azureModels, DEFAULT_ANTHROPIC_MODELS, DEFAULT_AZURE_MODELS, DEFAULT_GEMINI_MODELS, geminiModels } from './listings.js';
import { ollamaOpenAIModels, ollamaTags } from './ollama.js';
import { DEFAULT_OPENAI_MODELS, openaiModels } from './openai.js';
import { checkAuth, type AuthFlavor } from './routes.js';
import type { Encoded, MockServerOptions } from './types.js';

/** A JSON document, sent whole. */
export function listing(body: string): Encoded {
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, frames: [body], chunked: false };
}

/** A provider's models listing at path `p` (no trailing slash), behind its key check, or null when `p` is not one. */
export function providerListing(p: string, url: URL, req: IncomingMessage, options: MockServerOptions): Encoded | null {
  const pageSize = Math.max(1, options.listPageSize ?? 1000);
  const lists = options.listModels ?? {};
  const guarded = (flavor: AuthFlavor, body: () => string) => checkAuth(options, flavor, req, url, false) ?? listing(body());
  if (p === '/openai/v1/models') return guarded('openai', () => openaiModels(lists.openai ?? DEFAULT_OPENAI_MODELS));
  if (p === '/anthropic/v1/models') return guarded('anthropic', () => anthropicModels(lists.anthropic ?? DEFAULT_ANTHROPIC_MODELS, url, pageSize));
  if (p === '/gemini/v1beta/models') return guarded('gemini', () => geminiModels(lists.gemini ?? DEFAULT_GEMINI_MODELS, url, pageSize));
  if (p === '/azure/openai/models' || p === '/azure/openai/v1/models') return guarded('azure', () => azureModels(lists.azure ?? DEFAULT_AZURE_MODELS));
  return null;
}

/** Ollama's endpoints besides generation, serving the model names `tags`, or null when `p` is not one. */
export function ollamaInfo(method: string, p: string, tags: string[]): Encoded | null {
  if (method === 'GET' && p === '/ollama/api/tags') return listing(ollamaTags(tags));
  if (method === 'GET' && p === '/ollama/v1/models') return listing(ollamaOpenAIModels(tags));
  if (method === 'GET' && p === '/ollama/api/version') return listing('{"version":"0.12.3"}');
  if ((method === 'GET' || method === 'HEAD') && p === '/ollama') {
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, frames: ['Ollama is running'], chunked: false };
  }
  return null;
}

/** The 404 an unknown URL gets, in the body format of the provider whose prefix it has. */
export function notFound(method: string, url: URL, p: string): Encoded {
  const message = `Invalid URL (${method} ${url.pathname})`;
  const prefix = p.split('/')[1];
  if (prefix === 'openai') return errorResponse('openai', 404, message, { code: null });
  if (prefix === 'azure') return errorResponse('azure', 404, 'Resource not found');
  if (prefix === 'anthropic') return errorResponse('anthropic', 404, message);
  if (prefix === 'gemini') return errorResponse('gemini', 404, message);
  return { status: 404, headers: { 'content-type': 'text/plain' }, frames: ['404 page not found'], chunked: false };
}
