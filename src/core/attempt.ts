/**
 * One attempt's clock and what happens between attempts: the four timeouts (connect, first
 * token, idle, total) as timers that abort the attempt with their name as the reason, the error
 * each one means, and the backoff before a retry. runModel (run-model.ts) drives these.
 */
import type { ErrorInfo } from './types.js';
import type { RetryPolicy, Timeouts } from './model.js';

/** The timeout that stopped an attempt; also the abort reason its timer gives. */
export type TimeoutWhich = 'connect' | 'first-token' | 'idle' | 'total';

const TIMEOUT_KEY: Record<TimeoutWhich, keyof Timeouts> = {
  connect: 'connectMs',
  'first-token': 'firstTokenMs',
  idle: 'idleMs',
  total: 'totalMs',
};

/** The error a timeout of `ms` means; only the total timeout is final (the others may be retried). */
export function timeoutError(which: TimeoutWhich, ms: number): ErrorInfo {
  const what = {
    connect: 'no response from the provider',
    'first-token': 'no first token',
    idle: 'the stream went silent',
    total: 'the request took too long',
  }[which];
  return {
    kind: 'timeout',
    message: `${what} after ${ms} ms (${which} timeout)`,
    status: null,
    retryable: which !== 'total',
    hint: `raise timeouts.${TIMEOUT_KEY[which]} in your config if this model is just slow`,
  };
}

/** The timeout error for an attempt's abort reason, or null when no timer stopped it. */
export function timeoutFor(reason: unknown, timeouts: Timeouts): ErrorInfo | null {
  if (typeof reason !== 'string' || !Object.prototype.hasOwnProperty.call(TIMEOUT_KEY, reason)) return null;
  const which = reason as TimeoutWhich;
  return timeoutError(which, timeouts[TIMEOUT_KEY[which]]);
}

/** Backoff for retry n (1-based): exponential with equal jitter, or what the provider asked for. */
export function retryDelay(n: number, error: ErrorInfo, policy: RetryPolicy, random: () => number): number {
  if (error.retryAfterMs != null) return error.retryAfterMs;
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** Waits ms, returning early when the signal aborts. */
export const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * The timers of one attempt, each aborting `ac` with its name. A 0 timeout is off. The idle
 * timer is not re-armed per event (a timer per token is most of what a fast stream costs
 * here): `touch()` stamps the time, and the timer, when it fires, checks it.
 */
export class AttemptTimers {
  private readonly total: NodeJS.Timeout | undefined;
  private connect: NodeJS.Timeout | undefined;
  private firstToken: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  private lastEvent = performance.now();

  /** `deadline` is the performance.now() time the total timeout ends every attempt at (Infinity: none). */
  constructor(
    private readonly ac: AbortController,
    private readonly timeouts: Timeouts,
    deadline: number,
  ) {
    this.total = deadline < Infinity ? this.after(Math.max(1, deadline - performance.now()), 'total') : undefined;
    this.connect = this.after(timeouts.connectMs, 'connect');
    this.firstToken = this.after(timeouts.firstTokenMs, 'first-token');
    if (timeouts.idleMs > 0) this.idle = setTimeout(this.idleCheck, timeouts.idleMs);
  }

  private after(ms: number, reason: TimeoutWhich): NodeJS.Timeout | undefined {
    return ms > 0 ? setTimeout(() => this.ac.abort(reason), ms) : undefined;
  }

  private readonly idleCheck = (): void => {
    const quiet = performance.now() - this.lastEvent;
    if (quiet >= this.timeouts.idleMs) this.ac.abort('idle');
    else this.idle = setTimeout(this.idleCheck, this.timeouts.idleMs - quiet);
  };

  /** An event arrived: the stream is not idle. */
  touch(): void {
    this.lastEvent = performance.now();
  }

  /** The provider accepted the request: the connect timeout is over. */
  connected(): void {
    clearTimeout(this.connect);
    this.connect = undefined;
  }

  /** The first content token arrived: the connect and first-token timeouts are over. */
  firstText(): void {
    clearTimeout(this.connect);
    clearTimeout(this.firstToken);
    this.connect = this.firstToken = undefined;
  }

  /** The attempt ended. */
  clear(): void {
    clearTimeout(this.total);
    clearTimeout(this.connect);
    clearTimeout(this.firstToken);
    clearTimeout(this.idle);
  }
}
