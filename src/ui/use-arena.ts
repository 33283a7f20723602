import { useCallback, useEffect, useRef, useState, type MutableRefObject } from 'react';
import { columnHistory, type ConversationTurn } from '../core/conversation.js';
import { totalCost, type AnswerResult } from '../core/results.js';
import type { FanoutEvent } from '../core/types.js';
import { identityOrder, shuffledOrder } from './blind.js';
import type { InteractiveOptions } from './types.js';
import { useFanout, type FrameCost, type FrameGate } from './use-fanout.js';

/** One turn of the conversation on screen. */
export interface Turn {
  prompt: string;
  /** 1-based within the conversation. */
  number: number;
  /** The pick: a slot, null for "none good", undefined before the vote. */
  winner?: number | null;
  /** Names were hidden when the vote was cast. */
  votedBlind?: boolean;
  /** The answers, kept once a later turn starts (the current turn's live in the fan-out). */
  results?: AnswerResult[];
}

/** A conversation: `n` starts a new one, `f` adds a turn to it. */
export interface Conversation {
  /** The caller's id for it (history, --continue), once known. */
  id?: string;
  /** Display position → slot (shuffled once per conversation in blind mode). */
  order: number[];
  turns: Turn[];
  /** 1 for the first conversation of the session. */
  number: number;
}

export interface ArenaOptions extends Pick<InteractiveOptions, 'models' | 'start' | 'onVote' | 'onTurn' | 'resume' | 'newConversationId'> {
  blind: boolean;
  random?: () => number;
  throttleMs?: number;
  frameCost?: FrameCost;
  gate?: MutableRefObject<FrameGate | null>;
}

export interface Arena {
  conversation: Conversation | null;
  /** The turn on screen (the last one), null before the first prompt. */
  turn: Turn | null;
  /** The current turn's results, by slot. */
  results: AnswerResult[];
  running: boolean;
  /** Every column of the current turn has finished (or failed). */
  allDone: boolean;
  /** Names may be shown: not blind, or a vote is in. */
  revealed: boolean;
  /** USD of the current turn; null while every cost is unknown. */
  turnCost: number | null;
  /** USD of every turn this session, the current one included. */
  sessionCost: number;
  /** Starts a new conversation (cancelling one still streaming). */
  ask(prompt: string): void;
  /** Asks every model a follow-up, each with its own side of the conversation so far. */
  followUp(prompt: string): void;
  /** Re-asks the failed slots of this turn; returns how many. */
  retryFailed(): number;
  /** Records the pick; resolves to an error message when recording it failed. */
  vote(slot: number | null): Promise<string | null>;
  /** Cancels every request in flight. */
  abortAll(): void;
  sync(): void;
}

/** An iterable that fails when read, so a `start` that throws shows up in its columns. */
async function* failing(err: unknown): AsyncGenerator<FanoutEvent> {
  throw err;
}

/** Names one turn of the session's conversations: what a run is for and what the screen shows. */
const turnKey = (conversation: { number: number }, turn: { number: number }) => `${conversation.number}:${turn.number}`;

const asConversationTurns = (turns: Turn[], current: AnswerResult[]): ConversationTurn[] =>
  turns.map((t, i) => ({
    prompt: t.prompt,
    answers: (i === turns.length - 1 ? current : t.results ?? []).map((r) => ({ model: r.model, text: r.text, failed: r.error !== null })),
  }));

/** The session: conversations of turns, their requests, votes and costs. */
export function useArena(o: ArenaOptions): Arena {
  const fan = useFanout(o.throttleMs, o.frameCost, o.gate);
  const [conversation, setConversation] = useState<Conversation | null>(() =>
    o.resume ? { id: o.resume.id, order: identityOrder(o.models.length), number: 1, turns: o.resume.turns.map((t, i) => ({ prompt: t.prompt, number: i + 1, results: t.results })) } : null,
  );
  const controllers = useRef(new Set<AbortController>());
  // Cost of the turns before this one; the current turn's is added live.
  const [sessionBase, setSessionBase] = useState(0);
  // The turn (turnKey) whose streams last ended; a new object each time, so the effect below hands
  // that turn over once per run of it (the first, and each retry).
  const [ended, setEnded] = useState<{ key: string } | null>(null);
  const { models, start, onVote, onTurn } = o;

  const abortAll = useCallback(() => {
    for (const c of controllers.current) c.abort('cancelled by the user');
    controllers.current.clear();
  }, []);
  // Leaving the UI any way (q, Ctrl-C, SIGINT, an exception) must not leave requests running.
  useEffect(() => abortAll, [abortAll]);

  const run = useCallback(
    (key: string, prompt: string, turns: ConversationTurn[], slots: number[]) => {
      const c = new AbortController();
      controllers.current.add(c);
      let events: AsyncIterable<FanoutEvent>;
      try {
        const history = slots.map((s) => columnHistory(turns, s));
        events = start({ prompt, history }, slots.map((s) => ({ id: models[s].id })), c.signal);
      } catch (err) {
        events = failing(err);
      }
      void fan.consume(events, slots).finally(() => {
        controllers.current.delete(c);
        // A run aborted by a newer turn ends with a key that is no longer the current turn's.
        setEnded({ key });
      });
    },
    [fan.consume, models, start],
  );

  const begin = useCallback(
    (prompt: string, next: Conversation) => {
      abortAll();
      setSessionBase((b) => b + (totalCost(fan.results) ?? 0));
      setConversation(next);
      fan.reset(models);
      // The earlier turns, with the answers the columns gave (the last one is the one being asked).
      const earlier = next.turns.slice(0, -1).map((t) => ({ prompt: t.prompt, answers: (t.results ?? []).map((r) => ({ model: r.model, text: r.text, failed: r.error !== null })) }));
      run(turnKey(next, next.turns[next.turns.length - 1]), prompt, earlier, identityOrder(models.length));
    },
    [abortAll, fan.reset, fan.results, models, run],
  );

  const ask = useCallback(
    (prompt: string) => {
      const order = o.blind ? shuffledOrder(models.length, o.random) : identityOrder(models.length);
      begin(prompt, { id: o.newConversationId?.(), order, turns: [{ prompt, number: 1 }], number: (conversation?.number ?? 0) + 1 });
    },
    [begin, conversation?.number, models.length, o.blind, o.random, o.newConversationId],
  );

  const followUp = useCallback(
    (prompt: string) => {
      if (!conversation) return ask(prompt);
      const turns = conversation.turns.map((t, i) => (i === conversation.turns.length - 1 && fan.results.length ? { ...t, results: fan.results } : t));
      begin(prompt, { ...conversation, turns: [...turns, { prompt, number: turns.length + 1 }] });
    },
    [ask, begin, conversation, fan.results],
  );

  const turn = conversation?.turns[conversation.turns.length - 1] ?? null;
  const retryFailed = useCallback(() => {
    if (!conversation || !turn) return 0;
    const failed = fan.results.flatMap((r, i) => (r.done && r.error ? [i] : []));
    const earlier = asConversationTurns(conversation.turns, fan.results).slice(0, -1);
    if (failed.length) run(turnKey(conversation, turn), turn.prompt, earlier, failed);
    return failed.length;
  }, [conversation, fan.results, run, turn]);

  const revealed = !o.blind || (conversation?.turns.some((t) => t.winner !== undefined) ?? false);

  // A turn goes to the caller when its streams have ended, once per run of it (redraws after that
  // hand nothing over again): history keeps every turn.
  const allDone = fan.results.length > 0 && fan.results.every((r) => r.done);
  const recorded = useRef<typeof ended>(null);
  useEffect(() => {
    if (!onTurn || !conversation || !turn || !allDone || !ended || recorded.current === ended) return;
    if (ended.key !== turnKey(conversation, turn)) return;
    recorded.current = ended;
    const history = asConversationTurns(conversation.turns, fan.results).slice(0, -1);
    void Promise.resolve(onTurn({ conversation: conversation.id, turn: turn.number, prompt: turn.prompt, results: fan.results, blind: !revealed, history: fan.results.map((_, s) => columnHistory(history, s)) })).catch(
      () => undefined,
    );
  });

  const vote = useCallback(
    async (slot: number | null) => {
      if (!conversation || !turn) return 'nothing to vote on yet';
      const blind = !revealed;
      setConversation({ ...conversation, turns: conversation.turns.map((t) => (t === turn ? { ...t, winner: slot, votedBlind: blind } : t)) });
      const history = asConversationTurns(conversation.turns, fan.results).slice(0, -1);
      try {
        await onVote({
          prompt: turn.prompt,
          results: fan.results,
          winner: slot,
          blind,
          conversation: conversation.id,
          turn: turn.number,
          history: fan.results.map((_, s) => columnHistory(history, s)),
        });
        return null;
      } catch (err) {
        return `vote not recorded: ${err instanceof Error ? err.message : String(err)}`;
      }
    },
    [conversation, fan.results, revealed, onVote, turn],
  );

  const turnCost = totalCost(fan.results);
  return {
    conversation,
    turn,
    results: fan.results,
    running: fan.running,
    allDone,
    revealed,
    turnCost,
    sessionCost: sessionBase + (turnCost ?? 0),
    ask,
    followUp,
    retryFailed,
    vote,
    abortAll,
    sync: fan.sync,
  };
}
