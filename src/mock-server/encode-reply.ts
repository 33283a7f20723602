/**
 * A scripted reply as the bytes a generation route sends: the protocol's error body for a
 * non-2xx status, the raw text when the script gives one, else the answer encoded in the
 * route's wire format (streamed or not), with the script's extra headers on top.
 */
import { encodeAnthropic } from './anthropic.js';
import { errorResponse } from './errors.js';
import { encodeGemini } from './gemini.js';
import { encodeOllama } from './ollama.js';
import { encodeOpenAI, wantsUsage } from './openai.js';
import { encodeResponses } from './responses.js';
import type { Route } from './routes.js';
import { resolveReply } from './text.js';
import type { Encoded, MockReply, MockRequestInfo } from './types.js';

/** Header names lower-cased, as node gives them on the other side. */
export function lowerKeys(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** Encodes a scripted reply for a generation route. */
export function encodeReply(route: Route, info: MockRequestInfo, reply: MockReply): Encoded {
  if (reply.raw !== undefined) {
    return { status: reply.status ?? 200, headers: lowerKeys(reply.headers), frames: [reply.raw], chunked: false };
  }
  const extra = lowerKeys(reply.headers);
  const status = reply.status ?? 200;
  let enc: Encoded;
  if (status < 200 || status >= 300) {
    const sse = route.gemini?.sse ?? false;
    enc = errorResponse(route.flavor, status, reply.errorMessage, { model: info.model, sse, retryAfter: extra['retry-after'] });
    // The real Gemini API sends no retry-after header: the delay lives in the body's RetryInfo.
    if (route.protocol === 'gemini' && status === 429) delete extra['retry-after'];
  } else {
    const r = resolveReply(reply, route.protocol, info.model, info.body);
    if (route.protocol === 'openai-responses') enc = encodeResponses(r, info.stream);
    else if (route.flavor === 'anthropic') enc = encodeAnthropic(r, info.stream);
    else if (route.flavor === 'gemini') enc = encodeGemini(r, info.stream, route.gemini?.sse ?? false);
    else if (route.flavor === 'ollama') enc = encodeOllama(r, info.stream);
    else {
      const flavor = route.flavor === 'openai' ? 'openai' : route.flavor === 'azure' ? 'azure' : 'ollama';
      enc = encodeOpenAI(r, { stream: info.stream, includeUsage: wantsUsage(info.body), flavor });
    }
    enc.status = status;
  }
  enc.headers = { ...enc.headers, ...extra };
  return enc;
}
