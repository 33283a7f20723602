/**
 * The raw path's body forwarding. A provider sends each event as its own HTTP chunk, and one
 * socket read often holds many: node:http hands them over one 'data' event each. The bytes of
 * one tick are sent on together, as one chunk, on the next tick (when node:http's cork would
 * have sent them anyway: nothing leaves later). At the body's end the rest and the response's
 * end go out together when the caller can end it at once (`end` returns true), so the last
 * events and the chunked terminator share one write. A client that reads slowly pauses the
 * upstream until its socket drains.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SseTap } from './sse-tap.js';

/** An upstream connection that closed before its body ended (as Node reports one). */
const cutShort = () => Object.assign(new Error('aborted'), { code: 'ECONNRESET' });

export interface PipeHooks {
  /** Called for each upstream read (the idle timeout's clock). */
  progress(): void;
  /** Called before the first bytes go to the client (writes the status line and headers). */
  head(): void;
  /** Called at the body's end, after the last bytes were handed over: true when it ended the response. */
  end(): boolean;
}

/** Resolves at the body's end with what `end` returned; rejects when the upstream fails. */
export function pipeEvents(up: IncomingMessage, res: ServerResponse, tap: SseTap, hooks: PipeHooks): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let started = false;
    let pending: Buffer[] = [];
    let scheduled = false;
    const resume = () => up.resume();
    const flush = () => {
      scheduled = false;
      if (pending.length === 0 || res.destroyed) return void (pending = []);
      const out = pending.length === 1 ? pending[0] : Buffer.concat(pending);
      pending = [];
      if (!started) {
        started = true;
        hooks.head();
      }
      if (!res.write(out)) {
        up.pause();
        res.once('drain', resume);
      }
    };
    const send = (out: Buffer | null) => {
      if (!out || out.length === 0) return;
      pending.push(out);
      if (!scheduled) {
        scheduled = true;
        process.nextTick(flush);
      }
    };
    const onData = (chunk: Buffer) => {
      hooks.progress();
      send(tap.push(chunk));
    };
    const settle = (err?: Error) => {
      up.off('data', onData).off('end', onEnd).off('error', settle).off('close', onClose);
      res.off('drain', resume);
      // What came before a failure still goes on, as it would have without the batching.
      flush();
      if (err) return reject(err);
      send(tap.end());
      flush();
      resolve(hooks.end());
    };
    const onEnd = () => settle();
    const onClose = () => settle(cutShort());
    up.on('data', onData).once('end', onEnd).once('error', settle).once('close', onClose);
  });
}
