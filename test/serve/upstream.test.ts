/**
 * The raw path's HTTP client against a real server on 127.0.0.1: a pooled keep-alive connection
 * that the server drops as it is reused (what a server closing idle connections does when the
 * reuse races its close) is retried once on a new connection; a request on a new connection that
 * fails is not retried, and neither is one already answered.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS } from '../../src/core/model.js';
import { readBody, Upstream } from '../../src/serve/upstream.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, nth: number) => void;

const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

/** A server that hands each request, with its index on its own connection (1-based), to `handler`. */
async function server(handler: Handler): Promise<{ url: string; connections: () => number }> {
  const perSocket = new WeakMap<Socket, number>();
  let connections = 0;
  const s = http.createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    req.resume();
    req.on('end', () => handler(req, res, n));
  });
  s.on('connection', () => connections++);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  open.push({
    close: () => {
      s.closeAllConnections();
      s.close();
    },
  });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1/chat/completions`, connections: () => connections };
}

async function post(up: Upstream, url: string): Promise<string> {
  const { res } = await up.post({ url, headers: { 'content-type': 'application/json' }, body: '{"x":1}' }, DEFAULT_TIMEOUTS, new AbortController().signal);
  return `${res.statusCode} ${await readBody(res, 1024)}`;
}

describe('Upstream.post', () => {
  it('sends a request again, once, on a new connection when a reused one is dropped before any answer', async () => {
    const srv = await server((_req, res, nth) => (nth === 1 ? res.end('first') : res.socket!.destroy()));
    const up = new Upstream();
    open.push(up);
    expect(await post(up, srv.url)).toBe('200 first');
    expect(await post(up, srv.url)).toBe('200 first'); // the reused connection was dropped; a new one answered
    expect(srv.connections()).toBe(2);
  });

  it('does not send again when a new connection fails, nor a second time', async () => {
    const srv = await server((_req, res) => res.socket!.destroy());
    const up = new Upstream();
    open.push(up);
    await expect(post(up, srv.url)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(srv.connections()).toBe(1);

    let answered = 0;
    const twice = await server((_req, res, nth) => (nth === 1 && answered++ === 0 ? res.end('ok') : res.socket!.destroy()));
    expect(await post(up, twice.url)).toBe('200 ok');
    // Reused and dropped, then new and dropped: one retry only, then the error.
    await expect(post(up, twice.url)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(twice.connections()).toBe(2);
  });
});
