/**
 * `mmr bench FILES... -m A -m B`: runs prompt files across models, grades the answers, and
 * prints quality against cost and speed; optionally turns the result into routing rules.
 * Every run ends with its summary and every finished row on disk, or with an error and a
 * non-zero exit (bench/exit.ts lists the codes).
 */
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ResolvedModel } from '../core/model.js';
import { resolveModel } from '../core/resolve.js';
import { formatUsd } from '../core/cost.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import { openSession, type CallFlags, type SessionDeps } from './session.js';
import { trapSignals } from './ask.js';
import { expandFiles } from '../bench/glob.js';
import { loadPromptFilesWithVariants } from '../bench/load.js';
import { plannedRows, runBench, type RunOutcome } from '../bench/runner.js';
import { DirCache, benchCacheDir } from '../bench/cache.js';
import { execCommand } from '../bench/checks.js';
import { runJudge } from '../bench/judge.js';
import { ProviderGates, type ProviderLimits } from '../bench/limiter.js';
import { Summary } from '../bench/summary.js';
import { formatReport, pct } from '../bench/report.js';
import { assembleReport } from '../bench/assemble.js';
import type { EvidenceSuggestion } from '../learn/suggest.js';
import { Progress } from '../bench/progress.js';
import { estimateCost } from '../bench/estimate.js';
import { RowWriter } from '../bench/row-writer.js';
import { JunitCollector } from '../bench/junit.js';
import { belowThreshold, benchExitCode } from '../bench/exit.js';
import { previousRun, type PreviousRun } from '../bench/rerun.js';
import { cellKey, type BenchRow, type Check } from '../bench/types.js';

export interface BenchFlags extends CallFlags {
  concurrency?: number;
  /** commander's --no-cache. */
  cache?: boolean;
  out?: string;
  format?: string;
  maxCost?: number;
  threshold?: number;
  suggestRules?: boolean;
  writeRules?: boolean;
  tolerance?: number;
  judge?: string;
  /** `provider=N`, repeatable. */
  rpm?: string[];
  providerConcurrency?: string[];
  limit?: number;
  /** Samples per case × model. */
  repeat?: number;
  /** true: the --out file; a string: that rows file. */
  rerunFailed?: boolean | string;
  /** Write the self-contained HTML report here. */
  html?: string;
}

const FORMATS = ['table', 'json', 'csv', 'md', 'junit'];

/** `openai=60` flags, then config `providers.<id>.rpm|concurrency` when the config carries them. */
export function providerLimits(flags: BenchFlags, providers: Record<string, unknown>): Record<string, ProviderLimits> {
  const out: Record<string, ProviderLimits> = {};
  for (const [id, p] of Object.entries(providers)) {
    const { rpm, concurrency } = (p ?? {}) as { rpm?: unknown; concurrency?: unknown };
    if (typeof rpm === 'number' || typeof concurrency === 'number') out[id] = { rpm: typeof rpm === 'number' ? rpm : undefined, concurrency: typeof concurrency === 'number' ? concurrency : undefined };
  }
  const parse = (list: string[] | undefined, key: keyof ProviderLimits, flag: string) => {
    for (const item of list ?? []) {
      const m = /^([\w.-]+)=(\d+)$/.exec(item);
      if (!m || Number(m[2]) < 1) throw new UsageError(`${flag} takes provider=N with N >= 1, got "${item}"`, `e.g. ${flag} openai=60`);
      out[m[1]] = { ...out[m[1]], [key]: Number(m[2]) };
    }
  };
  parse(flags.rpm, 'rpm', '--rpm');
  parse(flags.providerConcurrency, 'concurrency', '--provider-concurrency');
  return out;
}

/** From this many case × model jobs on, memory matters more than the last few percent of speed. */
const LARGE_RUN_JOBS = 10_000;

export async function runBenchCommand(args: string[], flags: BenchFlags, deps: SessionDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const format = flags.json ? 'json' : (flags.format ?? 'table');
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  if (typeof flags.rerunFailed === 'string' && !/\.(jsonl|ndjson)$/i.test(flags.rerunFailed)) {
    // `--rerun-failed cases.yaml`: commander took the prompt file as the flag's optional value.
    throw new UsageError(`--rerun-failed takes the rows file of the last run (.jsonl), got "${flags.rerunFailed}"`, 'put --rerun-failed after the prompt files, or give it the rows file: --rerun-failed rows.jsonl');
  }
  if (args.length === 0) throw new UsageError('no prompt files given', 'e.g. mmr bench prompts/*.yaml -m openai:gpt-4o-mini -m anthropic:claude-haiku-4-5');
  const repeat = flags.repeat ?? 1;
  const { files, unmatched } = await expandFiles(args, cwd);
  if (unmatched.length) throw new UsageError(`no prompt file matches ${unmatched.map((u) => `"${u}"`).join(', ')}`, 'check the path or glob (quote globs with ** so mmr expands them)');
  const loaded = await loadPromptFilesWithVariants(files, cwd);
  let cases = loaded.cases;
  if (flags.limit !== undefined) cases = cases.slice(0, flags.limit);
  if (cases.length === 0) throw new UsageError(`the prompt files hold no cases (${files.length} file${files.length === 1 ? '' : 's'} read)`);

  const session = await openSession(flags, deps);
  if (loaded.variants.length) session.models = await withFileVariants(session.models, loaded.variants, cwd, (t) => !flags.quiet && process.stderr.write(`mmr: ${t}\n`));
  const { config } = session.loaded;
  const modelIds = session.models.map((m) => m.id);
  const judges = new Map<string, ResolvedModel>();
  const judgeFor = (c: Check): ResolvedModel | null => {
    const ref = c.model ?? flags.judge;
    if (!ref) return null;
    let m = judges.get(ref);
    if (!m) judges.set(ref, (m = resolveModel(ref, config, env)));
    return m;
  };
  for (const c of cases) for (const ch of [...c.expect, ...c.followUps.flatMap((f) => f.expect)]) if (ch.type === 'judge' && !judgeFor(ch)) {
    throw new UsageError(`${c.where}: a judge check needs a grading model`, 'pass --judge provider:model, or set model: on the check');
  }

  const stderr = process.stderr;
  const quiet = flags.quiet === true;
  const note = (text: string) => {
    if (!quiet) stderr.write(`mmr: ${text}\n`);
  };
  // Read before --out is opened: they may be the same file.
  let previous: PreviousRun | null = null;
  if (flags.rerunFailed !== undefined && flags.rerunFailed !== false) {
    const from = typeof flags.rerunFailed === 'string' ? flags.rerunFailed : flags.out;
    if (!from) throw new UsageError('--rerun-failed needs the rows of the last run', 'give --rerun-failed rows.jsonl, or --out rows.jsonl as in the last run');
    previous = await previousRun(from, cases, modelIds, repeat);
    if (previous.skippedLines) stderr.write(`mmr: skipped ${previous.skippedLines} line${previous.skippedLines === 1 ? '' : 's'} of ${neutralizeLine(from)} that are not bench rows\n`);
    note(`rerunning ${previous.failed.size} failed cell${previous.failed.size === 1 ? '' : 's'} of ${neutralizeLine(from)}; keeping ${previous.kept.length} row${previous.kept.length === 1 ? '' : 's'}`);
    if (previous.missing) note(`${previous.missing} case × model cell${previous.missing === 1 ? ' is' : 's are'} not in ${neutralizeLine(from)} (the last run stopped early) and are not run; run without --rerun-failed to fill them (cached answers cost nothing)`);
  }
  const only = previous ? (caseId: string, model: string, sample: number) => previous!.failed.has(cellKey({ caseId, model, sample })) : undefined;
  const planned = plannedRows(cases, modelIds, repeat, only);

  if (flags.maxCost !== undefined) {
    const est = await estimateCost(cases, session.models, session.options, session.engine);
    const unknown = est.unknown.length ? `; price unknown for ${est.unknown.map(neutralizeLine).join(', ')}` : '';
    const scale = repeat * (previous ? planned / Math.max(1, plannedRows(cases, modelIds, repeat)) : 1);
    stderr.write(`mmr: estimated cost ${formatUsd(est.usd * scale)} for ${Math.round(est.calls * scale)} calls (cap ${formatUsd(flags.maxCost)}${unknown}); the run stops when spend reaches the cap\n`);
  }
  // Rewriting the file the last run's rows came from: the old rows stay until the new file is whole.
  const replacing = previous !== null && flags.out !== undefined && typeof flags.rerunFailed !== 'string';
  const out = flags.out ? await RowWriter.open(flags.out, { replace: replacing || (typeof flags.rerunFailed === 'string' && path.resolve(flags.rerunFailed) === path.resolve(flags.out)) }) : null;
  const summary = new Summary(modelIds);
  const junit = format === 'junit' ? new JunitCollector(modelIds) : null;
  const htmlRows: BenchRow[] | null = flags.html ? [] : null;
  // Rules from evidence (src/learn/suggest.ts) need the prompts, so rows are kept only when asked for.
  const evidence = flags.suggestRules || flags.writeRules ? (await import('../learn/suggest.js')).evidenceCollector() : null;
  const take = (row: BenchRow) => {
    summary.add(row);
    evidence?.add(row);
    junit?.add(row);
    htmlRows?.push(row);
  };
  if (planned >= LARGE_RUN_JOBS && !htmlRows) {
    // V8 otherwise lets the heap balloon between collections on long runs (226 MB peak for
    // 10,000 × 4 against 113 MB with this flag, bench/bench-run.mjs); rows already stream to disk,
    // so the only cost is a little speed on a run that is long anyway.
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--optimize-for-size');
  }
  const cache = flags.cache === false ? null : new DirCache(benchCacheDir(env));
  const progress = new Progress(planned, stderr.isTTY && !quiet ? stderr : null);
  const controller = new AbortController();
  const trap = trapSignals(controller);
  const started = performance.now();
  let outcome: RunOutcome = { stopped: null, spentUsd: 0, skipped: planned, planned };
  // A failure mid-run (the rows file could not be written) still prints what finished, then the error.
  let failure: unknown = null;
  try {
    for (const row of previous?.kept ?? []) {
      take(row);
      await out?.write(row);
    }
    outcome = await runBench(cases, {
      models: session.models,
      options: session.options,
      engine: session.engine,
      concurrency: flags.concurrency ?? 8,
      gates: new ProviderGates(providerLimits(flags, config.providers as Record<string, unknown>)),
      cache,
      signal: controller.signal,
      maxCostUsd: flags.maxCost,
      repeat,
      only,
      runCommand: (c, answer) => execCommand(c, answer),
      judge: async (c, answer, prompt) => runJudge(judgeFor(c)!, c, prompt, answer, { ...session.engine, signal: controller.signal }),
      onRow: async (row) => {
        take(row);
        progress.row(row.error !== null, row.cached ? 0 : (row.costUsd ?? 0) + row.judgeCostUsd);
        await out?.write(row);
      },
    });
  } catch (err) {
    failure = err;
  } finally {
    trap.release();
    progress.end();
    await out?.close().catch((err: unknown) => {
      failure ??= err;
    });
  }

  const report = assembleReport(summary, {
    cases: cases.length,
    spentUsd: outcome.spentUsd,
    wallMs: performance.now() - started,
    stopped: outcome.stopped,
    skipped: outcome.skipped,
    repeat,
    disagreementLimit: format === 'json' ? Infinity : 10,
    tolerance: flags.suggestRules || flags.writeRules ? (flags.tolerance ?? 2) : undefined,
    corruptCache: cache?.corrupt,
  });
  // Suggested rules come from the evidence itself (src/learn/suggest.ts), not from tag names.
  if (evidence) report.suggestions = evidence.suggest(flags.tolerance ?? 2);
  process.stdout.write(junit ? junit.format(report.wallMs) : formatReport(report, format));
  const advice = evidence && (await evidence.advice(report.suggestions as EvidenceSuggestion[]));
  if (advice && !quiet) stderr.write(`mmr: ${neutralizeLine(advice)}\n`);
  if (cache?.corrupt) stderr.write(`mmr: skipped ${cache.corrupt} corrupt cache entr${cache.corrupt === 1 ? 'y' : 'ies'} (asked the model again)\n`);
  if (outcome.stopped === 'budget') stderr.write(`mmr: stopped at --max-cost ${formatUsd(flags.maxCost!)} with ${outcome.skipped} row${outcome.skipped === 1 ? '' : 's'} not run; run again to resume (finished answers are cached)\n`);
  if (failure) throw failure;
  if (htmlRows) {
    const { writeHtmlReport } = await import('../report/write.js');
    const file = await writeHtmlReport(flags.html!, { rows: htmlRows, report, title: files.map((f) => (path.relative(cwd, f).startsWith('..') ? f : path.relative(cwd, f))).join(', ') });
    note(`wrote the HTML report to ${neutralizeLine(file)}`);
  }
  if (flags.writeRules && report.suggestions?.length && outcome.stopped !== 'signal') {
    const [{ saveRule }, { knownModelFor }] = await Promise.all([import('../config/save.js'), import('../config/rules.js')]);
    for (const s of report.suggestions) {
      const saved = await saveRule(s.rule, { file: session.loaded.projectFile, create: { dir: cwd }, replace: true, knownModel: knownModelFor(config) });
      note(`saved rule "${s.rule.name}" (${neutralizeLine(s.tag)} → ${neutralizeLine(s.model)}) to ${saved.file}`);
    }
  }

  const below = belowThreshold(report.models, flags.threshold);
  if (below.models.length) stderr.write(`mmr: below --threshold ${below.min}%: ${below.models.map((s) => `${neutralizeLine(s.model)} ${pct(s.passRate)}`).join(', ')}\n`);
  return benchExitCode({ models: report.models, stopped: outcome.stopped, signal: trap.signal(), belowThreshold: below.models.map((s) => s.model) });
}

export async function runCacheClear(flags: { quiet?: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { clearCache } = await import('../bench/cache.js');
  const dir = await clearCache(env);
  if (!flags.quiet) process.stderr.write(`mmr: cleared the bench cache (${dir})\n`);
}

/** The prompt files' named `variants:`: every model once per variant (its id carries the settings). */
async function withFileVariants(models: ResolvedModel[], found: { file: string; display: string; value: unknown }[], cwd: string, note: (text: string) => unknown): Promise<ResolvedModel[]> {
  const [{ parseVariants, mergeVariants, applyVariants }, { readSystemFiles }, { formatVariantRef }] = await Promise.all([import('../bench/variants.js'), import('./vary.js'), import('../core/variants.js')]);
  const variants = mergeVariants(found.map((f) => parseVariants(f.value, f.file, f.display, cwd)));
  const files = variants.flatMap((v) => (v.values.system ? [v.values.system.slice(1)] : []));
  const texts = await readSystemFiles(files, cwd, 'variants:');
  note(`variants: ${variants.map((v) => `${v.name} = ${formatVariantRef('', v.values)}`).join(' · ')}`);
  return applyVariants(models, variants, (f) => texts.get(f));
}

