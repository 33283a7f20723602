/**
 * The raw path, for what the translation cannot carry (tools, images, response_format, ...): the
 * client's own body goes to a routed model that speaks the client's protocol, with mmr's key in
 * place of whatever the client sent, and the provider's answer comes back byte for byte, read on
 * the way for usage and cost. Fallbacks of the same protocol are tried while the upstream is
 * unavailable (429, 5xx, network) and nothing has been sent yet.
 */
import type { ServerResponse } from 'node:http';
import { buildRequest } from '../core/request.js';
import type { ResolvedModel } from '../core/model.js';
import type { ErrorInfo } from '../core/types.js';
import { ANTHROPIC_VERSION } from '../providers/anthropic.js';
import { classifyHttpError, joinUrl, networkErrorInfo, redact } from '../providers/http.js';
import type { AnswerJob } from './answer.js';
import { clientErrorFor } from './errors.js';
import { sendError, writeFrame } from './http.js';
import { costHeader, mmrHeaders, SSE_HEADERS } from './outcome.js';
import { badRequest } from './types.js';
import { readUsage, tapEvents, type UsageTap } from './sse-tap.js';

/** Response headers of the upstream's that a client's SDK reads. */
const FORWARD = ['retry-after', 'retry-after-ms', 'x-should-retry', 'anthropic-ratelimit-requests-remaining', 'x-ratelimit-remaining-requests'];
const MAX_JSON_BYTES = 32 * 1024 * 1024;

function upstreamCall(job: AnswerJob, m: ResolvedModel, injectUsage: boolean) {
  const spec = m.provider;
  const body: Record<string, unknown> = { ...job.req.body, model: m.model };
  const headers: Record<string, string> = { 'content-type': 'application/json', ...spec.headers };
  if (job.req.protocol === 'openai') {
    if (injectUsage) body.stream_options = { ...(body.stream_options as object), include_usage: true };
    if (spec.apiKey) headers.authorization = `Bearer ${spec.apiKey}`;
    return { url: joinUrl(spec.baseUrl, 'chat/completions'), headers, body };
  }
  const h = job.res.req.headers;
  headers['anthropic-version'] = typeof h['anthropic-version'] === 'string' ? h['anthropic-version'] : ANTHROPIC_VERSION;
  if (typeof h['anthropic-beta'] === 'string') headers['anthropic-beta'] = h['anthropic-beta'];
  if (spec.apiKey) headers['x-api-key'] = spec.apiKey;
  return { url: joinUrl(spec.baseUrl, 'v1/messages'), headers, body };
}

/** The models of the chain that can take the raw body; a 400 when the routed one cannot. */
function rawChain(job: AnswerJob): ResolvedModel[] {
  const { req, target } = job;
  const first = target.chain[0];
  if (first.provider.protocol !== req.protocol) {
    throw badRequest(
      `${req.needsRaw.join(', ')}: mmr serve passes these only to a model that speaks the ${req.protocol} protocol, and "${req.model}" routes to ${first.id} (${first.provider.protocol}). ` +
        `Name a ${req.protocol} model, route this request to one, or leave these out.`,
      'model',
      'unsupported_for_upstream',
    );
  }
  return target.chain.filter((m) => m.provider.protocol === req.protocol);
}

const retryable = (status: number) => status === 429 || status >= 500;

export async function answerRaw(job: AnswerJob): Promise<void> {
  const { req, res, meta, outcome } = job;
  const chain = rawChain(job);
  const engine = job.target.session.engine;
  const fetchImpl = engine.fetch ?? globalThis.fetch;
  const totalMs = engine.timeouts?.totalMs ?? 600_000;
  const failWith = (m: ResolvedModel, e: ErrorInfo) => {
    outcome.error = e.message;
    if (job.signal.aborted && !job.shutdownError()) return void (outcome.status = 499);
    const ce = job.shutdownError() ?? clientErrorFor(e, req.protocol);
    outcome.status = ce.status;
    sendError(res, job.wire, ce, meta.id, mmrHeaders({ ...meta, model: m.id }));
  };
  for (let k = 0; k < chain.length; k++) {
    const m = chain[k];
    const last = k === chain.length - 1;
    meta.model = outcome.model = m.id;
    const refused = await engine.preflight?.(m, buildRequest(m, { messages: req.messages, options: req.options }));
    if (refused) return failWith(m, refused);
    if (m.provider.needsKey && !m.provider.apiKey) {
      return failWith(m, { kind: 'config', message: `no API key for ${m.provider.id}`, status: null, retryable: false, hint: `set ${m.provider.keyEnv.join(' or ')}` });
    }
    const injectUsage = req.protocol === 'openai' && req.stream && !req.includeUsage;
    const call = upstreamCall(job, m, injectUsage);
    const started = performance.now();
    let up: Response;
    try {
      up = await fetchImpl(call.url, { method: 'POST', headers: call.headers, body: JSON.stringify(call.body), signal: AbortSignal.any([job.signal, AbortSignal.timeout(totalMs)]) });
    } catch (err) {
      if (!last && !job.signal.aborted) {
        meta.fallbackFrom.push(m.id);
        continue;
      }
      return failWith(m, job.signal.aborted ? { kind: 'aborted', message: 'cancelled', status: null, retryable: false } : networkErrorInfo(m.provider, err));
    }
    if (!up.ok) {
      const text = redact(m.provider, (await up.text().catch(() => '')).slice(0, 256 * 1024));
      if (retryable(up.status) && !last) {
        meta.fallbackFrom.push(m.id);
        continue;
      }
      const info = classifyHttpError(m.provider, up.status, up.headers, text, m.model);
      // The upstream refusing mmr's key is mmr's problem, not the client's (never a 401 to it).
      if (info.kind === 'auth') return failWith(m, info);
      outcome.status = up.status;
      outcome.error = info.message;
      const headers: Record<string, string> = { ...mmrHeaders(meta), 'content-type': up.headers.get('content-type') ?? 'application/json' };
      for (const h of FORWARD) if (up.headers.get(h) !== null) headers[h] = up.headers.get(h)!;
      res.writeHead(up.status, headers).end(text);
      return;
    }
    outcome.status = up.status;
    const tap: UsageTap = { protocol: req.protocol, usage: null, finish: null, ttftMs: null, started };
    const isSse = /event-stream/i.test(up.headers.get('content-type') ?? '');
    const cost = async () => {
      const book = await engine.prices?.().catch(() => null);
      if (!tap.usage) return null;
      if (!m.price && engine.isLocal?.(m)) return 0;
      return book ? book.cost(engine.priceProviderOf?.(m), m.model, tap.usage, m.price) : null;
    };
    if (!isSse) {
      const text = await up.text();
      if (text.length > MAX_JSON_BYTES) return failWith(m, { kind: 'bad-response', message: 'upstream answer too large', status: null, retryable: false });
      readUsage(tap, text);
      outcome.costUsd = await cost();
      res.writeHead(up.status, { ...mmrHeaders(meta), 'content-type': up.headers.get('content-type') ?? 'application/json', 'x-mmr-cost-usd': costHeader(outcome.costUsd) });
      res.end(text);
    } else {
      res.writeHead(up.status, { ...SSE_HEADERS, ...mmrHeaders(meta) });
      try {
        for await (const frame of tapEvents(up.body!, tap, injectUsage, job.signal)) {
          const w = writeFrame(res, frame);
          if (w) await w;
        }
      } catch (err) {
        outcome.error = job.signal.aborted ? 'cancelled' : `upstream stream failed: ${err instanceof Error ? err.message : String(err)}`;
        if (job.signal.aborted && !job.shutdownError()) outcome.status = 499;
        res.destroy();
        return;
      }
      outcome.costUsd = await cost();
      res.addTrailers({ 'x-mmr-cost-usd': costHeader(outcome.costUsd) });
      res.end();
    }
    Object.assign(outcome, { usage: tap.usage, finishReason: tap.finish, ttftMs: tap.ttftMs, latencyMs: performance.now() - started });
    return;
  }
}
