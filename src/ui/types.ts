/**
 * What the interactive UI needs from its caller. Everything that touches providers, config or the
 * file system comes in as a callback (DESIGN rule 1), so the UI is testable with scripted events.
 */
import type { FanoutEvent } from '../core/types.js';
import type { VoteEntry } from '../history/votes.js';

export type { VoteEntry };

/** A routing rule as proposed after a vote and edited in the dialog. */
export type { RuleProposal } from '../core/propose.js';
import type { RuleProposal } from '../core/propose.js';

export interface InteractiveOptions {
  /** The first prompt; absent → the input box opens first. */
  prompt?: string;
  /** Models compared, in slot order. */
  models: { id: string; alias?: string }[];
  /** Why these models, shown in the top line (e.g. `rule: sql → 3 models`). */
  routeNote?: string;
  /** Hide names and shuffle columns until the vote, then reveal. */
  blind?: boolean;
  /**
   * Starts a comparison; also used for `n` (new prompt) and `r` (retry failed slots: only those
   * are passed, and the events' slot indexes refer to the passed array).
   */
  start(prompt: string, slots: { id: string }[], signal: AbortSignal): AsyncIterable<FanoutEvent>;
  /** The matcher proposal shown in the rule dialog. */
  proposeRule(prompt: string, winner: string): RuleProposal;
  /** Writes the rule; throw Error(message) to show a failure in the dialog. */
  saveRule(rule: RuleProposal): Promise<{ file: string }>;
  /** Shown in the dialog, e.g. `./.routerrc.yaml`. */
  ruleFile: string;
  /** Records every pick, including "none good". */
  logVote(entry: VoteEntry): Promise<void>;
  /** Writes an answer for `w`; default: a new file (never overwrites). */
  writeAnswer?(path: string, text: string): Promise<void>;
}
