/**
 * Rows → the compact document the HTML report embeds: one entry per case-turn with every
 * model's samples (answer, checks, error, timing, cost), and with `--compare` the old run's
 * samples beside them. Arrays of short keys keep 10,000 rows with answers a few MB.
 */
import type { BenchReport } from '../bench/report.js';
import type { BenchRow } from '../bench/types.js';

/** One sample of one model on one case-turn: [pass, answer, checks, error, latencyMs, costUsd, cached, sample]. */
export type Sample = [
  pass: boolean | null,
  answer: string,
  checks: [type: string, pass: boolean, detail: string][],
  error: string | null,
  latencyMs: number | null,
  costUsd: number | null,
  cached: boolean,
  sample: number,
];

export interface ReportCase {
  id: string;
  turn: number;
  where: string;
  tags: string[];
  prompt: string;
  /** model index → samples. */
  now: Record<number, Sample[]>;
  /** The compared run's samples, model index → samples (same model list). */
  old?: Record<number, Sample[]>;
}

export interface ReportDoc {
  title: string;
  models: string[];
  cases: ReportCase[];
  comparing: boolean;
  repeat: number;
}

const sample = (r: BenchRow): Sample => [
  r.pass,
  r.answer,
  r.checks.map((c) => [c.type, c.pass, c.detail ?? '']),
  r.error ? `${r.error.kind}${r.error.status != null ? ` ${r.error.status}` : ''}: ${r.error.message}` : null,
  r.latencyMs,
  r.costUsd,
  r.cached,
  r.sample,
];

/** Builds the document; the model order is the report's (then any model only the old run had). */
export function reportDoc(rows: BenchRow[], report: BenchReport, title: string, oldRows?: BenchRow[]): ReportDoc {
  const models = report.models.map((m) => m.model);
  const index = (m: string) => {
    let i = models.indexOf(m);
    if (i < 0) i = models.push(m) - 1;
    return i;
  };
  const byKey = new Map<string, ReportCase>();
  const caseFor = (r: BenchRow) => {
    const key = `${r.caseId}\u0000${r.turn}`;
    let c = byKey.get(key);
    if (!c) byKey.set(key, (c = { id: r.caseId, turn: r.turn, where: r.where, tags: r.tags, prompt: r.prompt, now: {} }));
    return c;
  };
  for (const r of rows) (caseFor(r).now[index(r.model)] ??= []).push(sample(r));
  if (oldRows) {
    for (const r of oldRows) {
      const c = caseFor(r);
      c.old ??= {};
      (c.old[index(r.model)] ??= []).push(sample(r));
    }
  }
  const cases = [...byKey.values()];
  for (const c of cases) for (const list of [...Object.values(c.now), ...Object.values(c.old ?? {})]) list.sort((a, b) => a[7] - b[7]);
  return { title, models, cases, comparing: oldRows !== undefined, repeat: report.repeat };
}
