/**
 * A plain HTTP server on 127.0.0.1 that hands each request, with its index on its own
 * connection (1-based), to `handler`, and counts connections: for tests of what a client does
 * with a pooled keep-alive connection the server drops. Closed by the returned `close`.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ConnHandler = (req: http.IncomingMessage, res: http.ServerResponse, nth: number) => void;

export async function connServer(handler: ConnHandler): Promise<{ url: string; connections: () => number; close: () => void }> {
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
  const close = () => {
    s.closeAllConnections();
    s.close();
  };
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1/chat/completions`, connections: () => connections, close };
}
