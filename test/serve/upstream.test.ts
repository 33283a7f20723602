/**
 * The raw path's HTTP client against a real server on 127.0.0.1: a pooled keep-alive connection
 * that the server drops as it is reused (what a server closing idle connections does when the
 * reuse races its close) is retried once on a new connection; a request on a new connection that
 * fails is not retried, and neither is one already answered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connServer, type ConnHandler } from '../helpers/conn-server.js';
import { DEFAULT_TIMEOUTS } from '../../src/core/model.js';
import { readBody, Upstream } from '../../src/serve/upstream.js';

const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

async function server(handler: ConnHandler) {
  const srv = await connServer(handler);
  open.push(srv);
  return srv;
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
