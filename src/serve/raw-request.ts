/**
 * The upstream request of the raw path: the client's own body with the provider-side model name,
 * config options filling in only what the client left out (as flags and config combine for
 * `mmr ask`), and mmr's key and headers in place of whatever the client sent.
 */
import type { ResolvedModel } from '../core/model.js';
import { ANTHROPIC_VERSION } from '../providers/anthropic.js';
import { joinUrl } from '../providers/http.js';
import type { UpstreamCall } from './upstream.js';
import type { ClientProtocol, ParsedChat } from './types.js';

const absent = (v: unknown) => v === undefined || v === null;

/** OpenAI's own API wants max_completion_tokens (reasoning models refuse max_tokens); other servers know max_tokens. */
function maxTokensKey(m: ResolvedModel): string {
  try {
    return new URL(m.provider.baseUrl).hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens';
  } catch {
    return 'max_tokens';
  }
}

export function rawBody(req: ParsedChat, m: ResolvedModel, injectUsage: boolean): Record<string, unknown> {
  const b: Record<string, unknown> = { ...req.body, model: m.model };
  const o = m.options;
  if (o.temperature !== undefined && absent(b.temperature)) b.temperature = o.temperature;
  if (o.topP !== undefined && absent(b.top_p)) b.top_p = o.topP;
  if (req.protocol === 'openai') {
    if (o.maxTokens !== undefined && absent(b.max_tokens) && absent(b.max_completion_tokens)) b[maxTokensKey(m)] = o.maxTokens;
    if (o.stop?.length && absent(b.stop)) b.stop = o.stop;
    const msgs = b.messages as { role?: unknown }[];
    if (o.system && !msgs.some((x) => x?.role === 'system' || x?.role === 'developer')) b.messages = [{ role: 'system', content: o.system }, ...msgs];
    // Usage in the stream is how mmr knows the cost; the chunk is kept from a client that did not ask.
    if (injectUsage) b.stream_options = { ...(b.stream_options as object), include_usage: true };
  } else {
    if (o.stop?.length && absent(b.stop_sequences)) b.stop_sequences = o.stop;
    if (o.system && absent(b.system)) b.system = o.system;
  }
  return b;
}

/** URL and headers for the provider; the client's Authorization / x-api-key never go along. */
export function rawCall(req: ParsedChat, m: ResolvedModel, clientHeaders: Record<string, string | string[] | undefined>, injectUsage: boolean): UpstreamCall {
  const spec = m.provider;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...spec.headers };
  const body = JSON.stringify(rawBody(req, m, injectUsage));
  if (req.protocol === 'openai') {
    if (req.stream) headers.accept = 'text/event-stream';
    if (spec.apiKey) headers.authorization = `Bearer ${spec.apiKey}`;
    return { url: joinUrl(spec.baseUrl, 'chat/completions'), headers, body };
  }
  const version = clientHeaders['anthropic-version'];
  const beta = clientHeaders['anthropic-beta'];
  headers['anthropic-version'] = typeof version === 'string' ? version : ANTHROPIC_VERSION;
  if (typeof beta === 'string') headers['anthropic-beta'] = beta;
  if (spec.apiKey) headers['x-api-key'] = spec.apiKey;
  return { url: joinUrl(spec.baseUrl, 'v1/messages'), headers, body };
}

/** The 400 for what only a same-protocol upstream can answer, when the routed model speaks another. */
export function rawOnlyProblem(req: ParsedChat, first: ResolvedModel, protocol: ClientProtocol): string {
  return (
    `${req.needsRaw.join(', ')}: mmr serve passes these only to a model that speaks the ${protocol} protocol, and "${req.model}" routes to ${first.id} (${first.provider.protocol}). ` +
    `Name a ${protocol} model, route this request to one, or leave these out.`
  );
}
