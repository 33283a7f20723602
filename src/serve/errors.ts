/**
 * From the engine's ErrorInfo to what a client is told: a status its SDK's retry logic reads the
 * right way (429 and overload are retried, a bad request is not), the wait the provider asked for,
 * and a message that says which side failed. A failure of mmr's own upstream key is not the
 * client's fault, so it is never a 401 (that would send the app looking at its own key).
 */
import type { ErrorInfo } from '../core/types.js';
import type { ClientError, ClientProtocol } from './types.js';

/** Codes of refusals that are about the request, not about mmr's setup. */
const REFUSED_REQUESTS = new Set(['max_cost_exceeded', 'images_unsupported', 'reasoning_unsupported', 'stop_unsupported']);

/** The client's protocol decides overload's status: Anthropic's API says 529, OpenAI's 503. */
export function clientErrorFor(e: ErrorInfo, protocol: ClientProtocol): ClientError {
  const message = e.hint ? `${e.message} (${e.hint})` : e.message;
  const base = { message, ...(e.code ? { code: e.code } : {}) };
  switch (e.kind) {
    case 'rate-limit':
      // A 429 that waiting cannot fix (request too large, no quota) must not be retried.
      return { ...base, status: 429, type: 'rate_limit', retryAfterMs: e.retryAfterMs ?? 1000, ...(e.retryable ? {} : { shouldRetry: false }) };
    case 'overloaded':
      return { ...base, status: protocol === 'anthropic' ? 529 : 503, type: 'overloaded', ...(e.retryAfterMs != null ? { retryAfterMs: e.retryAfterMs } : {}) };
    case 'timeout':
      return { ...base, status: 504, type: 'timeout' };
    case 'context-length':
      return { ...base, status: 400, type: 'invalid_request', code: e.code ?? 'context_length_exceeded' };
    case 'bad-request': {
      const status = e.status !== null && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 403 ? e.status : 400;
      return { ...base, status, type: status === 404 ? 'not_found' : status === 413 ? 'too_large' : 'invalid_request' };
    }
    case 'config':
      // The rule's cost cap, or the model known not to take what the request holds (images, a
      // reasoning setting, stop sequences), refuses this request; anything else is mmr's own setup (a missing key).
      if (e.code !== undefined && REFUSED_REQUESTS.has(e.code)) return { ...base, status: 400, type: 'invalid_request' };
      return { ...base, status: 500, type: 'server', shouldRetry: false };
    case 'auth':
      return { ...base, message: `upstream rejected mmr's credentials: ${message}`, status: 502, type: 'upstream', code: e.code ?? 'upstream_auth', shouldRetry: false };
    case 'aborted':
      return { ...base, status: 499, type: 'server', shouldRetry: false };
    default:
      // server, network, bad-response, command: the upstream failed; the gateway reports it.
      return { ...base, status: 502, type: 'upstream', ...(e.retryable ? {} : { shouldRetry: false }) };
  }
}

/** Headers that go with an error response. */
export function errorHeaders(e: ClientError): Record<string, string> {
  const h: Record<string, string> = {};
  if (e.retryAfterMs != null) {
    h['retry-after'] = String(Math.max(1, Math.ceil(e.retryAfterMs / 1000)));
    // The OpenAI SDK reads the exact value first; both honour Retry-After.
    h['retry-after-ms'] = String(Math.max(0, Math.round(e.retryAfterMs)));
  }
  if (e.shouldRetry !== undefined) h['x-should-retry'] = String(e.shouldRetry);
  return h;
}
