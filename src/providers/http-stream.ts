/**
 * The lifecycle every HTTP adapter shares: key check, POST, status check, `start`, then the
 * protocol's events, ending with exactly one `finish` or `error`. Adapters supply only the
 * wire format (WireProtocol); nothing here throws to the caller.
 */
import type { ErrorInfo, ModelRequest, ProviderEvent } from '../core/types.js';
import type { ProviderSpec, StreamOptions } from './provider.js';
import {
  abortedInfo,
  badResponseInfo,
  classifyHttpError,
  errorFromPayload,
  excerpt,
  missingKeyInfo,
  sanitizeError,
} from './http-errors.js';
import { networkErrorInfo } from './http.js';
import { crossOriginOf, postJson, RedirectError } from './http-request.js';
import type { WireResponse } from './transport.js';
import { AnswerBudget, eventTooLong, limitInfo, limitsFor, StreamLimitError, type StreamLimits } from './limits.js';
import { NdjsonParseError } from './ndjson.js';
import { decodeText, HEAD_CHARS, StreamReadError, type BodySource, type ReadOptions, type StreamTap } from './body.js';
import { readErrorFields } from './error-body.js';
import { requestProblem } from './request-check.js';
import { BadResponseError, fail, type HttpCall, type WireProtocol } from './wire.js';

const TRUNCATED: ErrorInfo = {
  kind: 'network',
  message: 'stream ended before the response finished',
  status: null,
  retryable: true,
};

/** Error pages are read up to this many characters: enough for any real error body. */
const ERROR_BODY_CHARS = 256 * 1024;

/** The body as text, at most about `max` characters; `cut` says whether more was left unread. */
async function readText(body: BodySource | null, options: ReadOptions, max = ERROR_BODY_CHARS): Promise<{ text: string; cut: boolean }> {
  if (!body) return { text: '', cut: false };
  let text = '';
  for await (const piece of decodeText(body, options)) {
    text += piece;
    if (text.length >= max) return { text, cut: true };
  }
  return { text, cut: false };
}

/**
 * An injected fetch may ignore the signal; the contract still says an abort ends things
 * promptly. (mmr's own transport hands the signal to the request, which rejects by itself.)
 */
function untilAborted(promise: Promise<WireResponse>, signal: AbortSignal, injected: boolean): Promise<WireResponse> {
  if (!injected) return promise;
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error('aborted'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // A response that arrives after the abort won is released; a late rejection is not unhandled.
  promise.then(
    (res) => {
      if (signal.aborted) res.cancel();
    },
    () => {},
  );
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

interface Ctx {
  spec: ProviderSpec;
  proto: WireProtocol;
  signal: AbortSignal;
  limits: StreamLimits;
  model: string;
  /** Whether response headers arrived: a failure after that is mid-stream, not a connect failure. */
  responded: boolean;
}

async function* oneChunk(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

const ok = (res: WireResponse) => res.status >= 200 && res.status < 300;

/** The request up to a 2xx response, or the error event that ends the attempt before one. */
async function open(ctx: Ctx, call: HttpCall, options: StreamOptions): Promise<WireResponse | ProviderEvent> {
  const { spec, proto, signal } = ctx;
  if (spec.needsKey && !spec.apiKey) return fail(missingKeyInfo(spec));
  if (signal.aborted) return fail(abortedInfo());
  const injected = options.fetch !== undefined;
  let res = await untilAborted(postJson(call.url, call.headers, call.body, options), signal, injected);
  if (ok(res)) return res;
  ctx.responded = true;
  let { text } = await readText(res.body, { signal });
  const retry = proto.fallback?.(res.status, text);
  if (retry) {
    ctx.responded = false;
    res = await untilAborted(postJson(retry.url, retry.headers, retry.body, options), signal, injected);
    if (ok(res)) return res;
    ({ text } = await readText(res.body, { signal }));
  }
  return fail(withRedirectNote(classifyHttpError(spec, res.status, res.headers, text, ctx.model), res));
}

/** After a body ended without the protocol's end: an error body in disguise, or a cut stream. */
function afterBody(ctx: Ctx, tap: StreamTap, mediaType: string): ProviderEvent {
  if (ctx.signal.aborted) return fail(abortedInfo());
  if (tap.events === 0 && tap.head.trim() !== '') {
    // Not a stream at all, e.g. Gemini's JSON error served as text/event-stream.
    try {
      const json: unknown = JSON.parse(tap.head);
      if (readErrorFields(json).message) return fail(errorFromPayload(ctx.spec, null, json, { model: ctx.model }));
    } catch {
      // fall through to the generic description
    }
    const what = ctx.proto.format === 'sse' ? 'an event stream' : 'NDJSON';
    return fail(badResponseInfo(ctx.spec, `expected ${what} but got ${mediaType || 'no content type'}: ${excerpt(tap.head)}`));
  }
  return fail(TRUNCATED);
}

/** A provider whose base URL comes only from the environment (Azure's endpoint) and has none. */
function noBaseUrlInfo(spec: ProviderSpec): ErrorInfo {
  const env = spec.azure ? 'AZURE_OPENAI_ENDPOINT' : undefined;
  return {
    kind: 'config',
    message: `no endpoint for provider ${spec.id}`,
    status: null,
    retryable: false,
    hint: env ? `set ${env} (e.g. https://<resource>.openai.azure.com)` : `set providers.${spec.id}.baseUrl in your config`,
  };
}

/** An error from a server a redirect led to says so: its 401 is about the key mmr did not send it. */
function withRedirectNote(info: ErrorInfo, res: WireResponse): ErrorInfo {
  const origin = crossOriginOf(res);
  if (!origin) return info;
  const note = `the request was redirected to ${origin}, another origin, so the API key and configured headers were not sent there; if you trust that server, make it the provider's baseUrl`;
  return { ...info, hint: info.hint ? `${note}. (${info.hint})` : note };
}

function thrownInfo(ctx: Ctx, err: unknown): ErrorInfo {
  if (ctx.signal.aborted) return abortedInfo();
  if (err instanceof RedirectError) {
    return { kind: 'bad-response', message: `${ctx.spec.id}: ${err.message}`, status: null, retryable: false, hint: 'check the base URL' };
  }
  if (err instanceof StreamLimitError) return limitInfo(ctx.spec, err);
  if (err instanceof BadResponseError || err instanceof NdjsonParseError) return badResponseInfo(ctx.spec, err.message);
  if (err instanceof StreamReadError) return networkErrorInfo(ctx.spec, err.cause, 'stream');
  if (!ctx.responded) return networkErrorInfo(ctx.spec, err, 'connect');
  const message = err instanceof Error ? err.message : String(err);
  return badResponseInfo(ctx.spec, `could not read the response from ${ctx.spec.id}: ${message}`);
}

/**
 * Runs one streamed request. Never throws; stops reading after the first `finish`/`error`, and
 * releases the body when the consumer stops early (via the readers' `finally`). An answer
 * longer than the provider's limits.maxAnswerBytes ends with an error at that point. One
 * generator from the response to the engine: the protocol's events are read here directly.
 */
export async function* streamHttp(
  spec: ProviderSpec,
  request: ModelRequest,
  call: HttpCall,
  proto: WireProtocol,
  options: StreamOptions,
): AsyncGenerator<ProviderEvent> {
  const limits = limitsFor(spec);
  const ctx: Ctx = { spec, proto, signal: options.signal, limits, model: request.model, responded: false };
  const budget = new AnswerBudget(limits.maxAnswerBytes);
  const clean = (ev: ProviderEvent) => (ev.type === 'error' ? fail(sanitizeError(spec, ctx.signal.aborted ? abortedInfo() : ev.error)) : ev);
  // What the model is known not to take (a reasoning knob, images) is refused before any request.
  const refused = requestProblem(spec, request);
  if (refused) return yield fail(refused);
  if (!spec.baseUrl) return yield fail(noBaseUrlInfo(spec));
  try {
    const res = await open(ctx, call, options);
    if (!('status' in res)) return yield clean(res);
    ctx.responded = true;
    yield { type: 'start' };
    const { signal } = ctx;
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const encoding = res.headers.get('content-encoding');
    const read: ReadOptions = { signal, limits, encoding };
    if (!res.body) return yield clean(fail(badResponseInfo(spec, `${spec.id} answered HTTP ${res.status} with an empty body`)));
    let events: AsyncIterable<ProviderEvent> | Iterable<ProviderEvent>;
    const tap: StreamTap = { head: '', events: 0 };
    if (/html/.test(mediaType)) {
      const { text: head } = await readText(res.body, read, HEAD_CHARS);
      const what = proto.format === 'sse' ? 'an event stream' : 'NDJSON';
      return yield clean(fail(badResponseInfo(spec, `expected ${what} but got ${mediaType} — is the base URL right? (${excerpt(head)})`)));
    }
    if (/json/.test(mediaType) && !/ndjson|jsonl|json-seq/.test(mediaType)) {
      // A complete (non-streamed) answer is one JSON document, bounded like one event.
      const { text, cut } = await readText(res.body, read, limits.maxEventChars + 1);
      if (cut) throw eventTooLong('JSON body', limits.maxEventChars);
      let json: unknown;
      try {
        json = JSON.parse(text);
        events = proto.complete(json);
      } catch (err) {
        if (err instanceof BadResponseError) throw err;
        // Some servers label a stream application/json; parse it as the stream it is.
        events = proto.events(oneChunk(Buffer.from(text)), { signal, tap, limits, encoding: null });
      }
    } else events = proto.events(res.body, { signal, tap, limits, encoding });
    for await (const ev of events) {
      if (ev.type === 'error') return yield clean(ev);
      if (ev.type === 'text-delta' || ev.type === 'reasoning-delta') {
        const over = budget.add(ev.text);
        if (over) return yield fail(limitInfo(spec, over));
      }
      yield ev;
      if (ev.type === 'finish') return;
    }
    yield clean(afterBody(ctx, tap, mediaType));
  } catch (err) {
    return yield fail(sanitizeError(spec, thrownInfo(ctx, err)));
  }
}
