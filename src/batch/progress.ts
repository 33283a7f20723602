/**
 * The progress line while batch jobs run: requests done of all, failures, jobs still open and an
 * ETA from the rate seen since the first poll. In a terminal one line is redrawn; in a pipe a
 * line is printed when the counts move (at most every 5 s), so logs stay short.
 */
import type { JobRecord, JobStatus } from './types.js';

const dur = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
};

export class BatchProgress {
  private first: { t: number; done: number } | null = null;
  private lastLine = '';
  private lastAt = 0;
  private drew = false;
  constructor(
    private readonly out: NodeJS.WriteStream | null,
    private readonly now: () => number,
  ) {}

  draw(jobs: { job: JobRecord; status: JobStatus }[], open: number, nextMs: number): void {
    if (!this.out) return;
    const total = jobs.reduce((a, j) => a + (j.status.total || j.job.requests), 0);
    const done = jobs.reduce((a, j) => a + j.status.done, 0);
    const failed = jobs.reduce((a, j) => a + j.status.failed, 0);
    const t = this.now();
    this.first ??= { t, done };
    const rate = t > this.first.t ? (done - this.first.done) / (t - this.first.t) : 0;
    const eta = open && rate > 0 ? ` · ETA ${dur((total - done) / rate)}` : '';
    const states = [...new Set(jobs.map((j) => j.status.state))].join(', ');
    const next = open && nextMs ? ` · next check in ${dur(nextMs)}` : '';
    const line = `batch ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} requests done · ${failed} failed · ${open} of ${jobs.length} job${jobs.length === 1 ? '' : 's'} open (${states})${eta}`;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}${next}`);
      this.drew = true;
    } else if (line !== this.lastLine && (t - this.lastAt >= 5000 || open === 0)) {
      this.out.write(`mmr: ${line}\n`);
      this.lastLine = line;
      this.lastAt = t;
    }
  }

  end(): void {
    if (this.out?.isTTY && this.drew) this.out.write('\r\x1b[2K');
  }
}
