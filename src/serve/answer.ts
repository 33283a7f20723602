/**
 * The translated path: the request goes through the engine (retries, timeouts, fallback chain,
 * cost cap, usage and cost) to whatever protocol the routed model speaks, and the events come
 * back as the client's protocol. The status line waits for the first text: until then a failure
 * can still be a real HTTP error (429 with Retry-After), which is what SDK retry logic needs;
 * after it, a failure is the protocol's in-stream error.
 */
import type { ServerResponse } from 'node:http';
import { withFallback, type FallbackEvent } from '../core/fallback.js';
import { runModel } from '../core/run-model.js';
import type { AnswerEvent, ErrorInfo } from '../core/types.js';
import { clientErrorFor } from './errors.js';
import { FrameWriter } from './frames.js';
import { headerSafe, sendError, sendJson } from './http.js';
import { costHeader, mmrHeaders, SSE_HEADERS, type Outcome } from './outcome.js';
import type { Target } from './target.js';
import type { AnswerEnd, AnswerMeta, ClientError, ParsedChat, StreamEncoder, Wire } from './types.js';

/** A silent stream gets a keep-alive frame this often, so idle-timeout proxies keep it open. */
export const HEARTBEAT_MS = 15_000;

export interface AnswerJob {
  req: ParsedChat;
  wire: Wire;
  target: Target;
  res: ServerResponse;
  /** Aborts the upstream: the client went away, or the server is shutting down. */
  signal: AbortSignal;
  /** Why the signal aborted, when it is the server's doing (a shutdown); the client is told. */
  shutdownError: () => ClientError | null;
  meta: AnswerMeta;
  /** Keep the answer text for the log. */
  keepText: boolean;
  outcome: Outcome;
}

export async function answerWithEngine(job: AnswerJob): Promise<void> {
  const { req, wire, target, res, meta, outcome } = job;
  meta.model = outcome.model = target.chain[0].id;
  const keep = job.keepText || !req.stream;
  let text = '';
  let reasoning = '';
  let enc: StreamEncoder | null = null;
  let lastWrite = 0;
  let heartbeat: NodeJS.Timeout | undefined;
  const out = new FrameWriter(res);
  const write = (frame: string) => {
    lastWrite = performance.now();
    return out.write(frame);
  };
  const ignored: Record<string, string> = req.prefersRaw.length ? { 'x-mmr-ignored': headerSafe(req.prefersRaw.join(', ')) } : {};
  const commit = () => {
    res.writeHead(200, { ...SSE_HEADERS, ...mmrHeaders(meta), ...ignored });
    enc = wire.stream(req, meta);
    heartbeat = setInterval(() => {
      if (performance.now() - lastWrite >= HEARTBEAT_MS - 50) void write(enc!.ping());
    }, HEARTBEAT_MS).unref();
    return write(enc.start());
  };
  const fail = async (error: ErrorInfo) => {
    const ce = job.shutdownError() ?? clientErrorFor(error, req.protocol);
    outcome.error = error.message;
    if (error.kind === 'aborted' && !job.shutdownError()) return void (outcome.status = 499);
    if (enc) {
      await write(enc.error(ce));
      out.end();
    } else sendError(res, wire, ce, meta.id, mmrHeaders(meta));
    outcome.status = enc ? 200 : ce.status;
  };

  // One answer, so no fan-out layer: the model's events, or its chain's (with `fallback` events).
  const prompt = { messages: req.messages, options: req.options };
  const engine = { ...target.session.engine, signal: job.signal };
  const events: AsyncIterable<AnswerEvent | FallbackEvent> = target.chain.length > 1 ? withFallback(target.chain, prompt, engine) : runModel(target.chain[0], prompt, engine);
  try {
    for await (const ev of events) {
      switch (ev.type) {
        case 'fallback':
          meta.fallbackFrom.push(ev.from);
          meta.model = ev.to;
          outcome.model = ev.to;
          break;
        case 'text-delta':
        case 'reasoning-delta': {
          if (keep && ev.type === 'text-delta') text += ev.text;
          else if (keep) reasoning += ev.text;
          if (!req.stream) break;
          const started = enc ? undefined : commit();
          if (started) await started;
          const w = write(ev.type === 'text-delta' ? enc!.text(ev.text) : enc!.reasoning(ev.text));
          if (w) await w;
          break;
        }
        case 'finish': {
          const end: AnswerEnd = { finishReason: ev.finishReason, usage: ev.usage, costUsd: ev.costUsd };
          Object.assign(outcome, { status: 200, finishReason: ev.finishReason.raw, usage: ev.usage, costUsd: ev.costUsd, ttftMs: ev.ttftMs, latencyMs: ev.latencyMs });
          if (!req.stream) {
            sendJson(res, 200, wire.complete(req, meta, text, reasoning, end), { ...mmrHeaders(meta), ...ignored, 'x-mmr-cost-usd': costHeader(ev.costUsd) });
            break;
          }
          if (!enc) await commit();
          await write(enc!.finish(end));
          res.addTrailers({ 'x-mmr-cost-usd': costHeader(ev.costUsd) });
          out.end();
          break;
        }
        case 'error':
          Object.assign(outcome, { ttftMs: ev.ttftMs, latencyMs: ev.latencyMs });
          await fail(ev.error);
          break;
      }
    }
  } finally {
    clearInterval(heartbeat);
    if (job.keepText) outcome.answer = text;
  }
}
