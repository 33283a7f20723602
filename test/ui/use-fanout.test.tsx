import { useEffect } from 'react';
import { Text } from 'ink';
import { afterEach, describe, expect, it } from 'vitest';
import type { FanoutEvent } from '../../src/core/types.js';
import { useFanout, type FanoutHandle } from '../../src/ui/use-fanout.js';
import { delta, EventQueue, finish, renderAt, tick, waitFor } from './helpers.js';

const models = [{ id: 'a:one' }, { id: 'b:two' }, { id: 'c:three' }];

/** Mounts the hook, exposes its handle, and counts renders. */
function mount(throttleMs?: number) {
  const probe = { renders: 0, handle: null as FanoutHandle | null };
  function Probe() {
    const h = useFanout(throttleMs);
    probe.renders++;
    probe.handle = h;
    useEffect(() => h.reset(models), []);
    return <Text>{h.results.map((r) => `${r.model}=${r.text.length}${r.done ? '✔' : ''}${r.error ? '✖' : ''}`).join(' ')}</Text>;
  }
  const ui = renderAt(<Probe />);
  return { probe, ui };
}

let unmount: (() => void) | null = null;
afterEach(() => unmount?.());

describe('useFanout', () => {
  it('folds 2,000 quick deltas into a handful of renders', async () => {
    const { probe, ui } = mount();
    unmount = ui.unmount;
    await tick(10);
    const before = probe.renders;
    async function* burst(): AsyncGenerator<FanoutEvent> {
      for (let i = 0; i < 2000; i++) {
        yield delta(i % 3, models[i % 3].id, 'tok ');
        // Arrivals spread over ~100 ms, as from a network, not all in one microtask run.
        if (i % 100 === 99) await tick(5);
      }
      for (let s = 0; s < 3; s++) yield finish(s, models[s].id);
    }
    await probe.handle!.consume(burst(), [0, 1, 2]);
    const frame = await waitFor(ui.lastFrame, (f) => f.includes('c:three=2664✔'));
    expect(frame).toContain('a:one=2668✔');
    const renders = probe.renders - before;
    expect(renders).toBeGreaterThan(0);
    expect(renders).toBeLessThan(20);
  });

  it('maps a retry stream onto the slots it was given and leaves the others alone', async () => {
    const { probe, ui } = mount(5);
    unmount = ui.unmount;
    await tick(10);
    const first = new EventQueue();
    const done = probe.handle!.consume(first, [0, 1, 2]);
    first.push(delta(0, 'a:one', 'hello'), finish(0, 'a:one'), { ...finish(1, 'b:two'), type: 'error', error: { kind: 'network', message: 'down', status: null, retryable: false }, ttftMs: null, latencyMs: 5 } as FanoutEvent, delta(2, 'c:three', 'xyz'), finish(2, 'c:three'));
    first.end();
    await done;
    await waitFor(ui.lastFrame, (f) => f.includes('b:two=0✔✖'));
    const retry = new EventQueue();
    const again = probe.handle!.consume(retry, [1]);
    retry.push(delta(0, 'b:two', 'fixed!'), finish(0, 'b:two'));
    retry.end();
    await again;
    const f = await waitFor(ui.lastFrame, (f) => f.includes('b:two=6✔'));
    expect(f).toContain('a:one=5✔');
    expect(f).toContain('c:three=3✔');
    expect(f).not.toContain('✖');
  });

  it('marks slots a broken stream left unfinished as failed instead of spinning forever', async () => {
    const { probe, ui } = mount(5);
    unmount = ui.unmount;
    await tick(10);
    async function* broken(): AsyncGenerator<FanoutEvent> {
      yield delta(0, 'a:one', 'hi');
      yield finish(0, 'a:one');
      throw new Error('boom');
    }
    await probe.handle!.consume(broken(), [0, 1, 2]);
    const f = await waitFor(ui.lastFrame, (f) => f.includes('c:three=0✔✖'));
    expect(f).toContain('a:one=2✔ ');
    expect(probe.handle!.results[1].error?.message).toContain('boom');
  });

  it('drops a stream replaced by a newer comparison', async () => {
    const { probe, ui } = mount(5);
    unmount = ui.unmount;
    await tick(10);
    const old = new EventQueue();
    const p = probe.handle!.consume(old, [0, 1, 2]);
    old.push(delta(0, 'a:one', 'old'));
    await tick(20);
    probe.handle!.reset(models);
    old.push(delta(0, 'a:one', 'stale'));
    await p;
    await tick(20);
    expect(probe.handle!.results[0].text).toBe('');
    expect(probe.handle!.running).toBe(false);
  });
});
