import { EXIT, UsageError } from '../core/errors.js';
import type { AnswerResult } from '../core/results.js';
import type { FanoutEvent, ImageInput } from '../core/types.js';
import { userPrompt } from '../core/request.js';
import { attachFiles, readPrompt } from './input.js';
import { openSession, type CallFlags, type Session, type SessionDeps } from './session.js';
import { fanout } from '../core/fanout.js';
import { collect, jsonDocument, jsonText, writeJsonl } from '../output/json.js';
import { writeText } from '../output/text.js';
import type { RoutingDecision } from '../core/router.js';
import { neutralizeLine } from '../core/terminal-safe.js';

export interface AskFlags extends CallFlags {
  /** Hide model names and shuffle columns until the vote. */
  blind?: boolean;
  /** Print reasoning text (plain text: in <reasoning> tags before each answer; JSON: a `reasoning` field). */
  showReasoning?: boolean;
}

/** The terminal UI runs when both ends are a terminal and no machine-readable output was asked for. */
export function wantsTui(flags: AskFlags, stdin = process.stdin, stdout = process.stdout): boolean {
  return stdout.isTTY === true && stdin.isTTY === true && !flags.json && !flags.jsonl && flags.tui !== false;
}

/** Exit code from the results: every model answered, some did, or none. */
export function exitCodeFor(results: AnswerResult[], interrupted: NodeJS.Signals | null): number {
  if (interrupted === 'SIGINT') return EXIT.SIGINT;
  if (interrupted === 'SIGTERM') return EXIT.SIGTERM;
  const failed = results.filter((r) => r.error).length;
  if (failed === 0) return EXIT.OK;
  return failed === results.length ? EXIT.ALL_FAILED : EXIT.PARTIAL;
}

/**
 * Aborts every request on SIGINT/SIGTERM. The first signal cancels and lets the writers finish
 * what they have; a second one exits at once.
 */
export function trapSignals(controller: AbortController): { signal: () => NodeJS.Signals | null; release: () => void } {
  let got: NodeJS.Signals | null = null;
  const on = (sig: NodeJS.Signals) => {
    if (got) process.exit(sig === 'SIGINT' ? EXIT.SIGINT : EXIT.SIGTERM);
    got = sig;
    controller.abort(sig);
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: () => got,
    release: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** Runs a prepared session's comparison and prints it in the chosen form. Shared by ask and demo. */
export async function runComparison(session: Session, prompt: string, flags: AskFlags, extra: Record<string, unknown> = {}, images?: ImageInput[]): Promise<number> {
  const controller = new AbortController();
  const trap = trapSignals(controller);
  try {
    const status = flags.verbose === true || (process.stderr.isTTY === true && !flags.quiet);
    // Plain answers in a pipe show no cost, so they skip loading the price data (~40 ms).
    const showsCost = flags.json === true || flags.jsonl === true || status;
    const events: AsyncIterable<FanoutEvent> = fanout(session.slots, userPrompt(prompt, session.options, images), {
      ...session.engine,
      prices: showsCost ? session.engine.prices : undefined,
      signal: controller.signal,
    });
    const models = session.models.map((m) => ({ id: m.id, alias: m.alias }));
    let results: AnswerResult[];
    const json = { reasoning: flags.showReasoning === true };
    if (flags.jsonl) {
      results = await writeJsonl(events, models, process.stdout, json);
    } else if (flags.json) {
      results = await collect(events, models);
      const routing = session.routing ? { routing: routingJson(session.routing) } : {};
      process.stdout.write(`${jsonText(jsonDocument(prompt, results, { ...routing, ...extra }, json), 2)}\n`);
    } else {
      const { stderrPaint } = await import('../output/paint.js');
      if (status && session.routing && session.routing.source !== 'override') {
        process.stderr.write(`mmr: ${neutralizeLine(session.routing.reason)}\n`);
      }
      results = await writeText(events, models, {
        stdout: process.stdout,
        stderr: process.stderr,
        status,
        quiet: flags.quiet === true,
        paint: await stderrPaint(flags.color),
        terminal: process.stdout.isTTY === true,
        reasoning: flags.showReasoning === true,
      });
    }
    return exitCodeFor(results, trap.signal());
  } finally {
    trap.release();
  }
}

/** The routing decision as `--json` prints it. */
export function routingJson(d: RoutingDecision) {
  return { source: d.source, rule: d.rule ?? null, models: d.models, fallback: d.fallback, matched: d.matched, category: d.category, signals: d.signals, reason: d.reason };
}

/** `rule: sql → 3 models`, for the terminal UI's top line. */
export function routeNote(d: RoutingDecision | undefined): string | undefined {
  if (!d) return undefined;
  const n = `${d.models.length} model${d.models.length === 1 ? '' : 's'}`;
  if (d.source === 'rule') return `rule: ${d.rule} → ${n}`;
  if (d.source === 'override') return `-m → ${n}`;
  return `default set → ${n} (${d.category})`;
}

export async function runAsk(words: string[], flags: AskFlags, deps: SessionDeps = {}): Promise<void> {
  if (flags.json && flags.jsonl) throw new UsageError('--json and --jsonl cannot be combined', 'pick one: --json for one document, --jsonl for a record per model');
  const tui = wantsTui(flags);
  // In the terminal UI an empty prompt opens the input box instead of being an error.
  const { text: prompt, images } = await attachFiles(await readPrompt(words, process.stdin, tui || Boolean(flags.file?.length)), flags.file);
  const session = await openSession(flags, { ...deps, prompt: prompt || undefined });
  if (tui) {
    const { runInteractiveAsk } = await import('./interactive.js');
    process.exitCode = await runInteractiveAsk(session, prompt || undefined, { blind: flags.blind, routeNote: routeNote(session.routing), images });
    return;
  }
  process.exitCode = await runComparison(session, prompt, flags, {}, images);
}
