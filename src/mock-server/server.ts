/**
 * mmr's own local provider server: one HTTP server on 127.0.0.1 speaking OpenAI (Chat
 * Completions and Responses), Azure OpenAI, Anthropic, Gemini and Ollama wire formats under path
 * prefixes (routes.ts), each request answered by a script, plus their models listings.
 * Used by the test suite, `mmr demo` and the benchmarks; node builtins only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorResponse } from './errors.js';
import { encodeReply, lowerKeys } from './encode-reply.js';
import { notFound, ollamaInfo, providerListing } from './info-routes.js';
import { ollamaModelName } from './ollama.js';
import { floodUnits, sendFlood } from './flood.js';
import { batchRoutes } from './batch.js';
import { send } from './send.js';
import { authFlavorOf, checkAuth, generationRoute, type Route } from './routes.js';
import type { MockReply, MockRequestInfo, MockServer, MockServerOptions } from './types.js';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the server on `options.host`/`options.port` (default 127.0.0.1, an ephemeral port). */
export async function startMockServer(options: MockServerOptions): Promise<MockServer> {
  const host = options.host ?? '127.0.0.1';
  const requests: MockRequestInfo[] = [];
  const attempts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const inflight = new Set<AbortController>();
  const tags = options.ollamaModels ?? ['llama3.2'];
  let url = '';
  const listings: MockServer['listings'] = [];

  const generate = async (route: Route, req: IncomingMessage, res: ServerResponse, url: URL, signal: AbortSignal) => {
    const text = await readBody(req);
    const receivedAt = performance.now();
    let body: any = {};
    let parsed = true;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = text;
      parsed = false;
    }
    const bodyModel = typeof body?.model === 'string' ? body.model : '';
    const model = route.gemini ? route.gemini.model : route.azure?.deployment || bodyModel;
    const stream = route.gemini ? route.gemini.stream : route.flavor === 'ollama' ? body?.stream !== false : body?.stream === true;
    const key = `${route.protocol}\u0000${model}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const served: NonNullable<MockRequestInfo['served']> = { headersMs: null, firstBodyMs: null, lastBodyMs: null, endMs: null };
    const info: MockRequestInfo = { protocol: route.protocol, model, stream, body, headers: req.headers, path: req.url ?? '', attempt, served };
    const onSend = (what: 'headers' | 'first' | 'last' | 'end') => {
      const ms = performance.now() - receivedAt;
      if (what === 'headers') served.headersMs = ms;
      else if (what === 'first') served.firstBodyMs = ms;
      else if (what === 'last') served.lastBodyMs = ms;
      else served.endMs = ms;
    };
    requests.push(info);
    res.on('close', () => {
      if (!res.writableFinished) info.closedEarly = true;
    });

    const sse = route.gemini?.sse ?? false;
    // Azure answers a request without api-version (or for a deployment it lacks) before it checks the key.
    if (route.azure && !route.azure.apiVersion) {
      return send(res, { status: 404, headers: { 'content-type': 'application/json' }, frames: ['{"error":{"code":"404","message": "Resource not found"}}'], chunked: false }, {}, signal);
    }
    if (route.azure?.deployment && options.azureDeployments && !options.azureDeployments.includes(route.azure.deployment)) {
      return send(res, errorResponse('azure', 404, undefined), {}, signal);
    }
    const denied = checkAuth(options, authFlavorOf(route), req, url, sse);
    if (denied) return send(res, denied, {}, signal);
    if (!parsed) {
      const message = 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly.)';
      return send(res, errorResponse(route.flavor, 400, message, { sse, code: null }), {}, signal);
    }
    if (route.protocol === 'ollama' && options.ollamaModels && !tags.map(ollamaModelName).includes(ollamaModelName(model))) {
      return send(res, errorResponse(route.flavor, 404, `model "${model}" not found, try pulling it first`, { model }), {}, signal);
    }
    let reply: MockReply;
    try {
      reply = (await options.reply(info)) ?? {};
    } catch (err) {
      const message = `mock server: reply() threw: ${err instanceof Error ? err.message : String(err)}`;
      return send(res, errorResponse(route.flavor, 500, message, { sse, model }), {}, signal);
    }
    if (signal.aborted) return;
    if (reply.redirectTo !== undefined) {
      const status = reply.status !== undefined && reply.status >= 300 && reply.status < 400 ? reply.status : 307;
      return send(res, { status, headers: { location: reply.redirectTo, ...lowerKeys(reply.headers) }, frames: [], chunked: false }, reply, signal);
    }
    if (reply.flood) {
      // The first frames of a real answer give the protocol's framing for the endless part.
      const answer = encodeReply(route, { ...info, stream: true }, { ...reply, text: (reply.text ?? 'flood ').repeat(3), deltaChars: (reply.text ?? 'flood ').length });
      const { head, unit } = floodUnits(route.protocol, reply.flood, answer);
      return sendFlood(res, { ...answer, encoding: reply.encoding }, head, unit, signal);
    }
    const enc = encodeReply(route, info, reply);
    if (reply.encoding) enc.encoding = reply.encoding;
    await send(res, enc, { ...reply, onSend }, signal);
  };

  // Batch endpoints (batch.ts): answered from jobs that run each request through `reply`.
  const batch = batchRoutes({
    options,
    record: (info) => requests.push(info),
    url: () => url,
    auth: (protocol, req) => checkAuth(options, protocol, req, new URL(req.url ?? '/', 'http://mock.invalid'), false),
    notFound: (protocol, message) => errorResponse(protocol, 404, message, protocol === 'openai' ? { code: null } : {}),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal) => {
    const url = new URL(req.url ?? '/', 'http://mock.invalid');
    const method = req.method ?? 'GET';
    const batched = await batch.handle(req, url);
    if (batched) return send(res, batched, {}, signal);
    const route = generationRoute(method, url);
    if (route) return generate(route, req, res, url, signal);
    req.resume();
    const p = url.pathname.replace(/\/+$/, '');
    const listed = method === 'GET' ? providerListing(p, url, req, options) : null;
    if (listed) {
      listings.push({ path: req.url ?? '', headers: req.headers });
      return send(res, listed, {}, signal);
    }
    return send(res, ollamaInfo(method, p, tags) ?? notFound(method, url, p), {}, signal);
  };

  const server = createServer({ noDelay: true }, (req, res) => {
    const ac = new AbortController();
    inflight.add(ac);
    // 'close' also fires after a normal end; aborting then is harmless.
    res.on('close', () => {
      ac.abort();
      inflight.delete(ac);
    });
    handle(req, res, ac.signal).catch(() => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500, { 'content-type': 'text/plain' }).end('mock server error');
      else res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 0;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    baseUrls: {
      openai: `${url}/openai/v1`,
      'openai-responses': `${url}/openai/v1`,
      azure: `${url}/azure`,
      anthropic: `${url}/anthropic`,
      gemini: `${url}/gemini/v1beta`,
      ollama: `${url}/ollama`,
    },
    requests,
    listings,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const ac of inflight) ac.abort();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
