/**
 * The raw path: every request whose routed model speaks the client's own protocol, and the only
 * path for what the translation cannot carry (tools, images, response_format, ...). The client's
 * body goes to the provider (raw-request.ts), the provider's answer comes back byte for byte,
 * read on the way for usage, cost and timing (sse-tap.ts). Before anything reaches the client, the
 * engine's rules apply: retries with backoff and Retry-After for what may succeed later, then the
 * fallback chain for an unavailable model; a fallback of another protocol hands the rest of the
 * chain to the translated path.
 */
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAvailabilityError } from '../core/fallback.js';
import type { PriceBook } from '../core/cost.js';
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS, type ResolvedModel } from '../core/model.js';
import { buildRequest } from '../core/request.js';
import { retryDelay } from '../core/attempt.js';
import type { EngineOptions } from '../core/run-model.js';
import type { ErrorInfo, Usage } from '../core/types.js';
import { classifyHttpError, networkErrorInfo, redact } from '../providers/http.js';
import type { AnswerJob } from './answer.js';
import { clientErrorFor } from './errors.js';
import { sendError, writeFrame } from './http.js';
import { costHeader, mmrHeaders, SSE_HEADERS } from './outcome.js';
import { pipeEvents } from './pipe.js';
import { rawCall, rawOnlyProblem } from './raw-request.js';
import { SseTap } from './sse-tap.js';
import { badRequest } from './types.js';
import { readBody, UpstreamTimeout, type Upstream, type UpstreamResponse } from './upstream.js';

/** Response headers of the provider's that a client's SDK reads on an error. */
const FORWARD = ['retry-after', 'retry-after-ms', 'x-should-retry'];
const MAX_BODY = 32 * 1024 * 1024;
const cancelled: ErrorInfo = { kind: 'aborted', message: 'cancelled', status: null, retryable: false };

/** What one attempt got: a 2xx response, or why it failed (with the provider's error response, if any). */
type Attempt = { up: UpstreamResponse; sentAt: number } | { info: ErrorInfo; errorBody?: { status: number; text: string; headers: IncomingMessage['headers'] } };

function failure(m: ResolvedModel, err: unknown, signal: AbortSignal): ErrorInfo {
  if (signal.aborted) return cancelled;
  if (err instanceof UpstreamTimeout) {
    return { kind: 'timeout', message: `${m.id}: ${err.message}`, status: null, retryable: err.which !== 'total', hint: 'raise timeouts in your config if this model is just slow' };
  }
  return networkErrorInfo(m.provider, err);
}

async function attempt(job: AnswerJob, upstream: Upstream, m: ResolvedModel, injectUsage: boolean): Promise<Attempt> {
  const engine = job.target.session.engine;
  const call = rawCall(job.req, m, job.res.req.headers, injectUsage);
  let up: UpstreamResponse;
  const sentAt = performance.now();
  try {
    up = await upstream.post(call, { ...DEFAULT_TIMEOUTS, ...engine.timeouts }, job.signal);
  } catch (err) {
    return { info: failure(m, err, job.signal) };
  }
  const res = up.res;
  const status = res.statusCode ?? 502;
  if (status >= 200 && status < 300) return { up, sentAt };
  const text = redact(m.provider, await readBody(res, 256 * 1024).catch(() => ''));
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
  return { info: classifyHttpError(m.provider, status, h, text, m.model), errorBody: { status, text, headers: res.headers } };
}

/** Answers on the raw path; returns the rest of the chain when a fallback of another protocol should take over. */
export async function answerRaw(job: AnswerJob, upstream: Upstream): Promise<ResolvedModel[] | null> {
  const { req, res, meta, outcome, target } = job;
  const engine = target.session.engine;
  const policy = { ...DEFAULT_RETRY, ...engine.retry };
  bookNow(engine); // starts loading the prices for the first answer
  if (target.chain[0].provider.protocol !== req.protocol) throw badRequest(rawOnlyProblem(req, target.chain[0], req.protocol), 'model', 'unsupported_for_upstream');
  const started = performance.now();
  const fail = (m: ResolvedModel, e: ErrorInfo) => {
    outcome.error = e.message;
    outcome.latencyMs = performance.now() - started;
    if (e.kind === 'aborted' && !job.shutdownError()) return void (outcome.status = 499);
    const ce = job.shutdownError() ?? clientErrorFor(e, req.protocol);
    outcome.status = ce.status;
    sendError(res, job.wire, ce, meta.id, mmrHeaders({ ...meta, model: m.id }));
  };

  for (let k = 0; k < target.chain.length; k++) {
    const m = target.chain[k];
    if (m.provider.protocol !== req.protocol) {
      if (req.needsRaw.length) continue;
      return target.chain.slice(k); // the translated path takes the rest of the chain
    }
    const next = target.chain.slice(k + 1).find((x) => x.provider.protocol === req.protocol || !req.needsRaw.length);
    meta.model = outcome.model = m.id;
    const refused = m.provider.needsKey && !m.provider.apiKey
      ? { kind: 'config' as const, message: `no API key for ${m.provider.id}`, status: null, retryable: false, hint: `set ${m.provider.keyEnv.join(' or ')}` }
      : await engine.preflight?.(m, buildRequest(m, { messages: req.messages, options: req.options }));
    if (refused) {
      fail(m, refused);
      return null;
    }
    const injectUsage = req.protocol === 'openai' && req.stream && !req.includeUsage;

    let got: Attempt;
    for (let n = 1; ; n++) {
      got = await attempt(job, upstream, m, injectUsage);
      if ('up' in got) {
        const early = await stream(job, m, got.up, injectUsage, started, got.sentAt);
        if (!early) return null;
        got = { info: early };
      }
      const wait = retryDelay(n, got.info, policy, Math.random);
      if (!got.info.retryable || n > policy.maxRetries || job.signal.aborted || wait > policy.maxDelayMs) break;
      await sleep(wait, undefined, { signal: job.signal }).catch(() => undefined);
    }
    if (next && !job.signal.aborted && isAvailabilityError(got.info)) {
      meta.fallbackFrom.push(m.id);
      continue;
    }
    if (job.signal.aborted) {
      fail(m, cancelled);
      return null;
    }
    const eb = got.errorBody;
    // The provider's own error, in the client's own protocol: its SDK reads it natively. Except
    // a refused key: that is mmr's key, and the client must not think its own one is wrong.
    if (eb && got.info.kind !== 'auth') {
      Object.assign(outcome, { status: eb.status, error: got.info.message, latencyMs: performance.now() - started });
      const headers: Record<string, string> = { ...mmrHeaders(meta), 'content-type': String(eb.headers['content-type'] ?? 'application/json') };
      for (const h of FORWARD) if (typeof eb.headers[h] === 'string') headers[h] = eb.headers[h] as string;
      res.writeHead(eb.status, headers).end(eb.text);
      return null;
    }
    fail(m, got.info);
    return null;
  }
  return null;
}

/** Price books once loaded, by their loader: with one, an answer's end needs no await. */
const loaded = new WeakMap<() => Promise<PriceBook | null>, PriceBook | null>();

/** The price book if it has loaded (starting the load if not): undefined until then. */
function bookNow(engine: EngineOptions): PriceBook | null | undefined {
  const load = engine.prices;
  if (!load) return null;
  if (!loaded.has(load)) void load().catch(() => null).then((b) => loaded.set(load, b));
  return loaded.get(load);
}

/** The answer's cost: usage × price (0 for a local model without one); null when either is unknown. */
function costOf(engine: EngineOptions, book: PriceBook | null, m: ResolvedModel, usage: Usage | null): number | null {
  if (!usage) return null;
  if (!m.price && engine.isLocal?.(m)) return 0;
  return book ? book.cost(engine.priceProviderOf?.(m), m.model, usage, m.price) : null;
}

/**
 * Forwards a 2xx answer; null when done. A failure before the first byte reached the client is
 * returned (so the attempt can be retried or fall back); after that, it is an in-stream error.
 */
async function stream(job: AnswerJob, m: ResolvedModel, { res: up, progress }: UpstreamResponse, injectUsage: boolean, started: number, sentAt: number): Promise<ErrorInfo | null> {
  const { req, res, meta, outcome } = job;
  const engine = job.target.session.engine;
  const tap = new SseTap(req.protocol, sentAt, injectUsage);
  const status = up.statusCode ?? 200;
  const contentType = String(up.headers['content-type'] ?? 'application/json');
  const finish = (book: PriceBook | null) => {
    Object.assign(outcome, { status, usage: tap.usage, finishReason: tap.finish, ttftMs: tap.ttftMs, latencyMs: performance.now() - started, error: null });
    outcome.costUsd = costOf(engine, book, m, tap.usage);
  };
  const book = async () => bookNow(engine) ?? (await engine.prices?.().catch(() => null)) ?? null;
  if (!/event-stream/i.test(contentType)) {
    let text: string;
    try {
      text = await readBody(up, MAX_BODY, progress);
    } catch (err) {
      return failure(m, err, job.signal);
    }
    tap.readWhole(text);
    finish(await book());
    res.writeHead(status, { ...mmrHeaders(meta), 'content-type': contentType, 'x-mmr-cost-usd': costHeader(outcome.costUsd) });
    res.end(text);
    return null;
  }
  let sent = false;
  const head = () => {
    sent = true;
    res.writeHead(status, { ...SSE_HEADERS, ...mmrHeaders(meta) });
  };
  const end = (b: PriceBook | null) => {
    if (!sent) head();
    finish(b);
    res.addTrailers({ 'x-mmr-cost-usd': costHeader(outcome.costUsd) });
    res.end();
  };
  // With the prices loaded (every answer after the first), the response ends in the tick the
  // body ends, together with the last bytes.
  const endNow = () => {
    const b = bookNow(engine);
    if (b === undefined) return false;
    end(b);
    return true;
  };
  try {
    if (!(await pipeEvents(up, res, tap, { progress, head, end: endNow }))) end(await book());
  } catch (err) {
    const info = failure(m, err, job.signal);
    if (!sent) return info;
    outcome.error = info.message;
    if (info.kind === 'aborted' && !job.shutdownError()) outcome.status = 499;
    else await writeFrame(res, job.wire.stream(req, meta).error(job.shutdownError() ?? clientErrorFor(info, req.protocol)));
    res.end();
  }
  return null;
}
