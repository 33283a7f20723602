/**
 * readJson against a real node:http server: a body in many chunks is parsed whole; a chunked
 * body (no declared length) over the limit is refused with a 413 the client still receives; a
 * body that is not JSON is a 400; a client that goes away mid-body rejects the read.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '../../src/serve/http.js';
import { ClientRequestError } from '../../src/serve/types.js';

const MAX = 10 * 1024;
let server: http.Server;
let port = 0;
let lastError: unknown;

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    try {
      const body = await readJson(req, MAX);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } catch (err) {
      lastError = err;
      const status = err instanceof ClientRequestError ? err.info.status : 500;
      if (!res.destroyed) res.writeHead(status, { connection: 'close' }).end(String((err as Error).message));
      req.resume();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** Sends `pieces` as a chunked body, one write each; resolves with status and text. */
function send(pieces: string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    for (const p of pieces) req.write(p);
    req.end();
  });
}

describe('readJson', () => {
  it('parses a body that came in many chunks', async () => {
    const json = JSON.stringify({ messages: [{ role: 'user', content: 'é'.repeat(500) }] });
    const pieces = json.match(/.{1,97}/gs)!;
    const r = await send(pieces);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual(JSON.parse(json));
  });

  it('refuses a chunked body over the limit with a 413 the client receives', async () => {
    const r = await send(Array.from({ length: 30 }, () => 'x'.repeat(1024)));
    expect(r.status).toBe(413);
    expect(r.text).toMatch(/exceeds 10 KiB/);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const r = await send(['{"model": ', 'oops']);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/not valid JSON/);
  });

  it('rejects when the client goes away before the body ends', async () => {
    lastError = undefined;
    await new Promise<void>((resolve) => {
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/', agent: false, headers: { 'content-length': '100' } });
      req.on('error', () => resolve());
      req.write('{"a":', () => setImmediate(() => req.destroy()));
    });
    await expect.poll(() => lastError).toBeInstanceOf(Error);
    expect(lastError).not.toBeInstanceOf(ClientRequestError);
  });
});
