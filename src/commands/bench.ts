/**
 * `mmr bench FILES... -m A -m B`: runs prompt files across models, grades the answers, and
 * prints quality against cost and speed; optionally turns the result into routing rules.
 * Every run ends with its summary and every finished row on disk, or with an error and a
 * non-zero exit (bench/exit.ts lists the codes).
 */
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ResolvedModel } from '../core/model.js';
import { resolveModel } from '../config/resolve-model.js';
import { formatUsd } from '../core/cost.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import { openSession, type SessionDeps } from '../session/open.js';
import { trapSignals } from './signals.js';
import { expandFiles } from '../bench/glob.js';
import { planCases, plannedRowsOf, parseShard } from '../bench/plan.js';
import { runBench, type RunOutcome } from '../bench/runner.js';
import { benchCacheDir } from '../bench/cache.js';
import { LogCache } from '../bench/cache-store.js';
import { execCommand } from '../bench/checks.js';
import { runJudge } from '../bench/judge.js';
import { ProviderGates } from '../bench/limiter.js';
import { FORMATS, providerLimits, withFileVariants, type BenchFlags } from './bench-options.js';
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
import type { BenchBatch } from '../batch/bench-batch.js';

export async function runBenchCommand(args: string[], flags: BenchFlags, deps: SessionDeps & { argv?: string[] } = {}): Promise<number> {
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
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  // First pass: every case validated (errors before any request), ids checked, sums kept.
  const judgeRefs = new Set<string>();
  const plan = await planCases(files, cwd, { limit: flags.limit, shard }, { system: flags.system }, (c) => {
    for (const ch of [...c.expect, ...c.followUps.flatMap((f) => f.expect)]) {
      if (ch.type !== 'judge') continue;
      const ref = ch.model ?? flags.judge;
      if (!ref) throw new UsageError(`${c.where}: a judge check needs a grading model`, 'pass --judge provider:model, or set model: on the check');
      judgeRefs.add(ref);
    }
  });
  if (plan.read === 0) throw new UsageError(`the prompt files hold no cases (${files.length} file${files.length === 1 ? '' : 's'} read)`);

  const session = await openSession(flags, deps);
  if (plan.variants.length) session.models = await withFileVariants(session.models, plan.variants, cwd, (t) => !flags.quiet && process.stderr.write(`mmr: ${t}\n`));
  const { config } = session.loaded;
  const modelIds = session.models.map((m) => m.id);
  const judges = new Map<string, ResolvedModel>();
  for (const ref of judgeRefs) judges.set(ref, resolveModel(ref, config, env));
  const judgeFor = (c: Check): ResolvedModel => judges.get(c.model ?? flags.judge!)!;

  const stderr = process.stderr;
  const quiet = flags.quiet === true;
  const note = (text: string) => {
    if (!quiet) stderr.write(`mmr: ${text}\n`);
  };
  if (shard) note(`shard ${shard.index}/${shard.count}: ${plan.cases} of ${flags.limit !== undefined ? Math.min(flags.limit, plan.read) : plan.read} cases`);
  // Read before --out is opened: they may be the same file.
  let previous: PreviousRun | null = null;
  if (flags.rerunFailed !== undefined && flags.rerunFailed !== false) {
    const from = typeof flags.rerunFailed === 'string' ? flags.rerunFailed : flags.out;
    if (!from) throw new UsageError('--rerun-failed needs the rows of the last run', 'give --rerun-failed rows.jsonl, or --out rows.jsonl as in the last run');
    previous = await previousRun(from, plan.ids, modelIds, repeat);
    if (previous.skippedLines) stderr.write(`mmr: skipped ${previous.skippedLines} line${previous.skippedLines === 1 ? '' : 's'} of ${neutralizeLine(from)} that are not bench rows\n`);
    note(`rerunning ${previous.failed.size} failed cell${previous.failed.size === 1 ? '' : 's'} of ${neutralizeLine(from)}; keeping ${previous.kept.length} row${previous.kept.length === 1 ? '' : 's'}`);
    if (previous.missing) note(`${previous.missing} case × model cell${previous.missing === 1 ? ' is' : 's are'} not in ${neutralizeLine(from)} (the last run stopped early) and are not run; run without --rerun-failed to fill them (cached answers cost nothing)`);
  }
  const only = previous ? (caseId: string, model: string, sample: number) => previous!.failed.has(cellKey({ caseId, model, sample })) : undefined;
  const planned = plannedRowsOf(plan, modelIds, repeat, only);

  if (flags.maxCost !== undefined) {
    const est = await estimateCost(plan, session.models, session.options, session.engine);
    const unknown = est.unknown.length ? `; price unknown for ${est.unknown.map(neutralizeLine).join(', ')}` : '';
    const scale = repeat * (previous ? planned / Math.max(1, plannedRowsOf(plan, modelIds, repeat)) : 1);
    if (flags.batch) {
      // A batch job cannot be stopped half-way at a cap: the estimate decides before anything is sent.
      const usd = est.usd * scale * 0.5;
      stderr.write(`mmr: estimated cost ${formatUsd(usd)} at batch prices (half the live price) for ${Math.round(est.calls * scale)} calls (cap ${formatUsd(flags.maxCost)}${unknown})\n`);
      if (usd > flags.maxCost) throw new UsageError(`the estimated batch cost ${formatUsd(usd)} is over --max-cost ${formatUsd(flags.maxCost)}; nothing was sent`, 'raise --max-cost, or run fewer cases (--limit) or models');
    } else stderr.write(`mmr: estimated cost ${formatUsd(est.usd * scale)} for ${Math.round(est.calls * scale)} calls (cap ${formatUsd(flags.maxCost)}${unknown}); the run stops when spend reaches the cap\n`);
  }
  const cache = flags.cache === false ? null : await LogCache.open(benchCacheDir(env));
  // The run's wall time includes the wait for its batch jobs.
  const started = performance.now();
  const controller = new AbortController();
  const trap = trapSignals(controller);
  let batch: BenchBatch | null = null;
  if (flags.batch) {
    if (!cache) {
      trap.release();
      throw new UsageError('--batch keeps the answers in the cache, so it cannot run with --no-cache', 'drop --no-cache (a re-run then asks nothing again)');
    }
    // Before --out is opened: a run left waiting on its batch jobs leaves the old rows alone.
    const { startBatch } = await import('../batch/bench-batch.js');
    try {
      batch = await startBatch({
        pollInterval: flags.pollInterval,
        env,
        cwd,
        argv: deps.argv ?? process.argv.slice(2),
        work: { files, models: modelIds, options: session.options, repeat, shard, limit: flags.limit, judges: [...judgeRefs].sort(), rerun: previous ? [...previous.failed].sort() : null },
        cases: plan.stream,
        models: session.models,
        options: session.options,
        engine: session.engine,
        repeat,
        only,
        judgeFor,
        judges: [...judges.values()],
        cache,
        signal: controller.signal,
        progress: quiet ? null : stderr,
        note,
      });
    } catch (err) {
      trap.release();
      await cache.close().catch(() => {});
      throw err;
    }
    if ('interrupted' in batch) {
      trap.release();
      await cache.close().catch(() => {});
      stderr.write(`mmr: ${batch.message}\n`);
      return benchExitCode({ models: [], stopped: 'signal', signal: trap.signal(), belowThreshold: [] });
    }
  }
  const batchRun = batch && !('interrupted' in batch) ? batch : null;
  // Rewriting the file the last run's rows came from: the old rows stay until the new file is whole.
  const replacing = previous !== null && flags.out !== undefined && typeof flags.rerunFailed !== 'string';
  const out = flags.out ? await RowWriter.open(flags.out, { replace: replacing || (typeof flags.rerunFailed === 'string' && path.resolve(flags.rerunFailed) === path.resolve(flags.out)) }) : null;
  // A case-turn is folded once all its rows are in: memory follows the rows in flight.
  const summary = new Summary(modelIds, { expectedMarks: modelIds.length * repeat });
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
  const progress = new Progress(planned, stderr.isTTY && !quiet ? stderr : null);
  let outcome: RunOutcome = { stopped: null, spentUsd: 0, skipped: planned, planned };
  // A failure mid-run (the rows file could not be written) still prints what finished, then the error.
  let failure: unknown = null;
  try {
    for (const row of previous?.kept ?? []) {
      take(row);
      await out?.write(row);
    }
    outcome = await runBench(plan.stream(), {
      planned,
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
      judge: batchRun ? batchRun.judge : async (c, answer, prompt) => runJudge(judgeFor(c), c, prompt, answer, { ...session.engine, signal: controller.signal }),
      batch: batchRun?.answers,
      // No promise per row unless the rows file makes the run wait.
      onRow: (row) => {
        take(row);
        progress.row(row.error !== null, row.cached ? 0 : (row.costUsd ?? 0) + row.judgeCostUsd);
        return out?.write(row);
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
    await cache?.close().catch(() => {});
  }

  const report = assembleReport(summary, {
    cases: plan.cases,
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

  // The run's batch jobs are all read and its rows are out: nothing left to resume.
  if (batchRun && !trap.signal() && !failure) await batchRun.finish().catch(() => {});
  if (cache && !trap.signal()) {
    // Runs merge into one segment every few runs, so the cache stays a handful of files.
    const { maybeCompact } = await import('../bench/cache-maintain.js');
    await maybeCompact(cache.dir, cache.writtenFile).catch(() => null);
  }
  const below = belowThreshold(report.models, flags.threshold);
  if (below.models.length) stderr.write(`mmr: below --threshold ${below.min}%: ${below.models.map((s) => `${neutralizeLine(s.model)} ${pct(s.passRate)}`).join(', ')}\n`);
  return benchExitCode({ models: report.models, stopped: outcome.stopped, signal: trap.signal(), belowThreshold: below.models.map((s) => s.model) });
}
