/**
 * The raw path's four timeouts on one timer: each phase's limit fires as that phase's timeout,
 * reads keep the idle clock from expiring, the total bound holds whatever else happens, and a
 * stopped clock never fires. Real timers with short limits; each test waits for the callback.
 */
import { describe, expect, it } from 'vitest';
import { Deadlines, type TimeoutName } from '../../src/serve/deadlines.js';
import type { Timeouts } from '../../src/core/model.js';

const LONG = 60_000;
const limits = (t: Partial<Timeouts>): Timeouts => ({ connectMs: LONG, firstTokenMs: LONG, idleMs: LONG, totalMs: LONG, ...t });

function expiry(t: Timeouts, drive?: (d: Deadlines) => void) {
  const started = performance.now();
  let clock!: Deadlines;
  const fired = new Promise<{ which: TimeoutName; ms: number; after: number }>((resolve) => {
    clock = new Deadlines(t, (which, ms) => resolve({ which, ms, after: performance.now() - started }));
  });
  drive?.(clock);
  return { clock, fired };
}

describe('Deadlines', () => {
  it('connect fires when no response comes', async () => {
    const { fired } = expiry(limits({ connectMs: 40 }));
    const r = await fired;
    expect(r).toMatchObject({ which: 'connect', ms: 40 });
    expect(r.after).toBeGreaterThanOrEqual(39);
  });

  it('a shorter first-token limit than the connect one still fires on time', async () => {
    const { fired } = expiry(limits({ connectMs: 5_000, firstTokenMs: 40 }), (d) => d.enter('first-token'));
    const r = await fired;
    expect(r).toMatchObject({ which: 'first-token', ms: 40 });
    expect(r.after).toBeLessThan(2_000);
  });

  it('reads keep the idle clock alive; silence after them fires idle', async () => {
    let reads = 0;
    const { fired } = expiry(limits({ idleMs: 250 }), (d) => {
      d.enter('first-token');
      const tick = setInterval(() => {
        d.progress();
        if (++reads === 8) clearInterval(tick);
      }, 20);
    });
    const r = await fired;
    expect(r.which).toBe('idle');
    // 8 reads 20 ms apart (or more, on a busy machine), then silence for the idle limit.
    expect(reads).toBe(8);
    expect(r.after).toBeGreaterThanOrEqual(8 * 20 + 249);
  });

  it('total bounds a stream that keeps reading', async () => {
    let tick: NodeJS.Timeout | undefined;
    const { fired } = expiry(limits({ idleMs: 2_000, totalMs: 150 }), (d) => {
      d.enter('first-token');
      tick = setInterval(() => d.progress(), 10);
    });
    const r = await fired;
    clearInterval(tick);
    expect(r).toMatchObject({ which: 'total', ms: 150 });
    expect(r.after).toBeGreaterThanOrEqual(149);
  });

  it('a stopped clock never fires, and a zero limit is no limit', async () => {
    let calls = 0;
    const stopped = new Deadlines(limits({ connectMs: 20 }), () => calls++);
    stopped.stop();
    // The zero-limit clock runs until the total one fires: the stopped one had long passed its 20 ms.
    const { fired } = expiry(limits({ connectMs: 0, totalMs: 80 }));
    expect((await fired).which).toBe('total');
    expect(calls).toBe(0);
  });
});
