/**
 * `mmr report rows.jsonl`: a finished bench run again, from its rows file. In a terminal it
 * opens the case × model view to page through answers and vote (votes go to the vote log, like
 * `mmr ask` votes, so they feed routing); `--html FILE` writes the self-contained report;
 * otherwise the summary prints as `mmr bench` prints it. `--compare old.jsonl` diffs two runs.
 */
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import { readRows } from '../bench/rows-file.js';
import { Summary } from '../bench/summary.js';
import { assembleReport } from '../bench/assemble.js';
import { formatReport } from '../bench/report.js';
import { compareRuns } from '../bench/compare.js';
import type { BenchReport } from '../bench/report.js';
import type { BenchRow } from '../bench/types.js';

export interface ReportFlags {
  html?: string;
  compare?: string;
  format?: string;
  json?: boolean;
  /** commander's --no-tui. */
  tui?: boolean;
  quiet?: boolean;
}

const FORMATS = ['table', 'json', 'csv', 'md', 'junit'];

async function load(file: string, flag: string, quiet: boolean): Promise<BenchRow[]> {
  const { rows, skipped } = await readRows(file, flag);
  if (skipped && !quiet) process.stderr.write(`mmr: skipped ${skipped} line${skipped === 1 ? '' : 's'} of ${neutralizeLine(file)} that are not bench rows\n`);
  if (rows.length === 0) throw new UsageError(`${file} holds no bench rows`, 'give the file written by mmr bench --out');
  return rows;
}

/** The summary of a rows file, models in the order they first appear. */
export function reportOf(rows: BenchRow[], disagreementLimit = 10): BenchReport {
  // The run's -m order when the rows carry it, else the order models first appear.
  const index = new Map<string, number>();
  for (const r of rows) index.set(r.model, Math.min(index.get(r.model) ?? Infinity, r.modelIndex ?? Infinity));
  const first = [...index.keys()];
  const models = first.sort((a, b) => index.get(a)! - index.get(b)! || first.indexOf(a) - first.indexOf(b));
  const summary = new Summary(models);
  for (const r of rows) summary.add(r);
  return assembleReport(summary, {
    cases: new Set(rows.map((r) => r.caseId)).size,
    // What the run that wrote the rows paid; cached rows were paid for by an earlier run.
    spentUsd: rows.reduce((a, r) => a + (r.cached ? 0 : (r.costUsd ?? 0) + r.judgeCostUsd), 0),
    wallMs: 0,
    stopped: null,
    skipped: 0,
    repeat: rows.reduce((a, r) => Math.max(a, r.sample), 1),
    disagreementLimit,
  });
}

function compareText(now: BenchRow[], before: BenchRow[], label: string): string {
  const lines = [``, `Compared with ${neutralizeLine(label)}:`];
  for (const c of compareRuns(now, before)) {
    const list = (xs: string[]) => (xs.length ? `: ${xs.slice(0, 10).map(neutralizeLine).join(', ')}${xs.length > 10 ? ` (+${xs.length - 10} more)` : ''}` : '');
    lines.push(`  ${neutralizeLine(c.model)}: ${c.better.length} better${list(c.better)} · ${c.worse.length} worse${list(c.worse)} (of ${c.both} in both runs)`);
  }
  return `${lines.join('\n')}\n`;
}

export async function runReport(file: string, flags: ReportFlags): Promise<number> {
  const quiet = flags.quiet === true;
  const format = flags.json ? 'json' : flags.format;
  if (format !== undefined && !FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  const rows = await load(file, 'the rows file', quiet);
  const before = flags.compare ? await load(flags.compare, '--compare', quiet) : undefined;
  const report = reportOf(rows, format === 'json' ? Infinity : 10);
  const title = path.basename(file);

  if (flags.html) {
    const { writeHtmlReport } = await import('../report/write.js');
    const compare = before ? { rows: before, report: reportOf(before), title: path.basename(flags.compare!) } : undefined;
    const out = await writeHtmlReport(flags.html, { rows, report, title, compare });
    if (!quiet) process.stderr.write(`mmr: wrote the HTML report to ${neutralizeLine(out)}\n`);
    return 0;
  }
  // The terminal view shows one run; a comparison prints as text.
  const tui = format === undefined && !before && flags.tui !== false && process.stdout.isTTY === true && process.stdin.isTTY === true;
  if (tui) {
    const { openReportView } = await import('./report-view.js');
    return openReportView(rows, report, title);
  }
  if (format === 'junit') {
    const { JunitCollector } = await import('../bench/junit.js');
    const j = new JunitCollector(report.models.map((m) => m.model));
    for (const r of rows) j.add(r);
    process.stdout.write(j.format(rows.reduce((a, r) => a + (r.latencyMs ?? 0), 0)));
  } else process.stdout.write(formatReport(report, format ?? 'table'));
  if (before && (format === undefined || format === 'table')) process.stdout.write(compareText(rows, before, flags.compare!));
  return 0;
}
