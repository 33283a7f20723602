/**
 * Requests, cost and latency per model and per routing label, from log rows: live at
 * `GET /mmr/stats` (since the server started) and from the whole log with `mmr serve --stats`.
 */
import type { ServeLogRow } from './log.js';

/** Latency samples kept per group; past this, a uniform reservoir keeps the percentiles honest. */
const MAX_SAMPLES = 50_000;

class Samples {
  private readonly xs: number[] = [];
  private seen = 0;
  add(x: number | null): void {
    if (x == null) return;
    this.seen++;
    if (this.xs.length < MAX_SAMPLES) this.xs.push(x);
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < MAX_SAMPLES) this.xs[j] = x;
    }
  }
  /** Nearest-rank percentiles, ms; null when nothing was measured. */
  percentiles(ps: number[]): (number | null)[] {
    if (!this.xs.length) return ps.map(() => null);
    const s = [...this.xs].sort((a, b) => a - b);
    return ps.map((p) => Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] * 10) / 10);
  }
}

class Group {
  requests = 0;
  errors = 0;
  costUsd = 0;
  /** Answers whose cost is unknown (no price, or no usage): not in costUsd. */
  costUnknown = 0;
  inputTokens = 0;
  outputTokens = 0;
  readonly latency = new Samples();
  readonly ttft = new Samples();
  add(r: ServeLogRow): void {
    this.requests++;
    if (r.status >= 400 || r.error) this.errors++;
    if (r.costUsd == null) {
      if (r.status < 400) this.costUnknown++;
    } else this.costUsd += r.costUsd;
    this.inputTokens += r.inputTokens ?? 0;
    this.outputTokens += r.outputTokens ?? 0;
    if (r.status < 400) {
      this.latency.add(r.latencyMs);
      this.ttft.add(r.ttftMs);
    }
  }
  json() {
    const [p50, p95] = this.latency.percentiles([50, 95]);
    const [ttftP50] = this.ttft.percentiles([50]);
    return {
      requests: this.requests, errors: this.errors, costUsd: Number(this.costUsd.toPrecision(6)), costUnknown: this.costUnknown,
      inputTokens: this.inputTokens, outputTokens: this.outputTokens, latencyP50Ms: p50, latencyP95Ms: p95, ttftP50Ms: ttftP50,
    };
  }
}

export type GroupJson = ReturnType<Group['json']>;

export interface StatsJson {
  /** ISO time of the first row counted (or the server's start). */
  since: string | null;
  total: GroupJson;
  byModel: Record<string, GroupJson>;
  byRoute: Record<string, GroupJson>;
}

export class ServeStats {
  private readonly total = new Group();
  private readonly byModel = new Map<string, Group>();
  private readonly byRoute = new Map<string, Group>();
  constructor(private since: string | null = null) {}
  add(r: ServeLogRow): void {
    this.since ??= r.time;
    this.total.add(r);
    const key = (m: Map<string, Group>, k: string) => m.get(k) ?? m.set(k, new Group()).get(k)!;
    key(this.byModel, r.model ?? '(none)').add(r);
    key(this.byRoute, r.route ?? '(refused)').add(r);
  }
  json(): StatsJson {
    const obj = (m: Map<string, Group>) => Object.fromEntries([...m].sort((a, b) => b[1].requests - a[1].requests).map(([k, g]) => [k, g.json()]));
    return { since: this.since, total: this.total.json(), byModel: obj(this.byModel), byRoute: obj(this.byRoute) };
  }
}

const ms = (v: number | null) => (v == null ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${Math.round(v)}ms`);
const usd = (g: GroupJson) => `$${g.costUsd.toFixed(g.costUsd < 0.01 ? 6 : 4)}${g.costUnknown ? ` +${g.costUnknown} unknown` : ''}`;

/** The stats as a table for a terminal (stdout of `mmr serve --stats`). */
export function formatStats(s: StatsJson, clean: (text: string) => string = (t) => t): string {
  const head = ['', 'requests', 'errors', 'p50', 'p95', 'ttft p50', 'tokens in/out', 'cost'];
  const line = (name: string, g: GroupJson) => [clean(name), String(g.requests), String(g.errors), ms(g.latencyP50Ms), ms(g.latencyP95Ms), ms(g.ttftP50Ms), `${g.inputTokens}/${g.outputTokens}`, usd(g)];
  const section = (title: string, groups: Record<string, GroupJson>) => [[title, ...head.slice(1)], ...Object.entries(groups).map(([k, g]) => line(k, g))];
  const rows = [...section('model', s.byModel), [], ...section('route', s.byRoute), [], line('total', s.total)];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const out = rows.map((r) => (r.length ? r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd() : ''));
  return `${s.since ? `since ${s.since}\n` : ''}${out.join('\n')}\n`;
}
