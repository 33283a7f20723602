import { describe, expect, it } from 'vitest';
import { fanout } from '../../src/core/fanout.js';
import type { FanoutEvent } from '../../src/core/types.js';
import { applyEvent, emptyResult } from '../../src/core/results.js';
import { fakeModel, finish, httpError, scriptedAdapter, start, text } from '../helpers/fake-adapter.js';

const prompt = { messages: [{ role: 'user' as const, content: 'q' }] };

describe('fanout', () => {
  it('runs models concurrently, tags events with slot and model, and one failure does not stop the others', async () => {
    const { adapter } = scriptedAdapter({
      a: [[start, { wait: 30 }, text('A1'), { wait: 30 }, text('A2'), finish()]],
      b: [[httpError(401, false)]],
      c: [[start, { wait: 10 }, text('C'), finish()]],
    });
    const models = ['a', 'b', 'c'].map((m) => fakeModel(m));
    const results = models.map((m) => emptyResult(m.id));
    const order: string[] = [];
    for await (const ev of fanout(models, prompt, { adapterFor: async () => adapter })) {
      applyEvent(results[ev.slot], ev);
      expect(ev.modelId).toBe(models[ev.slot].id);
      if (ev.type === 'finish' || ev.type === 'error') order.push(ev.modelId);
    }
    expect(results.map((r) => r.text)).toEqual(['A1A2', '', 'C']);
    expect(results[1].error?.status).toBe(401);
    expect(order).toEqual(['fake:b', 'fake:c', 'fake:a']); // arrival order, not slot order
  });

  it('overlaps the requests: every model starts before the first one finishes', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `m${i}`);
    const { adapter } = scriptedAdapter(Object.fromEntries(names.map((n) => [n, [[start, { wait: 60 }, text(n), finish()]]])));
    const seen: FanoutEvent[] = [];
    for await (const ev of fanout(names.map((n) => fakeModel(n)), prompt, { adapterFor: async () => adapter })) seen.push(ev);
    const firstEnd = seen.findIndex((e) => e.type === 'finish');
    expect(seen.slice(0, firstEnd).filter((e) => e.type === 'start')).toHaveLength(8);
    expect(seen.filter((e) => e.type === 'finish')).toHaveLength(8);
  });

  it('cancels every request in flight when the consumer stops reading', async () => {
    const { adapter, calls } = scriptedAdapter({
      a: [[start, text('first'), { wait: 10_000 }, finish()]],
      b: [[start, { wait: 10_000 }, finish()]],
    });
    for await (const ev of fanout([fakeModel('a'), fakeModel('b')], prompt, { adapterFor: async () => adapter })) {
      if (ev.type === 'text-delta') break;
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.map((c) => c.aborted)).toEqual([true, true]);
  });

  it('aborts all models at once through the signal', async () => {
    const { adapter } = scriptedAdapter({ a: [[start, { wait: 10_000 }, finish()]], b: [[start, { wait: 10_000 }, finish()]] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const ends: FanoutEvent[] = [];
    for await (const ev of fanout([fakeModel('a'), fakeModel('b')], prompt, { adapterFor: async () => adapter, signal: ac.signal })) {
      if (ev.type === 'error' || ev.type === 'finish') ends.push(ev);
    }
    expect(ends.map((e) => e.type === 'error' && e.error.kind)).toEqual(['aborted', 'aborted']);
  });
});
