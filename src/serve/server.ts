/**
 * mmr serve's HTTP server (node:http, no framework): OpenAI Chat Completions and Anthropic
 * Messages in front of mmr's router. Limits against slow or oversized clients are set here;
 * each chat request is parsed by its wire, routed, answered on the translated or the raw path,
 * logged and counted. `shutdown` drains in-flight answers within a bound, then cuts the rest.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerWithEngine, type AnswerJob } from './answer.js';
import { anthropicWire } from './anthropic-wire.js';
import { checkAccess, type AccessPolicy } from './auth.js';
import { readJson, sendError, sendJson } from './http.js';
import { logRow, type ServeLog, type ServeLogRow } from './log.js';
import { modelEntry, modelList } from './models.js';
import { openaiWire } from './openai-wire.js';
import { emptyOutcome } from './outcome.js';
import { answerRaw } from './passthrough.js';
import { Upstream } from './upstream.js';
import { ServeStats } from './stats.js';
import { resolveTarget, type RouteContext } from './target.js';
import { ClientRequestError, type ClientError, type ParsedChat, type Wire } from './types.js';

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  policy: AccessPolicy;
  route: RouteContext;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  log?: ServeLog;
  /** Keep prompt and answer text in the log. */
  logText: boolean;
  /** Called with each finished request's row (the -v status line). */
  onRequest?: (row: ServeLogRow) => void;
  /** Overrides of LIMITS (tests use short timeouts). */
  limits?: Partial<typeof LIMITS>;
}

export interface RunningServer {
  /** `http://HOST:PORT` as bound. */
  url: string;
  port: number;
  stats: ServeStats;
  /** Requests being answered now. */
  inflight(): number;
  /** Stops accepting, waits up to `drainMs` for in-flight answers, then aborts the rest. `drained`: none had to be cut. */
  shutdown(drainMs: number): Promise<{ drained: boolean }>;
}

/** Slow-client bounds: headers within 10 s, the whole request body within 60 s (checked every second). */
export const LIMITS = { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000, maxHeaderBytes: 16 * 1024, maxConnections: 1024, checkEveryMs: 1_000 };

/** A path that URL parsing would return as it is: no dot segments, escapes or characters it would encode. */
const PLAIN_PATH = /^\/(?!\/)[\w\-/:@~!$&'()*+,;=]*$/;

/** The request's path without trailing slashes (URL parsing only for what is not a plain path). */
function pathOf(raw: string): string {
  const q = raw.indexOf('?');
  const p = q < 0 ? raw : raw.slice(0, q);
  return (PLAIN_PATH.test(p) ? p : new URL(raw, 'http://mmr.invalid').pathname).replace(/\/+$/, '') || '/';
}

const SHUTTING_DOWN: ClientError = { status: 503, type: 'overloaded', message: 'mmr serve is shutting down; retry against a running instance', shouldRetry: true };
const wireFor = (req: IncomingMessage, path: string): Wire => (path === '/v1/messages' || req.headers['anthropic-version'] ? anthropicWire : openaiWire);

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const stats = new ServeStats(new Date().toISOString());
  const upstream = new Upstream();
  // The translated path's adapters use the engine's own node:http transport (its keep-alive pools).
  const route: RouteContext = { ...opts.route };
  /** Set when the drain bound has passed: answers still running are cut. */
  let cutting = false;
  const live = new Set<AbortController>();
  const active = new Set<Promise<void>>();
  let draining = false;

  const finish = (row: ServeLogRow) => {
    opts.log?.write(row);
    stats.add(row);
    opts.onRequest?.(row);
  };

  async function chat(wire: Wire, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const t0 = performance.now();
    const time = new Date();
    const ac = new AbortController();
    live.add(ac);
    res.on('close', () => {
      if (!res.writableFinished) ac.abort('client closed the connection');
    });
    const signal = ac.signal;
    const outcome = emptyOutcome();
    let parsed: ParsedChat | undefined;
    try {
      parsed = wire.parse(await readJson(req, opts.maxBodyBytes));
      const target = await resolveTarget(route, parsed);
      outcome.route = target.route;
      outcome.model = target.chain[0].id;
      // Same protocol on both sides: the body goes through untouched (every field kept, half the
      // CPU of translating); tools and images can go no other way.
      const samePlace = target.chain[0].provider.protocol === parsed.protocol;
      outcome.path = parsed.needsRaw.length > 0 || samePlace ? 'raw' : 'engine';
      const job: AnswerJob = {
        req: parsed, wire, target, res, signal, outcome, keepText: opts.logText,
        shutdownError: () => (cutting && ac.signal.reason === 'shutdown' ? SHUTTING_DOWN : null),
        meta: { id, model: target.chain[0].id, route: target.route, fallbackFrom: outcome.fallbackFrom, created: Math.floor(Date.now() / 1000) },
      };
      const rest = outcome.path === 'raw' ? await answerRaw(job, upstream) : target.chain;
      if (rest) {
        // A fallback of the other protocol continues on the translated path.
        outcome.path = 'engine';
        await answerWithEngine({ ...job, target: { ...target, chain: rest } });
      }
    } catch (err) {
      const e: ClientError = err instanceof ClientRequestError
        ? err.info
        : { status: 500, type: 'server', message: `mmr serve internal error: ${err instanceof Error ? err.message : String(err)}` };
      outcome.status = e.status;
      outcome.error = e.message;
      // The rest of an oversized body is not worth reading: answer, then drop the connection.
      if (e.status === 413 && !res.headersSent) res.setHeader('connection', 'close');
      if (!res.headersSent) sendError(res, wire, e, id);
      else res.destroy();
      req.resume();
    } finally {
      live.delete(ac);
      finish(logRow(outcome, parsed ?? { protocol: wire.protocol }, { id, time, wallMs: performance.now() - t0, text: opts.logText }));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = `req_${randomUUID().replaceAll('-', '')}`;
    const path = pathOf(req.url ?? '/');
    const wire = wireFor(req, path);
    const method = req.method ?? 'GET';
    if (draining) {
      res.setHeader('connection', 'close');
      return sendError(res, wire, SHUTTING_DOWN, id);
    }
    const denied = checkAccess(req, opts.policy);
    if (denied) {
      req.resume();
      return sendError(res, wire, denied, id);
    }
    if (method === 'POST' && path === '/v1/chat/completions') return chat(openaiWire, req, res, id);
    if (method === 'POST' && path === '/v1/messages') return chat(anthropicWire, req, res, id);
    req.resume();
    if (method === 'GET' && path === '/v1/models') return sendJson(res, 200, modelList(opts.route.loaded, wire.protocol));
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      let name = path.slice('/v1/models/'.length);
      try {
        name = decodeURIComponent(name);
      } catch {
        // a malformed escape names no model; the 404 below says so
      }
      const entry = modelEntry(opts.route.loaded, wire.protocol, name);
      if (entry) return sendJson(res, 200, entry);
      return sendError(res, wire, { status: 404, type: 'not_found', code: 'model_not_found', message: `no model ${path.slice(11, 200)} here; GET /v1/models lists them` }, id);
    }
    if (method === 'GET' && path === '/mmr/stats') return sendJson(res, 200, stats.json());
    if (method === 'GET' && path === '/mmr/health') return sendJson(res, 200, { ok: true, inflight: active.size });
    const known = ['/v1/chat/completions', '/v1/messages', '/v1/models', '/mmr/stats', '/mmr/health'].includes(path);
    sendError(res, wire, { status: known ? 405 : 404, type: 'not_found', message: `${known ? 'method not allowed' : 'no such endpoint'}: ${method} ${path.slice(0, 200)}` }, id);
  }

  const lim = { ...LIMITS, ...opts.limits };
  const server = createServer({
    noDelay: true,
    maxHeaderSize: lim.maxHeaderBytes,
    headersTimeout: lim.headersTimeoutMs,
    requestTimeout: lim.requestTimeoutMs,
    keepAliveTimeout: lim.keepAliveTimeoutMs,
    connectionsCheckingInterval: lim.checkEveryMs,
  }, (req, res) => {
    const p = handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
    active.add(p);
    void p.finally(() => active.delete(p));
  });
  server.maxConnections = lim.maxConnections;
  server.maxHeadersCount = 200;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  return {
    url: `http://${shown}:${port}`,
    port,
    stats,
    inflight: () => active.size,
    async shutdown(drainMs) {
      draining = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const waitAll = () => Promise.all([...active]).then(() => true);
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([waitAll(), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), drainMs)))]);
      clearTimeout(timer);
      if (!drained) {
        cutting = true;
        for (const ac of live) ac.abort('shutdown');
        // Cut streams get their in-stream error; give them a moment to be written.
        await Promise.race([waitAll(), new Promise((r) => setTimeout(r, 1000).unref())]);
      }
      server.closeAllConnections();
      upstream.close();
      await closed;
      return { drained };
    },
  };
}
