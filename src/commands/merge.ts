/**
 * `mmr bench merge rows-*.jsonl`: the rows of a bench split with `--shard I/N` (or run on
 * several machines) as one run: one summary (the same a single run over all the cases prints),
 * optionally one rows file (`--out`), the HTML report (`--html`) and the same exit codes as
 * `mmr bench` (a run that completed: 0, 1 below --threshold, 3 none succeeded, 4 some errored).
 */
import { UsageError } from '../core/errors.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import { expandFiles } from '../bench/glob.js';
import { mergeRows } from '../bench/merge.js';
import { assembleReport } from '../bench/assemble.js';
import { formatReport, pct } from '../bench/report.js';
import { belowThreshold, benchExitCode } from '../bench/exit.js';
import { RowWriter } from '../bench/row-writer.js';
import type { BenchRow } from '../bench/types.js';

export interface MergeFlags {
  out?: string;
  html?: string;
  format?: string;
  json?: boolean;
  threshold?: number;
  quiet?: boolean;
  suggestRules?: boolean;
  tolerance?: number;
}

const FORMATS = ['table', 'json', 'csv', 'md', 'junit'];

export async function runMerge(args: string[], flags: MergeFlags, cwd = process.cwd()): Promise<number> {
  const format = flags.json ? 'json' : (flags.format ?? 'table');
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  const { files, unmatched } = await expandFiles(args, cwd);
  if (unmatched.length) throw new UsageError(`no rows file matches ${unmatched.map((u) => `"${neutralizeLine(u)}"`).join(', ')}`, 'give the files written by mmr bench --out (globs such as "rows-*.jsonl" work)');
  const note = (text: string) => {
    if (!flags.quiet) process.stderr.write(`mmr: ${text}\n`);
  };
  const out = flags.out ? await RowWriter.open(flags.out) : null;
  const junit = format === 'junit' ? new (await import('../bench/junit.js')).JunitCollector() : null;
  let merged;
  let latencyMs = 0;
  try {
    merged = await mergeRows(files, {
      keepRows: flags.html !== undefined,
      onRow: async (row: BenchRow) => {
        junit?.add(row);
        latencyMs += row.latencyMs ?? 0;
        await out?.write(row);
      },
    });
  } finally {
    await out?.close();
  }
  for (const [file, n] of merged.skippedLines) process.stderr.write(`mmr: skipped ${n} line${n === 1 ? '' : 's'} of ${neutralizeLine(file)} that are not bench rows\n`);
  if (merged.rows === 0) throw new UsageError(`${files.length === 1 ? neutralizeLine(files[0]) : 'the files'} hold no bench rows`, 'give the files written by mmr bench --out');
  if (merged.duplicates) note(`skipped ${merged.duplicates} duplicate row${merged.duplicates === 1 ? '' : 's'} (the same case, model, turn and sample in more than one file)`);
  const report = assembleReport(merged.summary, {
    cases: merged.cases,
    spentUsd: merged.spentUsd,
    wallMs: 0,
    stopped: null,
    skipped: 0,
    repeat: merged.repeat,
    disagreementLimit: format === 'json' ? Infinity : 10,
    tolerance: flags.suggestRules ? (flags.tolerance ?? 2) : undefined,
  });
  process.stdout.write(junit ? junit.format(latencyMs) : formatReport(report, format));
  if (flags.html) {
    const { writeHtmlReport } = await import('../report/write.js');
    const file = await writeHtmlReport(flags.html, { rows: merged.kept!, report, title: `${files.length} merged rows file${files.length === 1 ? '' : 's'}` });
    note(`wrote the HTML report to ${neutralizeLine(file)}`);
  }
  const below = belowThreshold(report.models, flags.threshold);
  if (below.models.length) process.stderr.write(`mmr: below --threshold ${below.min}%: ${below.models.map((s) => `${neutralizeLine(s.model)} ${pct(s.passRate)}`).join(', ')}\n`);
  return benchExitCode({ models: report.models, stopped: null, signal: null, belowThreshold: below.models.map((s) => s.model) });
}
