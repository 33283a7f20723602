/**
 * The four timeouts of one upstream answer on a single timer: until the response headers
 * (connect), then until the first body bytes (first-token), then between reads (idle), and
 * overall (total). A read only stamps the time; the timer, when it fires, checks which deadline
 * has really passed and re-arms for the next one. Creating or refreshing a timer per read is
 * what a fast stream would otherwise cost.
 */
import type { Timeouts } from '../core/model.js';

export type TimeoutName = 'connect' | 'first-token' | 'idle' | 'total';
type Phase = Exclude<TimeoutName, 'total'>;

const LIMIT: Record<Phase, keyof Timeouts> = { connect: 'connectMs', 'first-token': 'firstTokenMs', idle: 'idleMs' };

export class Deadlines {
  private readonly t0 = performance.now();
  private phase: Phase = 'connect';
  /** When the current phase's clock started: its start, or the last read while idle. */
  private since = this.t0;
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires (performance.now() time); Infinity when none is set. */
  private fireAt = Infinity;
  private stopped = false;

  /** `expired` is called once, with the timeout that passed and its length in ms. */
  constructor(private readonly timeouts: Timeouts, private readonly expired: (which: TimeoutName, ms: number) => void) {
    this.arm();
  }

  /** The response headers are in (`first-token`), or a read came (`idle`, via progress). */
  enter(phase: Phase): void {
    this.phase = phase;
    this.since = performance.now();
    const ms = this.timeouts[LIMIT[phase]];
    // Only a deadline earlier than the timer's needs a new timer; a later one is checked when it fires.
    if (ms > 0 && this.since + ms < this.fireAt) {
      clearTimeout(this.timer);
      this.arm();
    }
  }

  /** A body read: the first one starts the idle clock, every later one just restarts it. */
  progress(): void {
    if (this.phase !== 'idle') this.enter('idle');
    else this.since = performance.now();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private arm(): void {
    if (this.stopped) return;
    const now = performance.now();
    const totalMs = this.timeouts.totalMs;
    const phaseMs = this.timeouts[LIMIT[this.phase]];
    const total = totalMs > 0 ? this.t0 + totalMs - now : Infinity;
    const own = phaseMs > 0 ? this.since + phaseMs - now : Infinity;
    if (total <= 0 || own <= 0) {
      this.stop();
      return total <= 0 ? this.expired('total', totalMs) : this.expired(this.phase, phaseMs);
    }
    const wait = Math.min(total, own);
    this.fireAt = now + wait;
    this.timer = wait === Infinity ? undefined : setTimeout(() => this.arm(), Math.ceil(wait));
  }
}
