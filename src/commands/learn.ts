/**
 * `mmr learn FILE... [--votes] [--out FILE]`: trains a learned router from evidence offline (no
 * network, no model download), prints the cross-validated report on stdout and writes the router
 * file atomically. The work is in src/learn/; this file reads flags and files and writes one.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { DEFAULT_ROUTER_FILE } from '../session/learned-routing.js';

export interface LearnFlags {
  config?: string;
  /** Also learn from the vote log in the data directory. */
  votes?: boolean;
  /** Router file to write (default `.mmr/router.json` beside the project config). */
  out?: string;
  seed?: number;
  folds?: number;
  json?: boolean;
}

export interface LearnDeps {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: { write(s: string): unknown };
  stderr?: { write(s: string): unknown };
}

/** Nearest directory at or above cwd with package.json or .git, else cwd. */
function projectRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) || existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

const shown = (file: string, cwd: string) => {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
};

export async function runLearn(files: string[], flags: LearnFlags, deps: LearnDeps = {}): Promise<void> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  if (!files.length && !flags.votes) throw new UsageError('no evidence given', 'pass bench --out rows or outcome files (mmr learn rows.jsonl), and/or --votes for your vote log');
  const [{ loadConfig }, { readEvidence }, { fitRouter }, { buildReport, formatReport }, { serializeRouter }, { votesFile }] = await Promise.all([
    import('../config/load.js'),
    import('../learn/evidence.js'),
    import('../learn/fit.js'),
    import('../learn/report.js'),
    import('../learn/router-file.js'),
    import('../history/votes.js'),
  ]);
  const loaded = await loadConfig({ cwd, env, configPath: flags.config });
  const sources = files.map((f) => path.resolve(cwd, f));
  if (flags.votes) sources.push(votesFile({ env }));
  const outcomes = [];
  for (const file of sources) {
    const ev = await readEvidence(file).catch((err: NodeJS.ErrnoException) => {
      if (flags.votes && file === sources[sources.length - 1] && err.code === 'ENOENT') return null;
      throw new UsageError(`cannot read ${shown(file, cwd)}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 'pass JSONL evidence: mmr bench --out rows, the vote log, or {prompt, model, quality, costUsd} lines');
    });
    if (!ev) {
      stderr.write(`mmr: no vote log yet at ${file} (vote in the terminal UI to create it)\n`);
      continue;
    }
    const kinds = [ev.bench && `${ev.bench} bench rows`, ev.votes && `${ev.votes} votes`, ev.plain && `${ev.plain} outcome rows`].filter(Boolean).join(', ') || 'no evidence';
    const left = [ev.failed && `${ev.failed} failed calls`, ev.ungraded && `${ev.ungraded} ungraded rows`].filter(Boolean).join(', ');
    stderr.write(`mmr: ${shown(file, cwd)}: ${kinds}${left ? ` (left out: ${left})` : ''}\n`);
    if (ev.skipped) stderr.write(`mmr: ${shown(file, cwd)}: ${ev.skipped} line${ev.skipped === 1 ? '' : 's'} skipped: not evidence (line ${ev.skippedLines.join(', ')}${ev.skipped > ev.skippedLines.length ? ', …' : ''})\n`);
    outcomes.push(...ev.outcomes);
  }
  const models = new Set(outcomes.map((o) => o.model));
  const prompts = new Set(outcomes.map((o) => o.group));
  if (models.size < 2 || prompts.size < 4) {
    throw new UsageError(`not enough evidence to learn from: ${prompts.size} prompt${prompts.size === 1 ? '' : 's'} and ${models.size} model${models.size === 1 ? '' : 's'}`, 'a router needs outcomes of at least 2 models on the same prompts (e.g. mmr bench cases.yaml -m a -m b --out rows.jsonl)');
  }
  const seed = flags.seed ?? 1;
  const started = performance.now();
  const fit = fitRouter(outcomes, { seed, folds: flags.folds });
  const report = buildReport(fit);
  const base = loaded.projectFile ? path.dirname(loaded.projectFile) : projectRoot(cwd);
  const out = flags.out ? path.resolve(cwd, flags.out) : path.join(base, DEFAULT_ROUTER_FILE);
  const meta = {
    createdAt: new Date().toISOString(),
    seed,
    evidence: sources.map((f) => shown(f, cwd)),
    prompts: report.prompts,
    outcomes: outcomes.length,
    stats: report.models.map((m) => ({ model: m.model, n: m.n, quality: m.quality, costUsd: m.costUsd })),
    cv: { folds: report.folds, curve: report.curve, figures: report.figures, recommended: report.recommended, useSingle: report.useSingle },
  };
  const text = serializeRouter(fit.router, meta);
  await mkdir(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new UsageError(`cannot write ${shown(out, cwd)}: ${(err as Error).message}`, 'pass --out FILE somewhere writable');
  }
  await chmod(out, 0o644).catch(() => undefined);
  stdout.write(flags.json ? `${JSON.stringify({ router: out, ...report }, null, 2)}\n` : formatReport(report));
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  const rel = shown(out, base);
  stderr.write(`mmr: trained in ${secs} s; wrote ${shown(out, cwd)} (${Math.round(text.length / 1024)} KB)\n`);
  if (!flags.json) stderr.write(`mmr: route with it: add \`learned: {file: ${rel}, tradeoff: ${report.recommended}}\` to your config, or pass --router ${shown(out, cwd)}\n`);
}
