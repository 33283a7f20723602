/**
 * Concurrency and pacing for the bench: a semaphore for the global -j and per-provider
 * `concurrency`, and an even spacing of request starts for per-provider requests per minute.
 */

export class Semaphore {
  private waiting: (() => void)[] = [];
  private active = 0;
  constructor(readonly limit: number) {}
  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter: `active` stays the same.
      if (next) next();
      else this.active--;
    };
  }
}

/** Starts at most `rpm` requests a minute, spaced evenly, so a provider's limit is never hit in a burst. */
export class Pacer {
  private next = 0;
  constructor(
    readonly rpm: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}
  async wait(): Promise<void> {
    const t = this.now();
    const at = Math.max(t, this.next);
    this.next = at + 60_000 / this.rpm;
    if (at > t) await this.sleep(at - t);
  }
}

export interface ProviderLimits {
  /** Requests at once for this provider. */
  concurrency?: number;
  /** Requests started per minute. */
  rpm?: number;
}

/** Per-provider gates, created on first use. */
export class ProviderGates {
  private sems = new Map<string, Semaphore>();
  private pacers = new Map<string, Pacer>();
  constructor(private readonly limits: Record<string, ProviderLimits>) {}
  /** Waits for the provider's turn; returns the release function. */
  async enter(provider: string): Promise<() => void> {
    const l = this.limits[provider];
    if (!l) return () => {};
    let release = () => {};
    if (l.concurrency) {
      let s = this.sems.get(provider);
      if (!s) this.sems.set(provider, (s = new Semaphore(l.concurrency)));
      release = await s.acquire();
    }
    if (l.rpm) {
      let p = this.pacers.get(provider);
      if (!p) this.pacers.set(provider, (p = new Pacer(l.rpm)));
      await p.wait();
    }
    return release;
  }
}
