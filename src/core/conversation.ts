/**
 * Follow-ups: a comparison that goes on. Every column keeps its own conversation — the user's
 * turns and that column's own answers — so each model answers a follow-up in the light of what
 * it said itself, as in a chat with that model alone. Pure, so the terminal UI, `--continue` in
 * a pipe and the history reader all build the same requests.
 */
import type { ChatMessage } from './types.js';

/** One column's answer to a turn. */
export interface TurnAnswer {
  /** `provider:model` that answered (a fallback model when the chain moved on). */
  model: string;
  /** The answer's text; what was received before a failure, '' when nothing came. */
  text: string;
  /** True when the column failed on this turn. */
  failed: boolean;
}

export interface ConversationTurn {
  /** The user's message for this turn. */
  prompt: string;
  /** One per column, in column order. */
  answers: TurnAnswer[];
}

/**
 * The messages column `column` has seen before the next turn: each earlier prompt and that
 * column's answer. A turn it gave no answer to leaves no assistant message; its prompt is joined
 * to the next user message, so no provider is sent two user turns in a row.
 */
export function columnHistory(turns: readonly ConversationTurn[], column: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  let pending: string[] = [];
  for (const t of turns) {
    pending.push(t.prompt);
    const answer = t.answers[column]?.text ?? '';
    if (!answer.trim()) continue;
    out.push({ role: 'user', content: pending.join('\n\n') }, { role: 'assistant', content: answer });
    pending = [];
  }
  if (pending.length) out.push({ role: 'user', content: pending.join('\n\n') });
  return out;
}

/** `history`, then the user's `prompt` (joined to a last user message that was never answered). */
export function withPrompt(history: readonly ChatMessage[], prompt: string): ChatMessage[] {
  const last = history[history.length - 1];
  if (last?.role === 'user') return [...history.slice(0, -1), { role: 'user', content: `${last.content}\n\n${prompt}` }];
  return [...history, { role: 'user', content: prompt }];
}

/** The messages for a new turn of column `column`: its history, then `prompt`. */
export const turnMessages = (turns: readonly ConversationTurn[], column: number, prompt: string): ChatMessage[] => withPrompt(columnHistory(turns, column), prompt);
