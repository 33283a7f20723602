/**
 * Each provider's real error bodies (shapes, types, wording and headers as the live APIs send
 * them; see the recorded errors in realdata/streams). Messages never echo a full API key.
 */
import { STATUS_CODES } from 'node:http';
import { randomId } from './text.js';
import type { Encoded } from './types.js';

/** `ollama-openai` is Ollama's OpenAI-compatible /v1 endpoint, whose errors differ from OpenAI's. */
export type ErrorFlavor = 'openai' | 'ollama-openai' | 'azure' | 'anthropic' | 'gemini' | 'ollama';

export interface ErrorContext {
  model?: string;
  /** Gemini `?alt=sse`: errors are served as text/event-stream (plain JSON body, no `data:`). */
  sse?: boolean;
  /** A `retry-after` value (seconds or HTTP date); Gemini folds it into RetryInfo.retryDelay. */
  retryAfter?: string;
  /** OpenAI `error.code` override (e.g. null for an unknown URL, where 404 would say model_not_found). */
  code?: string | null;
}

function json(status: number, body: string, headers: Record<string, string>): Encoded {
  return { status, headers, frames: [body], chunked: false };
}

function openaiError(status: number, message: string | undefined, ctx: ErrorContext): Encoded {
  const model = ctx.model || 'gpt-4o-mini';
  let type = status >= 500 ? 'server_error' : 'invalid_request_error';
  let code: string | null = null;
  let text = message;
  if (status === 401) {
    code = 'invalid_api_key';
    text ??= 'Incorrect API key provided: sk-mock*****0000. You can find your API key at https://platform.openai.com/account/api-keys.';
  } else if (status === 404) {
    code = 'model_not_found';
    text ??= `The model \`${model}\` does not exist or you do not have access to it.`;
  } else if (status === 429) {
    type = 'requests';
    code = 'rate_limit_exceeded';
    text ??= `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.`;
  } else if (status === 500) {
    text ??= 'The server had an error while processing your request. Sorry about that!';
  } else if (status === 503) {
    text ??= 'The engine is currently overloaded, please try again later';
  }
  text ??= STATUS_CODES[status] ?? 'Error';
  if (ctx.code !== undefined) code = ctx.code;
  const body = JSON.stringify({ error: { message: text, type, param: null, code } }, null, 4) + '\n';
  return json(status, body, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': randomId('req_', 32) });
}

const AZURE: Record<number, [string, string]> = {
  400: ['BadRequest', 'Invalid request.'],
  401: ['401', 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.'],
  404: ['DeploymentNotFound', 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.'],
  429: ['429', 'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second.'],
  500: ['InternalServerError', 'The server had an error while processing your request. Sorry about that!'],
};

/**
 * Azure OpenAI's envelope: `code` is a word or the status as a string. A 400 whose message
 * mentions the content filter carries Azure's `innererror` with the filter verdicts.
 */
function azureError(status: number, message: string | undefined): Encoded {
  const [code, fallback] = AZURE[status] ?? [String(status), STATUS_CODES[status] ?? 'Error'];
  const error: Record<string, unknown> = { code, message: message ?? fallback, param: null, type: null, status };
  if (status === 400 && /content (management )?(policy|filter)/i.test(message ?? '')) {
    error.code = 'content_filter';
    error.innererror = { code: 'ResponsibleAIPolicyViolation', content_filter_result: { hate: { filtered: true, severity: 'high' }, self_harm: { filtered: false, severity: 'safe' }, sexual: { filtered: false, severity: 'safe' }, violence: { filtered: false, severity: 'safe' } } };
  }
  return json(status, JSON.stringify({ error }), { 'content-type': 'application/json', 'apim-request-id': randomId('', 36) });
}

function ollamaOpenaiError(status: number, message: string | undefined): Encoded {
  const type = status === 400 ? 'invalid_request_error' : status === 404 ? 'not_found_error' : 'api_error';
  const body = JSON.stringify({ error: { message: message ?? STATUS_CODES[status] ?? 'error', type, param: null, code: null } });
  return json(status, body, { 'content-type': 'application/json' });
}

const ANTHROPIC: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'Invalid request'],
  401: ['authentication_error', 'invalid x-api-key'],
  402: ['billing_error', 'Your credit balance is too low to access the Anthropic API.'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'Not found'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.'],
  500: ['api_error', 'Internal server error'],
  504: ['timeout_error', 'Request timed out'],
  529: ['overloaded_error', 'Overloaded'],
};

function anthropicError(status: number, message: string | undefined, ctx: ErrorContext): Encoded {
  const [type, fallback] = ANTHROPIC[status] ?? [status >= 500 ? 'api_error' : 'invalid_request_error', STATUS_CODES[status] ?? 'Error'];
  const text = message ?? (status === 404 && ctx.model ? `model: ${ctx.model}` : fallback);
  const requestId = randomId('req_011C', 20);
  const body = JSON.stringify({ type: 'error', error: { type, message: text }, request_id: requestId });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': requestId };
  // The API marks client errors as not worth retrying (recorded on 400/401/429-too-large).
  if (status >= 400 && status < 429) headers['x-should-retry'] = 'false';
  return json(status, body, headers);
}

const GOOGLE_STATUS: Record<number, [string, string]> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: ['UNAUTHENTICATED', 'Request had invalid authentication credentials.'],
  403: ['PERMISSION_DENIED', 'The caller does not have permission'],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  429: ['RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.'],
  499: ['CANCELLED', 'The operation was cancelled.'],
  500: ['INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
};

/** `retry-after` (delta-seconds or HTTP date) → a protobuf Duration string such as "7s", or null. */
export function retryDelayFrom(retryAfter: string | undefined, now = Date.now()): string | null {
  if (retryAfter === undefined) return null;
  const seconds = Number(retryAfter);
  if (retryAfter.trim() !== '' && Number.isFinite(seconds)) return `${Math.max(0, seconds)}s`;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? null : `${Math.max(0, Math.ceil((date - now) / 1000))}s`;
}

function geminiBody(status: number, message: string, details?: unknown[]): string {
  const [name] = GOOGLE_STATUS[status] ?? [status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'];
  const error: Record<string, unknown> = { code: status, message, status: name };
  if (details) error.details = details;
  return JSON.stringify({ error }, null, 2) + '\n';
}

function geminiHeaders(ctx: ErrorContext): Record<string, string> {
  return { 'content-type': ctx.sse ? 'text/event-stream' : 'application/json; charset=UTF-8' };
}

function geminiError(status: number, message: string | undefined, ctx: ErrorContext): Encoded {
  let text = message ?? GOOGLE_STATUS[status]?.[1] ?? STATUS_CODES[status] ?? 'Error';
  let details: unknown[] | undefined;
  if (status === 404 && message === undefined && ctx.model) {
    text = `models/${ctx.model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`;
  }
  if (status === 429) {
    const delay = retryDelayFrom(ctx.retryAfter);
    if (message === undefined && delay) text += `\nPlease retry in ${delay}.`;
    details = [
      { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
            quotaDimensions: { model: ctx.model || 'gemini-2.5-flash', location: 'global' },
            quotaValue: '10',
          },
        ],
      },
      ...(delay ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: delay }] : []),
    ];
  }
  return json(status, geminiBody(status, text, details), geminiHeaders(ctx));
}

function ollamaError(status: number, message: string | undefined, ctx: ErrorContext): Encoded {
  const fallback = status === 404 ? `model "${ctx.model ?? ''}" not found, try pulling it first` : (STATUS_CODES[status] ?? 'error').toLowerCase();
  return json(status, JSON.stringify({ error: message ?? fallback }), { 'content-type': 'application/json; charset=utf-8' });
}

/** An error reply in the provider's real body shape for `status`. */
export function errorResponse(flavor: ErrorFlavor, status: number, message: string | undefined, ctx: ErrorContext = {}): Encoded {
  switch (flavor) {
    case 'openai':
      return openaiError(status, message, ctx);
    case 'ollama-openai':
      return ollamaOpenaiError(status, message);
    case 'azure':
      return azureError(status, message);
    case 'anthropic':
      return anthropicError(status, message, ctx);
    case 'gemini':
      return geminiError(status, message, ctx);
    case 'ollama':
      return ollamaError(status, message, ctx);
  }
}

/** Masks a key the way OpenAI does in its 401 message: a few leading characters and the last four. */
function maskKey(key: string): string {
  if (key.length <= 8) return '*****';
  return `${key.slice(0, Math.min(8, Math.floor(key.length / 3)))}*****${key.slice(-4)}`;
}

/** The provider's real answer to a missing (`given` undefined) or wrong API key. */
export function authError(flavor: 'openai' | 'azure' | 'anthropic' | 'gemini', given: string | undefined, ctx: ErrorContext = {}): Encoded {
  if (flavor === 'azure') return azureError(401, undefined);
  if (flavor === 'openai') {
    if (given === undefined) {
      const body = { error: { message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.", type: 'invalid_request_error', param: null, code: null } };
      return json(401, JSON.stringify(body, null, 4) + '\n', { 'content-type': 'application/json; charset=utf-8' });
    }
    return openaiError(401, `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`, ctx);
  }
  if (flavor === 'anthropic') {
    return anthropicError(401, given === undefined ? 'x-api-key header is required' : 'invalid x-api-key', ctx);
  }
  if (given === undefined) {
    // Gemini answers a request without any key with 403, not 400.
    const message = "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
    return json(403, geminiBody(403, message), geminiHeaders(ctx));
  }
  const message = 'API key not valid. Please pass a valid API key.';
  const details = [
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
    { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
  ];
  return json(400, geminiBody(400, message, details), geminiHeaders(ctx));
}
