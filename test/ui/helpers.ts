import { EventEmitter } from 'node:events';
import type { ReactElement } from 'react';
import { render } from 'ink';
import type { ChatMessage, FanoutEvent, FinishReason } from '../../src/core/types.js';
import type { TurnRequest } from '../../src/ui/types.js';

/** A terminal-sized stdout for Ink: ink-testing-library's is fixed at 100 columns. */
export class FakeStdout extends EventEmitter {
  frames: string[] = [];
  isTTY = false;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
}

export class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string) => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

export const tick = (ms = 0) => new Promise<void>((r) => setTimeout(r, ms));

/** Renders at a given terminal size, debug mode (every frame written whole). */
export function renderAt(tree: ReactElement, { columns = 100, rows = 30 } = {}) {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new FakeStdout(columns, rows) as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    stdout,
    lastFrame: () => stdout.frames[stdout.frames.length - 1] ?? '',
    /** Types keys, then lets Ink and React settle (Esc is flushed on the next tick). */
    async type(...keys: string[]) {
      for (const k of keys) {
        stdin.write(k);
        await tick(5);
      }
      // Settle on a quiet screen, not a fixed delay: a loaded CI machine renders late.
      let seen = -1;
      for (let waited = 0; waited < 1_000 && seen !== stdout.frames.length; waited += 25) {
        seen = stdout.frames.length;
        await tick(25);
      }
    },
    resize(c: number, r = rows) {
      stdout.columns = c;
      stdout.rows = r;
      stdout.emit('resize');
    },
    unmount: () => instance.unmount(),
  };
}

/** Waits until the frame satisfies `ok` (default 2 s). */
export async function waitFor(frame: () => string, ok: (f: string) => boolean, ms = 2000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const f = frame();
    if (ok(f)) return f;
    if (Date.now() > end) throw new Error(`timed out; last frame:\n${f}`);
    await tick(10);
  }
}

export const KEY = { tab: '\t', enter: '\r', altEnter: '\u001b\r', esc: '\u001b', left: '\u001b[D', right: '\u001b[C', up: '\u001b[A', down: '\u001b[B', pgdn: '\u001b[6~', end: '\u001b[F', backspace: '\u007f', ctrlC: '\u0003', ctrlU: '\u0015' };

/** A frame without SGR codes (a cursor is drawn in inverse video even without colour). */
export const plain = (frame: string) => frame.replace(/\u001b\[[0-9;]*m/g, '');

// ---- events -------------------------------------------------------------------------------

export const delta = (slot: number, modelId: string, text: string): FanoutEvent => ({ type: 'text-delta', text, slot, modelId });

export function finish(slot: number, modelId: string, o: { reason?: FinishReason['unified']; cost?: number | null; out?: number } = {}): FanoutEvent {
  return {
    type: 'finish',
    slot,
    modelId,
    finishReason: { unified: o.reason ?? 'stop', raw: o.reason ?? 'stop' },
    usage: { inputTokens: 12, outputTokens: o.out ?? 40 },
    ttftMs: 400,
    latencyMs: 1400,
    streamMs: 1000,
    wallMs: 1450,
    attempts: 1,
    costUsd: o.cost === undefined ? 0.00012 : o.cost,
  };
}

export const fail = (slot: number, modelId: string, message: string, hint?: string): FanoutEvent => ({
  type: 'error',
  slot,
  modelId,
  error: { kind: 'network', message, status: null, retryable: false, hint },
  ttftMs: null,
  latencyMs: 30,
  streamMs: null,
  wallMs: 35,
  attempts: 1,
});

/** An event stream the test pushes into; it ends on end() or when the signal aborts. */
export class EventQueue implements AsyncIterable<FanoutEvent> {
  private items: FanoutEvent[] = [];
  private wake: (() => void) | null = null;
  private ended = false;
  constructor(signal?: AbortSignal) {
    signal?.addEventListener('abort', () => this.end(), { once: true });
  }
  push(...evs: FanoutEvent[]) {
    this.items.push(...evs);
    this.wake?.();
  }
  end() {
    this.ended = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator]() {
    for (;;) {
      if (this.items.length) {
        yield this.items.shift()!;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }
}

/** A `start` that records each call and hands back a queue per call. */
export function recordingStart() {
  const calls: { prompt: string; history: ChatMessage[][]; slots: { id: string }[]; signal: AbortSignal; queue: EventQueue }[] = [];
  const start = (turn: TurnRequest, slots: { id: string }[], signal: AbortSignal) => {
    const queue = new EventQueue(signal);
    calls.push({ prompt: turn.prompt, history: turn.history, slots, signal, queue });
    return queue;
  };
  return { start, calls };
}
