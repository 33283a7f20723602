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
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS, type ResolvedModel } from '../core/model.js';
import { buildRequest } from '../core/request.js';
import { retryDelay } from '../core/run-model.js';
import type { ErrorInfo } from '../core/types.js';
import { classifyHttpError, networkErrorInfo, redact } from '../providers/http.js';
import type { AnswerJob } from './answer.js';
import { clientErrorFor } from './errors.js';
import { sendError, writeFrame } from './http.js';
import { costHeader, mmrHeaders, SSE_HEADERS } from './outcome.js';
import { rawCall, rawOnlyProblem } from './raw-request.js';
import { readUsage, tapEvents, type UsageTap } from './sse-tap.js';
import { badRequest } from './types.js';
import { readBody, UpstreamTimeout, type Upstream, type UpstreamResponse } from './upstream.js';

/** Response headers of the provider's that a client's SDK reads on an error. */
const FORWARD = ['retry-after', 'retry-after-ms', 'x-should-retry'];
const MAX_BODY = 32 * 1024 * 1024;
const cancelled: ErrorInfo = { kind: 'aborted', message: 'cancelled', status: null, retryable: false };

/** What one attempt got: a 2xx response, or why it failed (with the provider's error response, if any). */
type Attempt = { up: UpstreamResponse } | { info: ErrorInfo; errorBody?: { status: number; text: string; headers: IncomingMessage['headers'] } };

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
  try {
    up = await upstream.post(call, { ...DEFAULT_TIMEOUTS, ...engine.timeouts }, job.signal);
  } catch (err) {
    return { info: failure(m, err, job.signal) };
  }
  const res = up.res;
  const status = res.statusCode ?? 502;
  if (status >= 200 && status < 300) return { up };
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
        const early = await stream(job, m, got.up, injectUsage, started);
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

/**
 * Forwards a 2xx answer; null when done. A failure before the first byte reached the client is
 * returned (so the attempt can be retried or fall back); after that, it is an in-stream error.
 */
async function stream(job: AnswerJob, m: ResolvedModel, { res: up, progress }: UpstreamResponse, injectUsage: boolean, started: number): Promise<ErrorInfo | null> {
  const { req, res, meta, outcome } = job;
  const engine = job.target.session.engine;
  const tap: UsageTap = { protocol: req.protocol, usage: null, finish: null, ttftMs: null, started };
  const cost = async () => {
    if (!tap.usage) return null;
    if (!m.price && engine.isLocal?.(m)) return 0;
    const book = await engine.prices?.().catch(() => null);
    return book ? book.cost(engine.priceProviderOf?.(m), m.model, tap.usage, m.price) : null;
  };
  const contentType = String(up.headers['content-type'] ?? 'application/json');
  const finish = (status: number) => Object.assign(outcome, { status, usage: tap.usage, finishReason: tap.finish, ttftMs: tap.ttftMs, latencyMs: performance.now() - started, error: null });
  if (!/event-stream/i.test(contentType)) {
    let text: string;
    try {
      text = await readBody(up, MAX_BODY, progress);
    } catch (err) {
      return failure(m, err, job.signal);
    }
    readUsage(tap, text);
    finish(up.statusCode ?? 200).costUsd = await cost();
    res.writeHead(up.statusCode ?? 200, { ...mmrHeaders(meta), 'content-type': contentType, 'x-mmr-cost-usd': costHeader(outcome.costUsd) });
    res.end(text);
    return null;
  }
  const events = tapEvents(up, tap, injectUsage, progress)[Symbol.asyncIterator]();
  let first: IteratorResult<Buffer>;
  try {
    first = await events.next();
  } catch (err) {
    return failure(m, err, job.signal);
  }
  res.writeHead(up.statusCode ?? 200, { ...SSE_HEADERS, ...mmrHeaders(meta) });
  try {
    for (let r = first; !r.done; r = await events.next()) {
      const w = writeFrame(res, r.value);
      if (w) await w;
    }
  } catch (err) {
    const info = failure(m, err, job.signal);
    outcome.error = info.message;
    if (info.kind === 'aborted' && !job.shutdownError()) outcome.status = 499;
    else await writeFrame(res, job.wire.stream(req, meta).error(job.shutdownError() ?? clientErrorFor(info, req.protocol)));
    res.end();
    return null;
  }
  finish(up.statusCode ?? 200).costUsd = await cost();
  res.addTrailers({ 'x-mmr-cost-usd': costHeader(outcome.costUsd) });
  res.end();
  return null;
}
