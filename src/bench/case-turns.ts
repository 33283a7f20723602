/** A case's turns as the runner and the batch waves send them: prompts, the judge's question, row counts. */
import type { ModelOptions, ResolvedModel } from '../core/model.js';
import { buildRequest, type Prompt } from '../core/request.js';
import type { ChatMessage, ModelRequest } from '../core/types.js';
import type { BenchCase } from './types.js';

/** The prompt of one turn; the run's options object is shared (not copied per turn) unless the case sets its own system prompt. */
export const casePrompt = (c: BenchCase, options: ModelOptions, messages = c.messages): Prompt => ({
  messages,
  options: c.system !== undefined ? { ...options, system: c.system } : options,
});

/** The user text a case asks: its last user turn. */
export function lastUserText(c: Pick<BenchCase, 'messages'>): string {
  for (let i = c.messages.length - 1; i >= 0; i--) if (c.messages[i].role === 'user') return c.messages[i].content;
  return c.messages[c.messages.length - 1]?.content ?? '';
}

/** What the judge reads as the question: the turn itself, or the whole conversation before a later turn's answer. */
export function judgeQuestion(history: ChatMessage[], turn: number): string {
  if (turn === 1) return lastUserText({ messages: history });
  return history.map((m) => `[${m.role === 'user' ? 'User' : 'Assistant'}]\n${m.content}`).join('\n\n');
}

export const turnsOf = (c: BenchCase) => 1 + c.followUps.length;

/** Rows a run will produce: one per turn of every selected (case, model, sample). */
export function plannedRows(cases: BenchCase[], models: string[], repeat: number, only?: (caseId: string, model: string, sample: number) => boolean): number {
  let n = 0;
  for (const c of cases) for (let s = 1; s <= repeat; s++) for (const m of models) if (!only || only(c.id, m, s)) n += turnsOf(c);
  return n;
}

/**
 * `buildRequest` for a run whose options do not change under it: the request of each model for
 * one options object is built once, and a turn's is a copy of it with the turn's messages (the
 * same fields in the same order; the options merge is most of what buildRequest costs).
 */
export function requestMaker(): (model: ResolvedModel, prompt: Prompt) => ModelRequest {
  const made = new Map<ResolvedModel, { options: ModelOptions | undefined; template: ModelRequest }>();
  return (model, prompt) => {
    const m = made.get(model);
    if (m && m.options === prompt.options) {
      const request = Object.assign({}, m.template);
      request.messages = prompt.messages;
      return request;
    }
    const request = buildRequest(model, prompt);
    // A copy: what the caller does with its request never reaches the next one.
    made.set(model, { options: prompt.options, template: Object.assign({}, request) });
    return request;
  };
}
