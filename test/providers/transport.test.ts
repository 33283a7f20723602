/**
 * mmr's node:http transport against a real server on 127.0.0.1: a pooled keep-alive connection
 * the server drops as it is reused (its idle close racing the reuse) is retried once on a new
 * connection; a request on a new connection that fails is not retried, nor one retried already.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connServer, type ConnHandler } from '../helpers/conn-server.js';
import { nodeRequest } from '../../src/providers/transport.js';

const open: (() => void)[] = [];
afterEach(() => {
  for (const close of open.splice(0)) close();
});

async function server(handler: ConnHandler) {
  const srv = await connServer(handler);
  open.push(srv.close);
  return srv;
}

async function post(url: string): Promise<string> {
  const res = await nodeRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
  let text = '';
  for await (const chunk of res.body ?? []) text += Buffer.from(chunk).toString('utf8');
  return `${res.status} ${text}`;
}

describe('nodeRequest on a pooled connection', () => {
  it('sends again, once, on a new connection when a reused one is dropped before any answer', async () => {
    const srv = await server((_req, res, nth) => (nth === 1 ? res.end('first') : res.socket!.destroy()));
    expect(await post(srv.url)).toBe('200 first');
    expect(await post(srv.url)).toBe('200 first'); // the reused connection was dropped; a new one answered
    expect(srv.connections()).toBe(2);
  });

  it('does not send again when a new connection fails, nor a second time', async () => {
    const srv = await server((_req, res) => res.socket!.destroy());
    await expect(post(srv.url)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(srv.connections()).toBe(1);

    let answered = 0;
    const twice = await server((_req, res, nth) => (nth === 1 && answered++ === 0 ? res.end('ok') : res.socket!.destroy()));
    expect(await post(twice.url)).toBe('200 ok');
    // Reused and dropped, then new and dropped: one retry only, then the error.
    await expect(post(twice.url)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(twice.connections()).toBe(2);
  });
});
