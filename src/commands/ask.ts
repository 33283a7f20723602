import { EXIT, UsageError } from '../core/errors.js';
import type { AnswerResult } from '../core/results.js';
import type { FanoutEvent, ImageInput } from '../core/types.js';
import { userPrompt } from '../core/request.js';
import { attachFiles, readPrompt } from './input.js';
import { openSession, type CallFlags, type Session, type SessionDeps } from '../session/open.js';
import { fanout } from '../core/fanout.js';
import { collect, jsonDocument, jsonText, writeJsonl } from '../output/json.js';
import { writeText } from '../output/text.js';
import type { RoutingDecision } from '../core/router.js';
import { routeLine } from './ask-route-line.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import type { ChatMessage } from '../core/types.js';
import { withPrompt } from '../core/conversation.js';
import { openTerminalKeys, tuiPlan } from './tui-plan.js';
import { trapSignals } from './signals.js';

export interface AskFlags extends CallFlags {
  /** Hide model names, cost and timing and shuffle columns until the vote. */
  blind?: boolean;
  /** Print reasoning text (plain text: in <reasoning> tags before each answer; JSON: a `reasoning` field). */
  showReasoning?: boolean;
  /** --continue [ID]: go on with a stored conversation (true: the latest). */
  continue?: string | true;
}

/** Exit code from the results: every model answered, some did, or none. */
export function exitCodeFor(results: AnswerResult[], interrupted: NodeJS.Signals | null): number {
  if (interrupted === 'SIGINT') return EXIT.SIGINT;
  if (interrupted === 'SIGTERM') return EXIT.SIGTERM;
  const failed = results.filter((r) => r.error).length;
  if (failed === 0) return EXIT.OK;
  return failed === results.length ? EXIT.ALL_FAILED : EXIT.PARTIAL;
}

/** The last (user) message with the images attached to it; the messages unchanged without images. */
function withImages(messages: ChatMessage[], images: ImageInput[] | undefined): ChatMessage[] {
  if (!images?.length || messages.length === 0) return messages;
  const last = messages[messages.length - 1];
  return [...messages.slice(0, -1), { ...last, images }];
}

/** Per column, the conversation before this prompt (`--continue` in a pipe). */
export interface ComparisonTurn {
  history: ChatMessage[][];
  /** Called with the results once every model is done (to store the turn). */
  done?(results: AnswerResult[]): Promise<void>;
}

/** Runs a prepared session's comparison and prints it in the chosen form. Shared by ask and demo. */
export async function runComparison(session: Session, prompt: string, flags: AskFlags, extra: Record<string, unknown> = {}, turn?: ComparisonTurn, images?: ImageInput[]): Promise<number> {
  const controller = new AbortController();
  const trap = trapSignals(controller);
  try {
    const status = flags.verbose === true || (process.stderr.isTTY === true && !flags.quiet);
    // Plain answers in a pipe show no cost, so they skip loading the price data (~40 ms).
    const showsCost = flags.json === true || flags.jsonl === true || status;
    // Images from -f go with this prompt's user turn (after the conversation, when it continues one).
    const prompts = turn
      ? (i: number) => ({ messages: withImages(withPrompt(turn.history[i] ?? [], prompt), images), options: session.options })
      : userPrompt(prompt, session.options, images);
    const events: AsyncIterable<FanoutEvent> = fanout(session.slots, prompts, {
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
      const line = status ? routeLine({ routing: session.routing, source: session.source, files: session.loaded.files, models: session.models.map((m) => m.id) }, prompt) : null;
      if (line) process.stderr.write(`mmr: ${neutralizeLine(line)}\n`);
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
    if (turn?.done && !trap.signal()) await turn.done(results);
    return exitCodeFor(results, trap.signal());
  } finally {
    trap.release();
  }
}

/** The routing decision as `--json` prints it. */
export function routingJson(d: RoutingDecision) {
  const learned = d.learned ? { learned: { tradeoff: d.learned.tradeoff, file: d.learned.file ?? null, candidates: d.learned.candidates } } : {};
  return { source: d.source, rule: d.rule ?? null, models: d.models, fallback: d.fallback, matched: d.matched, category: d.category, signals: d.signals, reason: d.reason, ...learned };
}

/** `rule: sql → 3 models`, for the terminal UI's top line. */
export function routeNote(d: RoutingDecision | undefined): string | undefined {
  if (!d) return undefined;
  const n = `${d.models.length} model${d.models.length === 1 ? '' : 's'}`;
  if (d.source === 'rule') return `rule: ${d.rule} → ${n}`;
  if (d.source === 'override') return `-m → ${n}`;
  if (d.source === 'learned') return `learned (tradeoff ${d.learned?.tradeoff ?? '?'}) → ${d.models[0]}`;
  return `default set → ${n} (${d.category})`;
}

export async function runAsk(words: string[], flags: AskFlags, deps: SessionDeps = {}): Promise<void> {
  if (flags.json && flags.jsonl) throw new UsageError('--json and --jsonl cannot be combined', 'pick one: --json for one document, --jsonl for a record per model');
  let plan = tuiPlan(flags, { stdin: process.stdin, stdout: process.stdout, env: process.env });
  const say = (note: string) => !flags.quiet && process.stderr.write(`mmr: ${note}\n`);
  if (!plan.tui && plan.note) say(plan.note);
  const resumed = flags.continue !== undefined ? await continuation(flags, words) : undefined;
  // Keys from the terminal itself when stdin carries the material; without one, plain output.
  const keys = plan.tui && plan.keys === 'tty' ? openTerminalKeys() : undefined;
  if (keys && 'error' in keys) {
    say(`stdin is piped and there is no terminal to read keys from (/dev/tty: ${keys.error}); printing plain output`);
    plan = { tui: false };
  }
  try {
    // In the terminal UI an empty prompt opens the input box instead of being an error.
    const allowEmpty = plan.tui || Boolean(flags.file?.length) || resumed !== undefined;
    const { text: prompt, images } = await attachFiles(await readPrompt(resumed?.words ?? words, process.stdin, allowEmpty), flags.file);
    if (!prompt && !plan.tui) throw new UsageError('no prompt given for the follow-up', 'mmr ask --continue [ID] "your next question"');
    const model = resumed ? resumed.models : flags.model;
    const session = await openSession({ ...flags, model }, { ...deps, prompt: prompt || undefined });
    if (plan.tui) {
      const { runInteractiveAsk } = await import('./interactive.js');
      const { resumedTurns } = await import('./continue.js');
      process.exitCode = await runInteractiveAsk(session, prompt || undefined, {
        blind: flags.blind,
        routeNote: resumed ? `continuing ${resumed.conversation.id}` : routeNote(session.routing),
        stdin: keys && 'stream' in keys ? (keys.stream as unknown as NodeJS.ReadStream) : undefined,
        color: flags.color,
        resume: resumed ? { id: resumed.conversation.id, turns: resumedTurns(resumed.conversation.turns) } : undefined,
        images,
      });
      return;
    }
    process.exitCode = await runComparison(session, prompt, flags, {}, resumed ? await storedTurn(resumed, prompt, session) : undefined, images);
  } finally {
    if (keys && 'close' in keys) keys.close();
  }
}

async function continuation(flags: AskFlags, words: string[]) {
  if (flags.model?.length) throw new UsageError('--continue goes on with the conversation\'s own models', 'drop -m, or start a new conversation without --continue');
  const { loadContinuation } = await import('./continue.js');
  return loadContinuation(flags.continue!, words);
}

/** A follow-up in a pipe: each model's side of the conversation, and the new turn stored after. */
async function storedTurn(c: Awaited<ReturnType<typeof continuation>>, prompt: string, session: Session): Promise<ComparisonTurn> {
  const { appendTurn, toTurnRecord } = await import('../history/conversations.js');
  const turn = (c.conversation.turns.at(-1)?.turn ?? 0) + 1;
  return {
    history: c.history,
    done: async (results) => {
      await appendTurn(toTurnRecord({ conversation: c.conversation.id, turn, system: session.options.system ?? null, prompt, blind: false, results })).catch((err: unknown) => {
        process.stderr.write(`mmr: the turn was not stored: ${err instanceof Error ? err.message : String(err)}\n`);
      });
    },
  };
}
