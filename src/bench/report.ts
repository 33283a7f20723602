/**
 * The summary in its output forms: a terminal table (with errors by kind, the per-tag
 * breakdown, disagreements, flaky cases, the Pareto frontier and a small chart), one JSON
 * document, CSV and Markdown (JUnit is junit.ts: it needs the rows). Model names, case ids and
 * error messages come from outside, so every human-readable form passes them through
 * neutralizeLine; JSON escapes the C1 controls JSON.stringify leaves raw.
 */
import { formatUsd } from '../core/cost.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import { paretoFrontier, type FrontierPoint, type SuggestedRule } from './analysis.js';
import type { Disagreement, ModelStats, TagStats } from './summary-types.js';

export interface BenchReport {
  models: ModelStats[];
  tags: TagStats[];
  disagreements: { total: number; cases: Disagreement[] };
  frontier: FrontierPoint[];
  suggestions?: SuggestedRule[];
  cases: number;
  /** USD spent in this run (cached rows cost nothing now), judge calls included. */
  spentUsd: number;
  judgeCostUsd: number;
  wallMs: number;
  stopped: 'signal' | 'budget' | null;
  /** Rows planned but not produced (the run stopped early). */
  skipped: number;
  /** Samples per case × model (`--repeat`). */
  repeat: number;
  /** Per model, flaky case-turns (first few) under --repeat. */
  flaky?: Record<string, string[]>;
  /** Cache entries that were corrupt and fetched again. */
  corruptCache?: number;
}

const safe = neutralizeLine;
/** `ok 3/4 75% [30–95]`-style interval, in whole percents. */
const interval = (s: ModelStats) => (s.passLow == null || s.passHigh == null ? '' : ` [${Math.round(s.passLow * 100)}–${Math.round(s.passHigh * 100)}]`);

export const pct = (r: number | null) => (r == null ? '—' : `${Math.round(r * 1000) / 10}%`);
const ms = (v: number | null) => (v == null ? '—' : v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`);
const tok = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));
const usd = (v: number | null) => (v == null ? '—' : formatUsd(v));

function table(head: string[], rows: string[][], right = new Set<number>()): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (right.has(i) ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

const MODEL_HEAD = ['model', 'pass [95% CI]', 'n', 'errors', 'mean', 'p50', 'p95', 'ttft p50', 'tokens', 'cost', '$/pass'];
const modelHead = (repeat: number) => (repeat > 1 ? [...MODEL_HEAD.slice(0, 2), `pass^${repeat}`, 'flaky', ...MODEL_HEAD.slice(2)] : MODEL_HEAD);
function modelCells(s: ModelStats, repeat = 1): string[] {
  const cells = [
    safe(s.model) + (s.cached ? ` (${s.cached} cached)` : ''),
    s.graded ? `${s.passed}/${s.graded} ${pct(s.passRate)}${interval(s)}` : '—',
    String(s.n),
    String(s.errors),
    ms(s.latencyMean),
    ms(s.latencyP50),
    ms(s.latencyP95),
    ms(s.ttftP50),
    tok(s.inputTokens + s.outputTokens),
    s.costUsd == null ? 'unknown' : usd(s.costUsd) + (s.costUnknown ? ` +${s.costUnknown} unknown` : ''),
    usd(s.costPerPass),
  ];
  if (repeat > 1) cells.splice(2, 0, pct(s.passAllRate), String(s.flaky));
  return cells;
}

/** One line per model and error kind: count, status, and the first message seen. */
export function errorLines(models: ModelStats[]): string[] {
  const out: string[] = [];
  for (const s of models) {
    for (const k of s.errorKinds) {
      const status = k.status != null ? ` (HTTP ${k.status})` : '';
      out.push(`  ${safe(s.model)}: ${k.count} × ${k.kind}${status}: ${safe(k.example).slice(0, 160)}`);
    }
  }
  return out;
}

/** A cost (x) × pass rate (y) scatter, `height` rows tall; models are numbered as in the table. */
export function chart(r: BenchReport, width = 44, height = 8): string {
  const pts = r.models.map((s, i) => ({ i, s })).filter((p) => p.s.costUsd != null && p.s.passRate != null);
  if (pts.length < 2) return '';
  const maxCost = Math.max(...pts.map((p) => p.s.costUsd!)) || 1;
  const grid = Array.from({ length: height }, () => Array(width).fill(' '));
  for (const p of pts) {
    const x = Math.min(width - 1, Math.round((p.s.costUsd! / maxCost) * (width - 1)));
    const y = height - 1 - Math.min(height - 1, Math.round(p.s.passRate! * (height - 1)));
    grid[y][x] = String(p.i + 1);
  }
  const rows = grid.map((g, k) => `${k === 0 ? '100%' : k === height - 1 ? '  0%' : '    '} │${g.join('')}`);
  rows.push(`     └${'─'.repeat(width)}`);
  rows.push(`      $0${' '.repeat(Math.max(1, width - 2 - usd(maxCost).length))}${usd(maxCost)}`);
  return rows.join('\n');
}

const turnLabel = (d: Disagreement) => (d.turn > 1 ? ` turn ${d.turn}` : '');

export function formatTable(r: BenchReport): string {
  const out: string[] = [];
  const head = modelHead(r.repeat);
  out.push(table(head, r.models.map((s) => modelCells(s, r.repeat)), new Set(head.map((_, i) => i).slice(2))));
  const errors = errorLines(r.models);
  if (errors.length) out.push('', 'Errors (by kind, with the first message):', ...errors);
  if (r.tags.length) {
    out.push('', 'By tag:');
    out.push(table(['tag', 'model', 'pass', 'cost'], r.tags.map((t) => [safe(t.tag), safe(t.model), t.graded ? `${t.passed}/${t.graded} ${pct(t.passRate)}` : '—', usd(t.costUsd)]), new Set([2, 3])));
  }
  if (r.disagreements.total) {
    out.push('', `Disagreements (${r.disagreements.total} case${r.disagreements.total === 1 ? '' : 's'}${r.disagreements.total > r.disagreements.cases.length ? `, first ${r.disagreements.cases.length}` : ''}):`);
    for (const d of r.disagreements.cases) out.push(`  ${safe(d.caseId)}${turnLabel(d)} (${safe(d.where)}): pass ${d.passed.map(safe).join(', ')} · fail ${d.failed.map(safe).join(', ')}`);
  }
  const flaky = Object.entries(r.flaky ?? {}).filter(([, ids]) => ids.length);
  if (flaky.length) {
    out.push('', `Flaky (passed some of ${r.repeat} samples):`);
    for (const [model, ids] of flaky) {
      const n = r.models.find((s) => s.model === model)?.flaky ?? ids.length;
      out.push(`  ${safe(model)}: ${ids.map(safe).join(', ')}${n > ids.length ? ` (+${n - ids.length} more)` : ''}`);
    }
  }
  if (r.frontier.length) {
    out.push('', `Pareto: ${r.frontier.map((p) => `${safe(p.model)} (${usd(p.costUsd)}, ${pct(p.passRate)})`).join(' → ')}`);
    const c = chart(r);
    if (c) out.push(c, `      ${r.models.map((s, i) => `${i + 1} ${safe(s.model)}`).join(' · ')}`);
  }
  if (r.suggestions?.length) {
    out.push('', 'Suggested rules (cheapest model within tolerance of the best, per tag):');
    for (const s of r.suggestions) out.push(`  ${safe(s.tag)} → ${safe(s.model)} (${pct(s.passRate)}, best ${safe(s.best.model)} ${pct(s.best.passRate)}, n=${s.n})`);
  }
  const judge = r.judgeCostUsd ? ` · judge ${usd(r.judgeCostUsd)} (not in model costs)` : '';
  const stop = r.stopped === 'budget' ? ` · stopped at --max-cost, ${r.skipped} not run` : r.stopped === 'signal' ? ` · interrupted, ${r.skipped} not run` : '';
  const samples = r.repeat > 1 ? ` × ${r.repeat} samples` : '';
  // A report read back from a rows file has no wall time of its own.
  const took = r.wallMs > 0 ? ` in ${ms(r.wallMs)}` : '';
  const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  out.push('', `${count(r.cases, 'case')} × ${count(r.models.length, 'model')}${samples}${took} · spent ${usd(r.spentUsd)}${judge}${stop}`);
  return `${out.join('\n')}\n`;
}

/** JSON.stringify escapes C0 controls but leaves C1 (0x80–0x9f) raw; escape them too (still the same data). */
export const jsonSafe = (text: string) => text.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function formatJson(r: BenchReport): string {
  return `${jsonSafe(JSON.stringify(r, null, 2))}\n`;
}

const CSV_HEAD = ['model', 'n', 'graded', 'passed', 'passRate', 'passLow', 'passHigh', 'passAllRate', 'flaky', 'errors', 'cached', 'latencyMeanMs', 'latencyP50Ms', 'latencyP95Ms', 'ttftP50Ms', 'inputTokens', 'outputTokens', 'costUsd', 'costPerPassUsd', 'judgeCostUsd'];
const csvCell = (v: unknown) => {
  const s = v == null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function formatCsv(r: BenchReport): string {
  const rows = r.models.map((s) => [safe(s.model), s.n, s.graded, s.passed, s.passRate, s.passLow, s.passHigh, s.passAllRate, s.flaky, s.errors, s.cached, s.latencyMean, s.latencyP50, s.latencyP95, s.ttftP50, s.inputTokens, s.outputTokens, s.costUsd, s.costPerPass, s.judgeCostUsd]);
  return `${[CSV_HEAD, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

export function formatMarkdown(r: BenchReport): string {
  const md = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((x) => `| ${x.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`)].join('\n');
  const parts = [md(modelHead(r.repeat), r.models.map((s) => modelCells(s, r.repeat)))];
  const errors = errorLines(r.models);
  if (errors.length) parts.push('', '**Errors**', '', ...errors.map((l) => `- ${l.trim()}`));
  if (r.tags.length) parts.push('', md(['tag', 'model', 'pass', 'cost'], r.tags.map((t) => [safe(t.tag), safe(t.model), t.graded ? `${t.passed}/${t.graded} ${pct(t.passRate)}` : '—', usd(t.costUsd)])));
  if (r.frontier.length) parts.push('', `Pareto frontier: ${r.frontier.map((p) => `${safe(p.model)} (${usd(p.costUsd)}, ${pct(p.passRate)})`).join(' → ')}`);
  return `${parts.join('\n')}\n`;
}

export function formatReport(r: BenchReport, format: string): string {
  if (format === 'json') return formatJson(r);
  if (format === 'csv') return formatCsv(r);
  if (format === 'md') return formatMarkdown(r);
  return formatTable(r);
}

export { paretoFrontier };
