/**
 * The translated path's writer against a real node:http server and a raw TCP client: frames of
 * one tick leave as one HTTP chunk, a later tick's as the next; a client that does not read makes
 * a write return a promise (memory stays bounded) that settles once it reads again or goes away.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameWriter } from '../../src/serve/frames.js';

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: (out: FrameWriter, res: http.ServerResponse) => void): Promise<number> {
  const s = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    handler(new FrameWriter(res), res);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

/** A raw GET; the socket, and a promise of everything it received. */
function get(port: number): { socket: net.Socket; all: Promise<string> } {
  const socket = net.connect(port, '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  let text = '';
  socket.setEncoding('latin1').on('data', (d) => (text += d));
  return { socket, all: new Promise((resolve) => socket.on('close', () => resolve(text))) };
}

/** The data of each chunk of a chunked body. */
function chunks(response: string): string[] {
  let rest = response.slice(response.indexOf('\r\n\r\n') + 4);
  const out: string[] = [];
  for (;;) {
    const nl = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, nl), 16);
    if (!size) return out;
    out.push(rest.slice(nl + 2, nl + 2 + size));
    rest = rest.slice(nl + 2 + size + 2);
  }
}

describe('FrameWriter', () => {
  it('sends the frames of one tick as one chunk, and a later tick as the next', async () => {
    const port = await serve((out) => {
      out.write('data: a\n\n');
      out.write('data: b\n\n');
      out.write('');
      out.write('data: c\n\n');
      setImmediate(() => {
        out.write('data: d\n\n');
        out.end();
      });
    });
    expect(chunks(await get(port).all)).toEqual(['data: a\n\ndata: b\n\ndata: c\n\n', 'data: d\n\n']);
  });

  it('holds the writer back while the client does not read, and lets it go on when it does', async () => {
    const frame = 'x'.repeat(64 * 1024);
    let written = 0;
    let blocked!: () => void;
    const wasBlocked = new Promise<void>((r) => (blocked = r));
    const port = await serve(async (out) => {
      while (written < 64 * 1024 * 1024) {
        const wait = out.write(frame);
        written += frame.length;
        await new Promise((r) => setImmediate(r)); // the next tick's flush
        if (wait ?? out.write('')) {
          blocked();
          await (wait ?? out.write(''));
          break;
        }
      }
      out.end();
    });
    const { socket, all } = get(port);
    socket.pause();
    await wasBlocked;
    expect(written).toBeLessThan(16 * 1024 * 1024);
    socket.resume();
    const body = chunks(await all).join('');
    expect(body.length).toBe(written);
  });

  it('lets a blocked writer go on when the client goes away', async () => {
    let blocked!: () => void;
    const wasBlocked = new Promise<void>((r) => (blocked = r));
    let released!: (v: boolean) => void;
    const outcome = new Promise<boolean>((r) => (released = r));
    const port = await serve(async (out, res) => {
      for (;;) {
        out.write('y'.repeat(256 * 1024));
        await new Promise((r) => setImmediate(r));
        const wait = out.write('');
        if (wait) {
          blocked();
          await wait;
          return released(res.destroyed);
        }
      }
    });
    const { socket } = get(port);
    socket.pause();
    await wasBlocked;
    socket.destroy();
    expect(await outcome).toBe(true);
  });
});
