/**
 * The raw path's forwarding between two real node:http servers (an upstream and the forwarding
 * one) and a raw TCP client: events the upstream wrote together leave as one chunk, bytes read
 * before the upstream fails still reach the client, and `end` closes the response with its
 * trailer in the tick the body ended.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pipeEvents } from '../../src/serve/pipe.js';
import { SseTap } from '../../src/serve/sse-tap.js';

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function listen(handler: http.RequestListener): Promise<number> {
  const s = http.createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

const event = (i: number) => `data: {"choices":[{"delta":{"content":"${i}"},"finish_reason":null}]}\n\n`;
const LAST = 'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\ndata: [DONE]\n\n';

/** A forwarding server in front of `upstream`; the outcome of each pipe goes to `results`. */
async function forwarder(upstream: number, results: unknown[]): Promise<number> {
  return listen((req, res) => {
    req.resume();
    http.get({ port: upstream, host: '127.0.0.1', agent: false }, (up) => {
      const tap = new SseTap('openai', performance.now());
      const hooks = {
        progress: () => undefined,
        head: () => res.writeHead(200, { 'content-type': 'text/event-stream', trailer: 'x-cost' }),
        end: () => {
          res.addTrailers({ 'x-cost': String(tap.usage?.outputTokens) });
          res.end();
          return true;
        },
      };
      pipeEvents(up, res, tap, hooks).then(
        (ended) => results.push(ended),
        (err: Error) => {
          results.push(err);
          res.destroy();
        },
      );
    });
  });
}

/** Everything a raw GET receives until the connection closes. */
function get(port: number): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nhost: x\r\nte: trailers\r\nconnection: close\r\n\r\n');
  let text = '';
  socket.setEncoding('latin1').on('data', (d) => (text += d));
  return new Promise((resolve) => socket.on('close', () => resolve(text)));
}

/** The chunks of a chunked body, and what follows the last one (the trailers). */
function chunks(response: string): { data: string[]; trailer: string } {
  let rest = response.slice(response.indexOf('\r\n\r\n') + 4);
  const data: string[] = [];
  for (;;) {
    const nl = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, nl), 16);
    if (!size) return { data, trailer: rest.slice(nl + 2) };
    data.push(rest.slice(nl + 2, nl + 2 + size));
    rest = rest.slice(nl + 2 + size + 2);
  }
}

describe('pipeEvents', () => {
  it('sends on the events of one upstream read as one chunk, and ends with the trailer', async () => {
    const up = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 5; i++) res.write(event(i)); // five HTTP chunks, one socket write
      setTimeout(() => {
        res.write(event(5));
        res.end(LAST);
      }, 20);
    });
    const results: unknown[] = [];
    const got = chunks(await get(await forwarder(up, results)));
    expect(got.data[0]).toBe([0, 1, 2, 3, 4].map(event).join(''));
    expect(got.data.join('')).toBe([0, 1, 2, 3, 4, 5].map(event).join('') + LAST);
    expect(got.data.length).toBeLessThanOrEqual(3);
    expect(got.trailer).toMatch(/^x-cost: 2\r\n/i);
    expect(results).toEqual([true]);
  });

  it('still sends what was read before the upstream failed, then rejects', async () => {
    const up = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(event(0));
      res.write(event(1), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const results: unknown[] = [];
    const text = await get(await forwarder(up, results));
    expect(text).toContain(event(0) + event(1));
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ code: 'ECONNRESET' });
  });
});
