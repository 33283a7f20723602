/** One status line on stderr, redrawn at most every 100 ms; only when stderr is a terminal. */
import { formatUsd } from '../core/cost.js';

export class Progress {
  private done = 0;
  private errors = 0;
  private spent = 0;
  private last = 0;
  private readonly started = performance.now();
  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream | null,
  ) {}
  row(error: boolean, costUsd: number): void {
    this.done++;
    if (error) this.errors++;
    this.spent += costUsd;
    // Nothing to draw on (not a terminal): no clock read per row.
    if (!this.out) return;
    const t = performance.now();
    if (t - this.last >= 100 || this.done === this.total) {
      this.last = t;
      this.draw(t);
    }
  }
  private draw(t: number): void {
    if (!this.out) return;
    const elapsed = t - this.started;
    const eta = this.done ? ((this.total - this.done) * elapsed) / this.done / 1000 : null;
    const etaText = eta == null ? '' : ` · ETA ${eta >= 60 ? `${Math.floor(eta / 60)}m${Math.round(eta % 60)}s` : `${Math.round(eta)}s`}`;
    const line = `bench ${this.done}/${this.total} · ${this.errors} error${this.errors === 1 ? '' : 's'} · ${formatUsd(this.spent)}${etaText}`;
    this.out.write(`\r\x1b[2K${line}`);
  }
  end(): void {
    if (this.out && this.done > 0) this.out.write('\r\x1b[2K');
  }
}
