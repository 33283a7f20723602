/**
 * `mmr ask --continue [ID] "…"`: go on with a stored conversation. Each model gets its own side of
 * it back (its own earlier answers), the new prompt is the next turn, and that turn is stored too.
 */
import { columnHistory } from '../core/conversation.js';
import { UsageError } from '../core/errors.js';
import { emptyResult, type AnswerResult } from '../core/results.js';
import type { ChatMessage } from '../core/types.js';
import { asConversationTurns, listConversations, readConversation, type StoredConversation, type TurnRecord } from '../history/conversations.js';
import { looksLikeId } from '../history/ids.js';
import type { VotesLocation } from '../history/votes.js';

export interface Continuation {
  conversation: StoredConversation;
  /** The columns' models, from the conversation's last turn. */
  models: string[];
  /** The prompt words, with a value commander took for an id given back when it is not one. */
  words: string[];
  /** Per column: the messages it has seen so far. */
  history: ChatMessage[][];
}

/**
 * Resolves `--continue`'s value: an id (or prefix) of a stored conversation, else (`--continue
 * "why?"`, where commander took the prompt for the value) the start of the prompt, with the latest
 * conversation.
 */
export async function loadContinuation(value: string | true, words: string[], loc: VotesLocation = {}): Promise<Continuation> {
  let id: string | undefined;
  let rest = words;
  if (typeof value === 'string') {
    const known = looksLikeId(value) && (await listConversations(loc)).items.some((c) => c.id.startsWith(value.toLowerCase()));
    if (known) id = value;
    else rest = [value, ...words];
  }
  const conversation = await readConversation(id, loc);
  const last = conversation.turns[conversation.turns.length - 1];
  if (!last) throw new UsageError(`conversation ${conversation.id} has no stored turns`, 'mmr history lists the conversations');
  const turns = asConversationTurns(conversation.turns);
  return { conversation, models: last.models, words: rest, history: last.models.map((_, i) => columnHistory(turns, i)) };
}

/** Stored turns as results the terminal UI can show (finished, with their text and error). */
export function resumedTurns(turns: readonly TurnRecord[]): { prompt: string; results: AnswerResult[] }[] {
  return turns.map((t) => ({
    prompt: t.prompt,
    results: t.results.map((r) => {
      const a = emptyResult(r.model);
      a.text = r.answer;
      a.done = true;
      a.costUsd = r.costUsd;
      a.ttftMs = r.ttftMs;
      a.latencyMs = r.latencyMs;
      a.usage = { inputTokens: r.inputTokens, outputTokens: r.outputTokens };
      a.finishReason = r.finishReason ? { unified: r.finishReason as never, raw: r.finishReason } : null;
      if (r.error) a.error = { kind: 'bad-response', message: r.error, status: null, retryable: false };
      return a;
    }),
  }));
}
