import { useCallback, useEffect, useRef, useState, type MutableRefObject } from 'react';
import { applyEvent, emptyResult, type AnswerResult } from '../core/results.js';
import type { ErrorInfo, FanoutEvent } from '../core/types.js';

/**
 * Events are folded into results as they arrive, but the screen is redrawn at most every this
 * many ms (~15 fps): text still reads as live, and six models at 200 tok/s cost 15 redraws a
 * second, not 1,200.
 */
export const DEFAULT_THROTTLE_MS = 66;

/**
 * A frame may cost at most 1/this of the time between frames. Ink redraws the whole frame
 * character by character (~10 ms for six full panes at 200×50), so on big terminals the frame
 * rate drops rather than the CPU going past a tenth of a core on drawing.
 */
export const FRAME_COST_FACTOR = 10;

/** Recent cost of one Ink frame in ms, fed by Ink's onRender (see run-interactive.tsx). */
export interface FrameCost {
  readonly current: number;
}

/**
 * Decides whether the changed results are worth a frame: 0 draws now, a number of ms waits that
 * long (then asks again), null draws nothing (nothing visible changed: an answer growing below
 * the fold). Absent: every change is drawn.
 */
export type FrameGate = (live: readonly AnswerResult[]) => number | null;

export interface FanoutHandle {
  /** One result per slot as last drawn; a slot's object is replaced only when that slot changed (memo-friendly). */
  results: AnswerResult[];
  /** True while any stream is being consumed. */
  running: boolean;
  /** Starts a new comparison: every slot empty; streams of the previous one are dropped. */
  reset(models: { id: string; alias?: string }[]): void;
  /**
   * Consumes a stream into the given slots (the event's slot i lands in `slots[i]`, as for a
   * retry of some slots), emptying them first. Resolves when the stream ends or is dropped.
   */
  consume(events: AsyncIterable<FanoutEvent>, slots: number[]): Promise<void>;
  /** Draws pending changes now, whatever the gate says (after a scroll, a key). */
  sync(): void;
}

/** A failure of the stream itself (a bug, not a model error) shown in each slot it left unfinished. */
const streamFailure = (err: unknown): ErrorInfo => ({
  kind: 'bad-response',
  message: `mmr stopped reading this answer: ${err instanceof Error ? err.message : String(err)}`,
  status: null,
  retryable: true,
});

/**
 * Folds fan-out events into per-slot results. Events mutate a ref (applyEvent is O(1)); React
 * state is refreshed at most once per `throttleMs` (longer when frames are expensive), only when
 * the gate sees a visible change, and at once when a stream ends.
 */
/** Gate checks and state updates made, for MMR_TUI_STATS. */
export const fanoutStats = { checks: 0, draws: 0 };

export function useFanout(throttleMs = DEFAULT_THROTTLE_MS, frameCost?: FrameCost, gate?: MutableRefObject<FrameGate | null>): FanoutHandle {
  const live = useRef<AnswerResult[]>([]);
  const dirty = useRef(new Set<number>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const generation = useRef(0);
  const mounted = useRef(true);
  const [results, setResults] = useState<AnswerResult[]>([]);
  const [active, setActive] = useState(0);

  const draw = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (!mounted.current || dirty.current.size === 0) return;
    const changed = new Set(dirty.current);
    dirty.current.clear();
    fanoutStats.draws++;
    const snapshot = live.current;
    // Copies because applyEvent mutates; untouched slots keep their object so their panes skip rendering.
    setResults((prev) => snapshot.map((r, i) => (changed.has(i) || prev.length !== snapshot.length || !prev[i] ? { ...r } : prev[i])));
  }, []);

  const flush = useCallback(() => {
    timer.current = null;
    if (!mounted.current || dirty.current.size === 0) return;
    fanoutStats.checks++;
    const wait = gate?.current ? gate.current(live.current) : 0;
    if (wait === null) return; // stays dirty; the next event asks again
    if (wait > 0) {
      timer.current = setTimeout(flush, wait);
      return;
    }
    draw();
  }, [draw, gate]);

  const schedule = useCallback(() => {
    if (!timer.current) timer.current = setTimeout(flush, Math.max(throttleMs, (frameCost?.current ?? 0) * FRAME_COST_FACTOR));
  }, [flush, throttleMs, frameCost]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  const reset = useCallback(
    (models: { id: string; alias?: string }[]) => {
      generation.current++;
      live.current = models.map((m) => emptyResult(m.id, m.alias));
      live.current.forEach((_, i) => dirty.current.add(i));
      draw();
    },
    [draw],
  );

  const consume = useCallback(
    async (events: AsyncIterable<FanoutEvent>, slots: number[]) => {
      const gen = generation.current;
      const target = live.current;
      for (const s of slots) {
        const old = target[s];
        if (!old) continue;
        target[s] = emptyResult(old.model, old.alias);
        dirty.current.add(s);
      }
      draw();
      setActive((a) => a + 1);
      let failure: unknown = null;
      try {
        for await (const ev of events) {
          // A newer comparison replaced this one; leaving the loop also cancels its requests.
          if (gen !== generation.current || !mounted.current) break;
          const s = slots[ev.slot];
          if (s === undefined || !target[s]) continue;
          applyEvent(target[s], ev);
          dirty.current.add(s);
          // Columns finishing together are drawn in one frame at the next tick, not one frame each.
          schedule();
        }
      } catch (err) {
        failure = err;
      }
      try {
        // A slot the stream left unfinished would spin forever; say what happened instead.
        if (gen === generation.current) {
          for (const s of slots) {
            const r = target[s];
            if (!r || r.done) continue;
            r.error = streamFailure(failure ?? new Error('the stream ended without a finish'));
            r.done = true;
            dirty.current.add(s);
          }
        }
      } finally {
        if (mounted.current) {
          draw();
          setActive((a) => a - 1);
        }
      }
    },
    [draw, schedule],
  );

  return { results, running: active > 0, reset, consume, sync: draw };
}
