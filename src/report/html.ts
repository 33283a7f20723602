/**
 * The self-contained HTML bench report: one file with inline CSS, inline script and inline SVG,
 * loading nothing (a Content-Security-Policy forbids any fetch, so not even an answer holding
 * markup could reach the network); it works from file://. Per-model summary with 95%
 * intervals, quality–cost and quality–latency scatters with their Pareto fronts, then the
 * case × model grid (client.ts) with every answer, its checks and why each failed.
 */
import { formatUsd } from '../core/cost.js';
import type { BenchReport } from '../bench/report.js';
import type { ModelStats } from '../bench/summary-types.js';
import type { BenchRow } from '../bench/types.js';
import { CLIENT_JS } from './client.js';
import { reportDoc } from './data.js';
import { escapeHtml as h, jsonForScript } from './escape.js';
import { scatter } from './svg.js';
import { REPORT_CSS } from './style.js';

export interface HtmlInput {
  rows: BenchRow[];
  report: BenchReport;
  title: string;
  /** `--compare old.jsonl`: the earlier run to diff against. */
  compare?: { rows: BenchRow[]; report: BenchReport; title: string };
}

const pct = (r: number | null) => (r == null ? '—' : `${Math.round(r * 1000) / 10}%`);
const ms = (v: number | null) => (v == null ? '—' : v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
const usd = (v: number | null) => (v == null ? '—' : formatUsd(v));

function summaryTable(r: BenchReport, old?: BenchReport): string {
  const before = new Map(old?.models.map((m) => [m.model, m]) ?? []);
  const rep = r.repeat > 1;
  const head = ['model', 'pass', '95% interval', ...(rep ? [`pass^${r.repeat}`, 'flaky'] : []), ...(old ? ['Δ vs before'] : []), 'n', 'errors', 'p50', 'p95', 'ttft p50', 'cost', '$/pass'];
  const row = (s: ModelStats) => {
    const b = before.get(s.model);
    const delta = b && b.passRate != null && s.passRate != null ? Math.round((s.passRate - b.passRate) * 1000) / 10 : null;
    const errors = s.errorKinds.map((k) => `<div class="err-kind"><b>${k.count} × ${h(k.kind)}${k.status != null ? ` (HTTP ${k.status})` : ''}</b>: ${h(k.example.slice(0, 200))}</div>`).join('');
    const cells = [
      `<th class="model">${h(s.model)}</th>`,
      `<td>${s.graded ? `${s.passed}/${s.graded} ${pct(s.passRate)}` : '—'}</td>`,
      `<td>${s.passLow == null ? '—' : `${pct(s.passLow)} – ${pct(s.passHigh)}`}</td>`,
      ...(rep ? [`<td>${pct(s.passAllRate)}</td>`, `<td>${s.flaky}</td>`] : []),
      ...(old ? [`<td class="${delta == null ? '' : delta > 0 ? 'up' : delta < 0 ? 'down' : ''}">${delta == null ? '—' : `${delta > 0 ? '+' : ''}${delta} pts`}</td>`] : []),
      `<td>${s.n}</td>`,
      `<td class="errors">${s.errors}${errors}</td>`,
      `<td>${ms(s.latencyP50)}</td>`,
      `<td>${ms(s.latencyP95)}</td>`,
      `<td>${ms(s.ttftP50)}</td>`,
      `<td>${s.costUsd == null ? 'unknown' : usd(s.costUsd)}${s.costUnknown ? ` (+${s.costUnknown} unknown)` : ''}</td>`,
      `<td>${usd(s.costPerPass)}</td>`,
    ];
    return `<tr>${cells.join('')}</tr>`;
  };
  return `<table class="summary"><thead><tr>${head.map((x) => `<th${x === 'errors' ? ' class="left"' : ''}>${h(x)}</th>`).join('')}</tr></thead><tbody>${r.models.map(row).join('')}</tbody></table>`;
}

/** Axis ticks of tiny sums need significant digits, not cents. */
const axisUsd = (x: number) => (x === 0 ? '$0' : `$${x.toPrecision(2)}`);

function charts(r: BenchReport): string {
  // A model none of whose calls answered has nothing to place: its $0 and its latency measure failures.
  const graded = r.models.filter((s) => s.passRate != null && s.errors < s.n);
  const byCost = graded.filter((s) => s.costUsd != null && s.costUnknown === 0).map((s) => ({ label: s.model, x: s.costUsd!, y: s.passRate! }));
  const byLatency = graded.filter((s) => s.latencyP50 != null).map((s) => ({ label: s.model, x: s.latencyP50!, y: s.passRate! }));
  return `<div class="charts">${scatter(byCost, { id: 'chart-cost', title: 'Quality against cost', xLabel: 'total cost (USD)', format: axisUsd })}${scatter(byLatency, { id: 'chart-latency', title: 'Quality against latency', xLabel: 'p50 latency', format: (x) => ms(x) })}</div>`;
}

export function renderHtml(input: HtmlInput): string {
  const { report: r } = input;
  const doc = reportDoc(input.rows, r, input.title, input.compare?.rows);
  const stop = r.stopped === 'budget' ? ` · stopped at --max-cost, ${r.skipped} not run` : r.stopped === 'signal' ? ` · interrupted, ${r.skipped} not run` : '';
  const compare = input.compare
    ? `<p class="muted">Compared with <b>${h(input.compare.title)}</b>: cells marked <span class="better-key">better</span> passed now and not before, <span class="worse-key">worse</span> the other way.</p>`
    : '';
  const changeFilter = input.compare
    ? `<label>change <select id="f-change"><option value="">all</option><option value="better">better</option><option value="worse">worse</option><option value="changed">changed</option></select></label>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mmr bench · ${h(input.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>mmr bench</h1><p class="muted">${h(input.title)} · ${doc.cases.length} case-turns × ${doc.models.length} models${r.repeat > 1 ? ` × ${r.repeat} samples` : ''} · spent ${usd(r.spentUsd)} this run${r.judgeCostUsd ? ` (judge ${usd(r.judgeCostUsd)})` : ''}${h(stop)}</p>${compare}</header>
<section>${summaryTable(r, input.compare?.report)}</section>
<section>${charts(r)}</section>
<section class="grid-section">
<div class="controls">
<label><input type="checkbox" id="f-failed"> failed only</label>
<label><input type="checkbox" id="f-disagree"> disagreements</label>
<label>tag <select id="f-tag"><option value="">all</option></select></label>
${changeFilter}
<input type="search" id="f-search" placeholder="search ids, prompts, answers" aria-label="search">
<span id="count" class="muted"></span>
</div>
<table class="grid"><thead><tr><th>case</th>${doc.models.map((m) => `<th class="model">${h(m)}</th>`).join('')}</tr></thead><tbody id="grid-body"></tbody></table>
<button id="more" type="button">show more</button>
</section>
<script type="application/json" id="mmr-data">${jsonForScript(doc)}</script>
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}
