import { setMaxListeners } from 'node:events';
import type { FanoutEvent } from './types.js';
import type { ResolvedModel } from './model.js';
import type { Prompt } from './request.js';
import { runModel, type EngineOptions } from './run-model.js';
import { withFallback } from './fallback.js';

/** One column: a model, or a fallback chain (the first model, then the ones to try when it is unavailable). */
export type Slot = ResolvedModel | readonly ResolvedModel[];

/**
 * Runs every model concurrently and merges their events into one stream, in arrival order.
 * `prompt` is the same for every column, or a function giving each column its own.
 * One model's failure never stops the others. Breaking out of the loop (or aborting
 * `opts.signal`) cancels every request still in flight.
 */
export async function* fanout(models: readonly Slot[], prompt: Prompt | ((slot: number) => Prompt), opts: EngineOptions): AsyncGenerator<FanoutEvent> {
  // One prompt for all, or one per column (follow-ups: each model has its own conversation).
  const promptFor = typeof prompt === 'function' ? prompt : () => prompt;
  const local = new AbortController();
  // One listener per model on this signal; a comparison of more than ten models is legitimate.
  setMaxListeners(0, local.signal);
  const onAbort = () => local.abort(opts.signal?.reason);
  if (opts.signal?.aborted) local.abort(opts.signal.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const queue: FanoutEvent[] = [];
  let wake: (() => void) | null = null;
  let active = models.length;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  const pump = async (model: Slot, slot: number) => {
    const engine = { ...opts, signal: local.signal };
    try {
      // Events are tagged in place, not copied: nothing else holds them, and a copy per token adds up.
      if (isChain(model)) {
        for await (const ev of withFallback(model, promptFor(slot), engine)) {
          (ev as FanoutEvent).slot = slot;
          queue.push(ev as FanoutEvent);
          notify();
        }
        return;
      }
      for await (const ev of runModel(model, promptFor(slot), engine)) {
        const fe = ev as FanoutEvent;
        fe.slot = slot;
        fe.modelId = model.id;
        queue.push(fe);
        notify();
      }
    } finally {
      active--;
      notify();
    }
  };
  models.forEach((m, i) => void pump(m, i));

  try {
    while (active > 0 || queue.length > 0) {
      if (queue.length === 0) {
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      // Drain in batches: shift() on a long array is O(n).
      const batch = queue.splice(0, queue.length);
      for (const ev of batch) yield ev;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (active > 0) local.abort('consumer stopped');
  }
}

const isChain = (s: Slot): s is readonly ResolvedModel[] => Array.isArray(s);
