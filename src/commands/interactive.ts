import path from 'node:path';
import type { RuleProposal } from '../core/propose.js';
import type { Session } from './session.js';
import { userPrompt } from '../core/request.js';
import type { ImageInput } from '../core/types.js';

/** How a proposal from the rule dialog becomes a rule in the config file. */
export function ruleFromProposal(p: RuleProposal) {
  const when: Record<string, unknown> = {};
  if (p.keywords.length) when.keywords = { any: p.keywords };
  // `chat` is the classifier's catch-all; as a condition it would add nothing but narrowness.
  if (p.category && p.category !== 'chat') when.category = p.category;
  return { name: p.name, when, use: p.use };
}

/** Where a saved rule goes: the project file that was loaded, else a new .routerrc.yaml here. */
export function ruleTarget(session: Session, cwd = process.cwd()): { file?: string; display: string } {
  const file = session.loaded.projectFile;
  if (file) return { file, display: path.relative(cwd, file) || file };
  return { display: `./.routerrc.yaml (new)` };
}

/** The terminal UI: Ink, React and the UI code load only here, only in a terminal. */
export async function runInteractiveAsk(session: Session, prompt: string | undefined, opts: { blind?: boolean; routeNote?: string; images?: ImageInput[] }): Promise<number> {
  const [{ runInteractive }, { fanout }, { proposeRule }, { classify }, { appendVote }] = await Promise.all([
    import('../ui/run-interactive.js'),
    import('../core/fanout.js'),
    import('../core/propose.js'),
    import('../core/classify.js'),
    import('../history/votes.js'),
  ]);
  const byId = new Map(session.models.map((m) => [m.id, m]));
  // A column keeps its fallback chain across retries and new prompts.
  const slotById = new Map(session.models.map((m, i) => [m.id, session.slots[i]]));
  const target = ruleTarget(session);
  const { exitCode } = await runInteractive({
    prompt,
    models: session.models.map((m) => ({ id: m.id, alias: m.alias })),
    routeNote: opts.routeNote,
    blind: opts.blind === true,
    start: (p, slots, signal) =>
      fanout(
        slots.map((s) => slotById.get(s.id)!),
        // Images from -f go with the prompt they were attached to (and its retries), not with later ones.
        userPrompt(p, session.options, p === prompt ? opts.images : undefined),
        { ...session.engine, signal },
      ),
    proposeRule: (p, winner) => proposeRule(p, byId.get(winner)?.alias ?? winner, classify),
    saveRule: async (proposal) => {
      const [{ saveRule }, { knownModelFor }] = await Promise.all([import('../config/save.js'), import('../config/rules.js')]);
      const knownModel = knownModelFor(session.loaded.config);
      const saved = await saveRule(ruleFromProposal(proposal), target.file ? { file: target.file, knownModel } : { create: { dir: process.cwd() }, knownModel });
      return { file: saved.file };
    },
    ruleFile: target.display,
    logVote: async (entry) => {
      await appendVote(entry);
    },
  });
  return exitCode;
}
