/**
 * What the interactive UI needs from its caller. Everything that touches providers, config or the
 * file system comes in as a callback (DESIGN rule 1), so the UI is testable with scripted events.
 */
import type { AnswerResult } from '../core/results.js';
import type { ChatMessage, FanoutEvent } from '../core/types.js';

/** A routing rule as proposed after a vote. */
export type { RuleProposal } from '../core/propose.js';

/** A rule as the dialog shows it, which is exactly what is saved. */
export interface RuleDraft {
  /** kebab-case rule name. */
  name: string;
  keywords: string[];
  /** Whether any keyword or all of them must appear. */
  match: 'any' | 'all';
  /** A classifier category the prompt must have, or null for no category condition. */
  category: string | null;
  /** `provider:model` or alias. */
  use: string;
  /** Insert before this rule (so an earlier rule that would match first does not hide it); absent: append. */
  before?: string;
}

/** What checking a draft against the loaded rules says (see core/shadow.ts). */
export interface RuleCheck {
  /** Why the draft cannot be saved as it stands (validation), or undefined. */
  problem?: string;
  /** An earlier rule that would match the voted prompt first, so the new one would never apply to it. */
  shadowedBy?: string;
  /** Rules after the draft's position (when inserted above one) that it would silence: they match no prompt it does not. */
  hides?: string[];
  /** Whether the draft matches the prompt that was voted on at all. */
  matchesPrompt: boolean;
}

/** One comparison to start: the turn's prompt and, per slot asked, that column's conversation before it. */
export interface TurnRequest {
  prompt: string;
  /** Per slot passed to `start`, in the same order: the messages before this prompt. */
  history: ChatMessage[][];
}

/** What a vote is, for the caller to record: it builds the log entry. */
export interface VoteRecord {
  prompt: string;
  /** The turn's results, by slot. */
  results: AnswerResult[];
  /** The winning slot, or null for "none was good". */
  winner: number | null;
  /** Whether names were hidden when the vote was cast. */
  blind: boolean;
  conversation?: string;
  /** 1-based. */
  turn: number;
  /** Per slot: the messages that column had seen before this prompt. */
  history: ChatMessage[][];
}

/** A finished turn, for the caller to keep (history, --continue). */
export interface TurnRecordInput {
  conversation?: string;
  turn: number;
  prompt: string;
  results: AnswerResult[];
  blind: boolean;
  history: ChatMessage[][];
}

export interface InteractiveOptions {
  /** The first prompt; absent → the input box opens first. */
  prompt?: string;
  /** Models compared, in slot order. */
  models: { id: string; alias?: string }[];
  /** Why these models, shown in the top line (e.g. `rule: sql → 3 models`). */
  routeNote?: string;
  /** Hide names, cost and timing, and shuffle columns until the vote, then reveal. */
  blind?: boolean;
  /** A conversation to go on with (`mmr ask --continue`): its turns are shown and every model keeps its side. */
  resume?: { id: string; turns: { prompt: string; results: AnswerResult[] }[] };
  /**
   * Starts a comparison; also used for follow-ups, `n` (new prompt) and `r` (retry failed slots:
   * only those are passed, and the events' slot indexes refer to the passed array).
   */
  start(turn: TurnRequest, slots: { id: string }[], signal: AbortSignal): AsyncIterable<FanoutEvent>;
  /** An id for a new conversation (default: none, and nothing is kept between turns). */
  newConversationId?(): string;
  /** The rule proposed after `winner` won on `prompt`; the dialog starts from it. */
  proposeRule(prompt: string, winner: string): RuleDraft;
  /** Checks a draft against the loaded rules (validation, shadowing); absent: no checks shown. */
  checkRule?(draft: RuleDraft, prompt: string): RuleCheck;
  /** Writes the rule; throw Error(message) to show a failure in the dialog. */
  saveRule(rule: RuleDraft): Promise<{ file: string }>;
  /** Shown in the dialog, e.g. `./.routerrc.yaml`. */
  ruleFile: string;
  /** Records a pick, including "none good"; reject to show a failure. */
  onVote(vote: VoteRecord): Promise<void>;
  /** Keeps a finished turn. */
  onTurn?(turn: TurnRecordInput): Promise<void> | void;
  /** Writes an answer for `w` (raw Markdown, exactly as received); absent: `w` says it is not available. */
  writeAnswer?(path: string, text: string): Promise<void>;
  /** Said under the columns when the session starts (e.g. demo: votes are not recorded). */
  notice?: string;
  /** Follow-ups and new prompts are possible (false in the demo, which has only its recordings). */
  canAsk?: boolean;
}
