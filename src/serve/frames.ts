/**
 * The translated path's writer. The engine hands over one event at a time, and one upstream read
 * usually holds many: each written on its own would be its own HTTP chunk (size line, data, CRLF)
 * and its own trip through node:http's write path. Frames written in the same tick are joined and
 * go out as one chunk on the next tick, which is when node:http's own cork would have sent them
 * anyway: nothing leaves later than it did. A full socket buffer makes the next write wait for
 * 'drain' (or for the client to go), so a slow reader holds back the engine instead of memory.
 */
import type { ServerResponse } from 'node:http';

export class FrameWriter {
  private pending = '';
  private scheduled = false;
  private blocked: Promise<void> | undefined;
  constructor(private readonly res: ServerResponse) {}

  /** Queues a frame; a promise to await when the client is not keeping up. */
  write(frame: string): Promise<void> | undefined {
    if (frame.length === 0 || this.res.destroyed) return this.blocked;
    this.pending += frame;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
    return this.blocked;
  }

  /** Sends what is queued, then ends the response (its trailers, if set, go with the end). */
  end(): void {
    this.flush();
    this.res.end();
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const out = this.pending;
    this.pending = '';
    if (out.length === 0 || this.res.destroyed || this.res.writableEnded) return;
    if (this.res.write(out) || this.blocked) return;
    this.blocked = new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done).off('close', done);
        this.blocked = undefined;
        resolve();
      };
      this.res.on('drain', done).on('close', done);
    });
  };
}
