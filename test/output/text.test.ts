import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FanoutEvent } from '../../src/core/types.js';
import { writeText } from '../../src/output/text.js';

const finish = (slot: number, modelId: string): FanoutEvent => ({
  type: 'finish',
  slot,
  modelId,
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: { inputTokens: 1, outputTokens: 2 },
  ttftMs: 1,
  latencyMs: 2,
  streamMs: 1,
  wallMs: 2,
  attempts: 1,
  costUsd: null,
});
const delta = (slot: number, modelId: string, text: string): FanoutEvent => ({ type: 'text-delta', slot, modelId, text });

async function* from(events: FanoutEvent[]): AsyncGenerator<FanoutEvent> {
  for (const ev of events) yield ev;
}

function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return { stream, text: () => text };
}

async function run(events: FanoutEvent[], models: string[], terminal: boolean) {
  const out = sink();
  const err = sink();
  const results = await writeText(from(events), models.map((id) => ({ id })), { stdout: out.stream, stderr: err.stream, status: false, quiet: false, terminal });
  return { stdout: out.text(), stderr: err.text(), results };
}

const HOSTILE = ['Hello \x1b]52;c;cGF5bG9hZA==\x07wor', 'ld\x1b[2J\x1b]0;ti', 'tle\x07 line\r', '\nend\x9b31m!'];

describe('writeText', () => {
  it('writes an answer to a pipe byte for byte, escape sequences included', async () => {
    const events = [...HOSTILE.map((t) => delta(0, 'openai:x', t)), finish(0, 'openai:x')];
    const { stdout } = await run(events, ['openai:x'], false);
    expect(stdout).toBe(`${HOSTILE.join('')}\n`);
  });

  it('neutralises an answer bound for a terminal, even with sequences split across deltas', async () => {
    const events = [...HOSTILE.map((t) => delta(0, 'openai:x', t)), finish(0, 'openai:x')];
    const { stdout } = await run(events, ['openai:x'], true);
    expect(stdout).toBe('Hello world line\nend!\n');
  });

  it('neutralises server error messages and model names on stderr whatever stdout is', async () => {
    const error: FanoutEvent = {
      type: 'error',
      slot: 0,
      modelId: 'openai:x',
      error: { kind: 'server', message: 'openai returned HTTP 500: \x1b]0;owned\x07boom\x1b[2J', status: 500, retryable: true, hint: 'try\nlater' },
      ttftMs: null,
      latencyMs: 3,
      streamMs: null,
      wallMs: 3,
      attempts: 1,
    };
    const { stderr } = await run([error], ['openai:x\x1b[31m'], false);
    expect(stderr).toBe('✖ openai:x: openai returned HTTP 500: boom — try later\n');
  });

  it('keeps no copy of text it printed, and buffers a later block until its turn', async () => {
    const events = [delta(1, 'b:m', 'second\x1b['), delta(0, 'a:m', 'first'), delta(1, 'b:m', '2J block'), finish(1, 'b:m'), finish(0, 'a:m')];
    const piped = await run(events, ['a:m', 'b:m'], false);
    expect(piped.stdout).toBe('=== a:m ===\nfirst\n\n=== b:m ===\nsecond\x1b[2J block\n');
    expect(piped.results.map((r) => r.text)).toEqual(['', '']);
    expect(piped.results.every((r) => r.done && r.error === null)).toBe(true);
    const tty = await run(events, ['a:m', 'b:m'], true);
    expect(tty.stdout).toBe('=== a:m ===\nfirst\n\n=== b:m ===\nsecond block\n');
  });
});

describe('writeText and a slow reader', () => {
  it('waits for stdout to drain before taking more events, so written text does not pile up', async () => {
    const { Writable } = await import('node:stream');
    let pending: (() => void) | null = null;
    let written = 0;
    // A reader that takes one write at a time and acknowledges it only when told to.
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _enc, done) {
        written += chunk.length;
        pending = done;
      },
    });
    let pulled = 0;
    async function* events(): AsyncGenerator<FanoutEvent> {
      for (let i = 0; i < 5; i++) {
        pulled++;
        yield delta(0, 'a:m', 'x'.repeat(100));
      }
      yield finish(0, 'a:m');
    }
    const done = writeText(events(), [{ id: 'a:m' }], { stdout: slow, stderr: sink().stream, status: false, quiet: true });
    await new Promise((r) => setImmediate(r));
    // The first delta filled the buffer: no further event is taken until the reader catches up.
    expect(pulled).toBe(2);
    expect(written).toBe(100);
    while (pending) {
      const next = pending as () => void;
      pending = null;
      next();
      await new Promise((r) => setImmediate(r));
    }
    await done;
    expect(pulled).toBe(5);
    expect(written).toBe(501);
  });
});
