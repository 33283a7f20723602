/**
 * Which protocol a mock-server request speaks, from its path, and whose key rules it follows:
 * OpenAI (bearer), Azure (`api-key`, deployment paths, `api-version`), Anthropic (`x-api-key`),
 * Gemini (`x-goog-api-key`), Ollama (no key).
 */
import type { IncomingMessage } from 'node:http';
import { authError, type ErrorFlavor } from './errors.js';
import type { Encoded, MockProtocol, MockServerOptions } from './types.js';

/** A generation route: which protocol, and which encoder flavor on that path. */
export interface Route {
  protocol: MockProtocol;
  flavor: ErrorFlavor;
  /** Gemini: the model from the path and whether the method streams. */
  gemini?: { model: string; stream: boolean; sse: boolean };
  /** Azure: the deployment from the path ('' on the v1 API, where the body names the model); whether the api-version query is there. */
  azure?: { deployment: string; apiVersion: boolean };
}

const GEMINI_PATH = /^\/gemini\/v1beta\/models\/([^/:]+):(streamGenerateContent|generateContent)$/;
const AZURE_DEPLOYMENT_PATH = /^\/azure\/openai\/deployments\/([^/]+)\/chat\/completions$/;

function azureRoute(url: URL): Route | null {
  const p = url.pathname;
  const apiVersion = url.searchParams.has('api-version');
  const d = AZURE_DEPLOYMENT_PATH.exec(p);
  if (d) return { protocol: 'azure', flavor: 'azure', azure: { deployment: decodeURIComponent(d[1]), apiVersion } };
  if (p === '/azure/openai/responses') return { protocol: 'openai-responses', flavor: 'azure', azure: { deployment: '', apiVersion } };
  // The v1 API: OpenAI's own paths, no api-version needed.
  if (p === '/azure/openai/v1/chat/completions') return { protocol: 'azure', flavor: 'azure', azure: { deployment: '', apiVersion: true } };
  if (p === '/azure/openai/v1/responses') return { protocol: 'openai-responses', flavor: 'azure', azure: { deployment: '', apiVersion: true } };
  return null;
}

export function generationRoute(method: string, url: URL): Route | null {
  if (method !== 'POST') return null;
  const p = url.pathname;
  if (p === '/openai/v1/chat/completions') return { protocol: 'openai', flavor: 'openai' };
  if (p === '/openai/v1/responses') return { protocol: 'openai-responses', flavor: 'openai' };
  if (p.startsWith('/azure/')) return azureRoute(url);
  if (p === '/anthropic/v1/messages') return { protocol: 'anthropic', flavor: 'anthropic' };
  if (p === '/ollama/api/chat') return { protocol: 'ollama', flavor: 'ollama' };
  if (p === '/ollama/v1/chat/completions') return { protocol: 'ollama', flavor: 'ollama-openai' };
  const g = GEMINI_PATH.exec(p);
  if (g) {
    const gemini = { model: decodeURIComponent(g[1]), stream: g[2] === 'streamGenerateContent', sse: url.searchParams.get('alt') === 'sse' };
    return { protocol: 'gemini', flavor: 'gemini', gemini };
  }
  return null;
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

export type AuthFlavor = 'openai' | 'azure' | 'anthropic' | 'gemini' | 'ollama';

/** Whose key rules a route follows: Azure's `api-key` on every /azure path, else the protocol's. */
export const authFlavorOf = (route: Route): AuthFlavor =>
  route.azure ? 'azure' : route.protocol === 'openai-responses' ? 'openai' : (route.protocol as AuthFlavor);

/** The key the request carried in its protocol's place, or undefined when it carried none. */
function presentedKey(protocol: AuthFlavor, req: IncomingMessage, url: URL): string | undefined {
  if (protocol === 'azure') return headerValue(req.headers['api-key']);
  if (protocol === 'openai') {
    const auth = headerValue(req.headers.authorization);
    return auth?.startsWith('Bearer ') ? auth.slice(7) : auth;
  }
  if (protocol === 'anthropic') return headerValue(req.headers['x-api-key']);
  return headerValue(req.headers['x-goog-api-key']) ?? url.searchParams.get('key') ?? undefined;
}

/** Returns an auth error when `apiKey` is set and the request did not carry it (Ollama never checks). */
export function checkAuth(options: MockServerOptions, protocol: AuthFlavor, req: IncomingMessage, url: URL, sse: boolean): Encoded | null {
  if (options.apiKey === undefined || protocol === 'ollama') return null;
  const given = presentedKey(protocol, req, url);
  return given === options.apiKey ? null : authError(protocol, given, { sse });
}

