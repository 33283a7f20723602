import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RuleConfig } from '../core/router.js';
import type { Session } from '../session/open.js';
import type { AnswerResult } from '../core/results.js';
import type { ChatMessage, ImageInput } from '../core/types.js';
import { withPrompt } from '../core/conversation.js';
import type { RuleCheck, RuleDraft, TurnRecordInput, VoteRecord } from '../ui/types.js';

/** How the rule dialog's draft becomes a rule in the config file: exactly what the dialog showed. */
export function ruleFromDraft(d: RuleDraft): RuleConfig {
  const when: NonNullable<RuleConfig['when']> = {};
  if (d.keywords.length) when.keywords = d.match === 'all' ? { all: d.keywords } : { any: d.keywords };
  if (d.category) when.category = d.category as never;
  return { name: d.name, when, use: d.use };
}

/** Where a saved rule goes: the project file that was loaded, else a new .routerrc.yaml here. */
export function ruleTarget(session: Session, cwd = process.cwd()): { file?: string; display: string } {
  const file = session.loaded.projectFile;
  if (file) return { file, display: path.relative(cwd, file) || file };
  return { display: `./.routerrc.yaml (new)` };
}

/** New files only: overwriting something the user kept because the default name matched would lose it. */
export async function writeNewFile(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text.endsWith('\n') ? text : `${text}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error('the file exists; give another name');
    throw err;
  }
}

export interface InteractiveAskOptions {
  blind?: boolean;
  routeNote?: string;
  /** Where keys come from (the terminal itself when stdin carried piped material). */
  stdin?: NodeJS.ReadStream;
  /** --color / --no-color. */
  color?: boolean;
  /** A stored conversation to go on with. */
  resume?: { id: string; turns: { prompt: string; results: AnswerResult[] }[] };
  /** The demo: recorded prompts only, and nothing goes to the user's history or config. */
  demo?: boolean;
  /** Where votes and conversations are kept (tests); default: the user's data directory. */
  dataDir?: string;
  /** Images from -f: they go with the prompt they were attached to, in its turn and in the history of later ones. */
  images?: ImageInput[];
}

/** The messages with `images` on the user turn that asked `prompt` (the first one), when there are images. */
export function withImagesOn(messages: ChatMessage[], prompt: string | undefined, images: ImageInput[] | undefined): ChatMessage[] {
  if (!images?.length || prompt === undefined) return messages;
  const i = messages.findIndex((m) => m.role === 'user' && m.content === prompt);
  if (i < 0) return messages;
  return messages.map((m, k) => (k === i ? { ...m, images } : m));
}

/** The terminal UI: Ink, React and the UI code load only here, only in a terminal. */
export async function runInteractiveAsk(session: Session, prompt: string | undefined, opts: InteractiveAskOptions): Promise<number> {
  const { importWithoutCi } = await import('./tui-plan.js');
  const [{ runInteractive }, { fanout }, { proposeRule }, { classify }, votes, conversations, { newConversationId }, { checkPlacement }] = await Promise.all([
    // Here the UI opens in a terminal: Ink must not take a CI variable for a CI run (--tui).
    importWithoutCi(() => import('../ui/run-interactive.js')),
    import('../core/fanout.js'),
    import('../core/propose.js'),
    import('../core/classify.js'),
    import('../history/votes.js'),
    import('../history/conversations.js'),
    import('../history/ids.js'),
    import('../config/shadow.js'),
  ]);
  const byId = new Map(session.models.map((m) => [m.id, m]));
  // A column keeps its fallback chain across retries, follow-ups and new prompts.
  const slotById = new Map(session.models.map((m, i) => [m.id, session.slots[i]]));
  const target = ruleTarget(session);
  const loc = { dir: opts.dataDir };
  const system = session.options.system ?? null;
  // Rules compile once, when the dialog first needs them (the dialog checks drafts against them).
  let compiled: { rules: import('../core/router.js').CompiledRule[]; compile: (r: RuleConfig) => import('../core/router.js').CompiledRule; knownModel: (ref: string) => string | null } | undefined;
  const rules = async () => {
    if (compiled) return compiled;
    const [{ compileLoadedRules }, { compileRules }] = await Promise.all([import('../config/loaded-rules.js'), import('../config/rules.js')]);
    const { rules: list, knownModel } = await compileLoadedRules(session.loaded).catch(() => ({ rules: [], knownModel: () => null }));
    compiled = { rules: list, knownModel, compile: (r) => compileRules([r], { file: 'the new rule', knownModel })[0] };
    return compiled;
  };
  // Ready before a vote can happen, so the dialog's checks are synchronous; after the first frame, not before it.
  let ready: Promise<unknown> | undefined;
  const prepare = () => (ready ??= opts.demo ? Promise.resolve() : rules().catch(() => undefined));
  setTimeout(prepare, 300).unref();

  const { exitCode } = await runInteractive(
    {
      prompt,
      models: session.models.map((m) => ({ id: m.id, alias: m.alias })),
      routeNote: opts.routeNote,
      blind: opts.blind === true,
      resume: opts.resume,
      canAsk: !opts.demo,
      notice: opts.demo ? 'demo: recorded answers; votes and rules are not saved' : undefined,
      start: (turn, slots, signal) =>
        fanout(
          slots.map((s) => slotById.get(s.id)!),
          (i: number) => ({ messages: withImagesOn(withPrompt(turn.history[i] ?? [], turn.prompt), prompt, opts.images), options: session.options }),
          { ...session.engine, signal },
        ),
      newConversationId,
      proposeRule: (p, winner) => {
        const r = proposeRule(p, byId.get(winner)?.alias ?? winner, classify);
        // `chat` is the classifier's catch-all: proposed, but off until the user turns it on.
        return { name: r.name, keywords: r.keywords, match: 'any', category: r.category && r.category !== 'chat' ? r.category : null, use: r.use };
      },
      checkRule: (draft, p): RuleCheck => {
        if (!compiled) return { matchesPrompt: true };
        try {
          const candidate = compiled.compile(ruleFromDraft(draft));
          return checkPlacement(compiled.rules, candidate, p, draft.before);
        } catch (err) {
          const message = err instanceof Error ? err.message.split('\n').find((l) => l.trim() && !/^config/.test(l))?.trim() ?? err.message : String(err);
          return { matchesPrompt: true, problem: message };
        }
      },
      saveRule: async (draft) => {
        if (opts.demo) throw new Error('the demo does not change your config; mmr ask with your own keys does');
        await prepare();
        const { saveRule } = await import('../config/save.js');
        const knownModel = compiled?.knownModel;
        const where = target.file ? { file: target.file } : { create: { dir: process.cwd() } };
        const saved = await saveRule(ruleFromDraft(draft), { ...where, knownModel: knownModel ?? undefined, before: draft.before });
        return { file: saved.file };
      },
      ruleFile: opts.demo ? '(the demo saves nothing)' : target.display,
      onVote: async (v: VoteRecord) => {
        if (opts.demo) return;
        const winnerColumn = v.winner ?? 0;
        const entry = votes.toVoteEntry(v.prompt, v.results, v.winner, v.blind, new Date(), {
          conversation: v.conversation,
          turn: v.turn,
          system,
          context: v.history[winnerColumn] ?? [],
          source: 'ask',
        });
        await votes.appendVote(entry, loc);
      },
      onTurn: async (t: TurnRecordInput) => {
        if (opts.demo || !t.conversation) return;
        await conversations.appendTurn(conversations.toTurnRecord({ conversation: t.conversation, turn: t.turn, system, prompt: t.prompt, blind: t.blind, results: t.results }), loc);
      },
      writeAnswer: writeNewFile,
    },
    { stdin: opts.stdin, interactive: opts.stdin ? true : undefined, color: opts.color },
  );
  return exitCode;
}
