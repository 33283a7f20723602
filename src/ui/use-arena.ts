import { useCallback, useEffect, useRef, useState } from 'react';
import { totalCost, type AnswerResult } from '../core/results.js';
import type { FanoutEvent } from '../core/types.js';
import { toVoteEntry } from '../history/votes.js';
import { identityOrder, shuffledOrder } from './blind.js';
import type { InteractiveOptions } from './types.js';
import { useFanout, type FrameCost } from './use-fanout.js';

/** One prompt and its comparison; `n` starts the next round with the same models. */
export interface Round {
  prompt: string;
  /** Display position → slot (shuffled in blind mode). */
  order: number[];
  /** The pick: a slot, null for "none good", undefined before the vote. */
  winner?: number | null;
  /** 1 for the first prompt of the session. */
  number: number;
}

export interface ArenaOptions extends Pick<InteractiveOptions, 'models' | 'start' | 'logVote'> {
  blind: boolean;
  random?: () => number;
  throttleMs?: number;
  frameCost?: FrameCost;
  now?: () => Date;
}

export interface Arena {
  round: Round | null;
  results: AnswerResult[];
  running: boolean;
  /** Names may be shown: not blind, or the vote is in. */
  revealed: boolean;
  /** USD of the current round; null while every cost is unknown. */
  roundCost: number | null;
  /** USD of every round this session, the current one included. */
  sessionCost: number;
  /** Starts a round (cancelling one still streaming). */
  ask(prompt: string): void;
  /** Re-asks the failed slots of this round; returns how many. */
  retryFailed(): number;
  /** Records the pick; resolves to an error message when logging it failed. */
  vote(slot: number | null): Promise<string | null>;
  /** Cancels every request in flight. */
  abortAll(): void;
}

/** An iterable that fails when read, so a `start` that throws shows up in its columns. */
async function* failing(err: unknown): AsyncGenerator<FanoutEvent> {
  throw err;
}

/** The session: rounds of comparisons, their requests, votes and costs. */
export function useArena(o: ArenaOptions): Arena {
  const fan = useFanout(o.throttleMs, o.frameCost);
  const [round, setRound] = useState<Round | null>(null);
  const controllers = useRef(new Set<AbortController>());
  // Cost of the rounds before this one; the current round's is added live.
  const [sessionBase, setSessionBase] = useState(0);
  const { models, start, logVote } = o;

  const abortAll = useCallback(() => {
    for (const c of controllers.current) c.abort('cancelled by the user');
    controllers.current.clear();
  }, []);
  // Leaving the UI any way (q, Ctrl-C, SIGINT, an exception) must not leave requests running.
  useEffect(() => abortAll, [abortAll]);

  const run = useCallback(
    (prompt: string, slots: number[]) => {
      const c = new AbortController();
      controllers.current.add(c);
      let events: AsyncIterable<FanoutEvent>;
      try {
        events = start(prompt, slots.map((s) => ({ id: models[s].id })), c.signal);
      } catch (err) {
        events = failing(err);
      }
      void fan.consume(events, slots).finally(() => controllers.current.delete(c));
    },
    [fan.consume, models, start],
  );

  const ask = useCallback(
    (prompt: string) => {
      abortAll();
      const finished = totalCost(fan.results) ?? 0;
      setSessionBase((b) => b + finished);
      const order = o.blind ? shuffledOrder(models.length, o.random) : identityOrder(models.length);
      setRound((prev) => ({ prompt, order, number: (prev?.number ?? 0) + 1 }));
      fan.reset(models);
      run(prompt, identityOrder(models.length));
    },
    [abortAll, fan.reset, fan.results, models, o.blind, o.random, run],
  );

  const retryFailed = useCallback(() => {
    if (!round) return 0;
    const failed = fan.results.flatMap((r, i) => (r.done && r.error ? [i] : []));
    if (failed.length) run(round.prompt, failed);
    return failed.length;
  }, [fan.results, round, run]);

  const vote = useCallback(
    async (slot: number | null) => {
      if (!round) return 'nothing to vote on yet';
      setRound({ ...round, winner: slot });
      try {
        await logVote(toVoteEntry(round.prompt, fan.results, slot, o.blind, o.now?.()));
        return null;
      } catch (err) {
        return `vote not logged: ${err instanceof Error ? err.message : String(err)}`;
      }
    },
    [fan.results, logVote, o.blind, o.now, round],
  );

  const roundCost = totalCost(fan.results);
  return {
    round,
    results: fan.results,
    running: fan.running,
    revealed: !o.blind || round?.winner !== undefined,
    roundCost,
    sessionCost: sessionBase + (roundCost ?? 0),
    ask,
    retryFailed,
    vote,
    abortAll,
  };
}
