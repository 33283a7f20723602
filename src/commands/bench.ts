/**
 * `mmr bench FILES... -m A -m B`: runs prompt files across models, grades the answers, and
 * prints quality against cost and speed; optionally turns the result into routing rules.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { EXIT, UsageError } from '../core/errors.js';
import type { ResolvedModel } from '../core/model.js';
import { resolveModel } from '../core/resolve.js';
import { formatUsd } from '../core/cost.js';
import { openSession, type CallFlags, type SessionDeps } from './session.js';
import { trapSignals } from './ask.js';
import { expandFiles } from '../bench/glob.js';
import { loadPromptFiles } from '../bench/load.js';
import { runBench } from '../bench/runner.js';
import { BenchCache, benchCacheDir } from '../bench/cache.js';
import { execCommand } from '../bench/checks.js';
import { runJudge } from '../bench/judge.js';
import { ProviderGates, type ProviderLimits } from '../bench/limiter.js';
import { Summary } from '../bench/summary.js';
import { paretoFrontier } from '../bench/analysis.js';
import type { EvidenceSuggestion } from '../learn/suggest.js';
import { formatReport, pct, type BenchReport } from '../bench/report.js';
import { Progress } from '../bench/progress.js';
import { estimateCost } from '../bench/estimate.js';
import type { BenchRow, Check } from '../bench/types.js';

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
}

const FORMATS = ['table', 'json', 'csv', 'md'];

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

/** One pending 'drain' per stream, shared by every writer waiting on it (-j 32 → 32 waiters, one listener). */
const drains = new WeakMap<WriteStream, Promise<void>>();

/** From this many case × model jobs on, memory matters more than the last few percent of speed. */
const LARGE_RUN_JOBS = 10_000;

/** Rows finishing within this many ms go to disk in one write (a syscall per row cost ~10% CPU at -j 32). */
const ROW_FLUSH_MS = 25;
const corked = new WeakSet<WriteStream>();

async function writeRow(out: WriteStream | null, row: BenchRow): Promise<void> {
  if (!out) return;
  if (!corked.has(out)) {
    corked.add(out);
    out.cork();
    setTimeout(() => {
      corked.delete(out);
      out.uncork();
    }, ROW_FLUSH_MS).unref();
  }
  if (out.write(`${JSON.stringify(row)}\n`)) return;
  let drained = drains.get(out);
  if (!drained) {
    drained = new Promise<void>((resolve) =>
      out.once('drain', () => {
        drains.delete(out);
        resolve();
      }),
    );
    drains.set(out, drained);
  }
  await drained;
}

export async function runBenchCommand(args: string[], flags: BenchFlags, deps: SessionDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const format = flags.json ? 'json' : (flags.format ?? 'table');
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  if (args.length === 0) throw new UsageError('no prompt files given', 'e.g. mmr bench prompts/*.yaml -m openai:gpt-4o-mini -m anthropic:claude-haiku-4-5');
  const { files, unmatched } = await expandFiles(args, cwd);
  if (unmatched.length) throw new UsageError(`no prompt file matches ${unmatched.map((u) => `"${u}"`).join(', ')}`, 'check the path or glob (quote globs with ** so mmr expands them)');
  let cases = await loadPromptFiles(files, cwd);
  if (flags.limit !== undefined) cases = cases.slice(0, flags.limit);
  if (cases.length === 0) throw new UsageError(`the prompt files hold no cases (${files.length} file${files.length === 1 ? '' : 's'} read)`);

  const session = await openSession(flags, deps);
  const { config } = session.loaded;
  const judges = new Map<string, ResolvedModel>();
  const judgeFor = (c: Check): ResolvedModel | null => {
    const ref = c.model ?? flags.judge;
    if (!ref) return null;
    let m = judges.get(ref);
    if (!m) judges.set(ref, (m = resolveModel(ref, config, env)));
    return m;
  };
  for (const c of cases) for (const ch of c.expect) if (ch.type === 'judge' && !judgeFor(ch)) {
    throw new UsageError(`${c.where}: a judge check needs a grading model`, 'pass --judge provider:model, or set model: on the check');
  }

  const stderr = process.stderr;
  const quiet = flags.quiet === true;
  if (flags.maxCost !== undefined) {
    const est = await estimateCost(cases, session.models, session.options, session.engine);
    const unknown = est.unknown.length ? `; price unknown for ${est.unknown.join(', ')}` : '';
    stderr.write(`mmr: estimated cost ${formatUsd(est.usd)} for ${est.calls} calls (cap ${formatUsd(flags.maxCost)}${unknown}); the run stops when spend reaches the cap\n`);
  }
  const out = flags.out ? createWriteStream(flags.out, { flags: 'w' }) : null;
  const openFailed = out ? new Promise<Error>((r) => out.once('error', r)) : null;
  const summary = new Summary(session.models.map((m) => m.id));
  // Rules from evidence (src/learn/suggest.ts) need the prompts, so rows are kept only when asked for.
  const evidence = flags.suggestRules || flags.writeRules ? (await import('../learn/suggest.js')).evidenceCollector() : null;
  const jobs = cases.length * session.models.length;
  if (jobs >= LARGE_RUN_JOBS) {
    // V8 otherwise lets the heap balloon between collections on long runs (226 MB peak for
    // 10,000 × 4 against 113 MB with this flag, bench/bench-run.mjs); rows already stream to disk,
    // so the only cost is a little speed on a run that is long anyway.
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--optimize-for-size');
  }
  const progress = new Progress(jobs, stderr.isTTY && !quiet ? stderr : null);
  const controller = new AbortController();
  const trap = trapSignals(controller);
  const started = performance.now();
  let outcome;
  try {
    outcome = await runBench(cases, {
      models: session.models,
      options: session.options,
      engine: session.engine,
      concurrency: flags.concurrency ?? 8,
      gates: new ProviderGates(providerLimits(flags, config.providers as Record<string, unknown>)),
      cache: flags.cache === false ? null : new BenchCache(benchCacheDir(env)),
      signal: controller.signal,
      maxCostUsd: flags.maxCost,
      runCommand: (c, answer) => execCommand(c, answer),
      judge: async (c, answer, prompt) => runJudge(judgeFor(c)!, c, prompt, answer, { ...session.engine, signal: controller.signal }),
      onRow: async (row) => {
        summary.add(row);
        evidence?.add(row);
        progress.row(row.error !== null, row.cached ? 0 : (row.costUsd ?? 0) + row.judgeCostUsd);
        await writeRow(out, row);
      },
    });
  } finally {
    trap.release();
    progress.end();
    if (out) await new Promise<void>((r) => out.end(r));
  }
  if (openFailed && out?.errored) throw new UsageError(`cannot write ${flags.out}: ${(await openFailed).message}`, 'check --out');

  const models = summary.modelStats();
  const tags = summary.tagStats();
  const report: BenchReport = {
    models,
    tags,
    disagreements: summary.disagreements(format === 'json' ? Infinity : 10),
    frontier: paretoFrontier(models),
    suggestions: evidence?.suggest(flags.tolerance ?? 2),
    cases: cases.length,
    spentUsd: outcome.spentUsd,
    judgeCostUsd: models.reduce((a, s) => a + s.judgeCostUsd, 0),
    wallMs: performance.now() - started,
    stopped: outcome.stopped,
    skipped: outcome.skipped,
  };
  process.stdout.write(formatReport(report, format));
  const advice = evidence && (await evidence.advice(report.suggestions as EvidenceSuggestion[]));
  if (advice && !quiet) stderr.write(`mmr: ${advice}\n`);
  if (flags.writeRules && report.suggestions?.length && outcome.stopped !== 'signal') {
    const [{ saveRule }, { knownModelFor }] = await Promise.all([import('../config/save.js'), import('../config/rules.js')]);
    for (const s of report.suggestions) {
      const saved = await saveRule(s.rule, { file: session.loaded.projectFile, create: { dir: cwd }, replace: true, knownModel: knownModelFor(config) });
      if (!quiet) stderr.write(`mmr: saved rule "${s.rule.name}" (${s.tag} → ${s.model}) to ${saved.file}\n`);
    }
  }

  const sig = trap.signal();
  if (sig === 'SIGINT') return EXIT.SIGINT;
  if (sig === 'SIGTERM') return EXIT.SIGTERM;
  if (flags.threshold !== undefined) {
    // 0.8 and 80 both mean 80%: people write it either way.
    const min = flags.threshold <= 1 ? flags.threshold * 100 : flags.threshold;
    const below = models.filter((s) => s.passRate !== null && s.passRate * 100 < min - 1e-9);
    if (below.length) {
      stderr.write(`mmr: below --threshold ${min}%: ${below.map((s) => `${s.model} ${pct(s.passRate)}`).join(', ')}\n`);
      return EXIT.PARTIAL;
    }
  }
  const rows = models.reduce((a, s) => a + s.n, 0);
  if (rows > 0 && models.every((s) => s.errors === s.n)) return EXIT.ALL_FAILED;
  return EXIT.OK;
}

export async function runCacheClear(flags: { quiet?: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { clearCache } = await import('../bench/cache.js');
  const dir = await clearCache(env);
  if (!flags.quiet) process.stderr.write(`mmr: cleared the bench cache (${dir})\n`);
}
