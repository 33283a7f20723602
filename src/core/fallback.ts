/**
 * Fallback chains: a rule's `use` model, then its `fallback` models, tried in order while the
 * current one is unavailable (rate-limited after retries, overloaded, 5xx, timed out, network
 * down). Only before any text: once a model has started answering, switching would splice two
 * answers together, so its failure is reported as is.
 */
import type { ResolvedModel } from './model.js';
import type { Prompt } from './request.js';
import { runModel, type EngineOptions } from './run-model.js';
import type { AnswerEvent, ErrorInfo } from './types.js';

/** The chain moved on: `from` failed with `error` before any text, `to` answers instead. */
export interface FallbackEvent {
  type: 'fallback';
  /** `provider:model` that failed. */
  from: string;
  /** `provider:model` that is tried next. */
  to: string;
  error: ErrorInfo;
}

/**
 * What a chain yields: every AnswerEvent of every model it ran (the error that made a model
 * give way is carried by the `fallback` event instead), each tagged with the model it concerns.
 * A `fallback` event carries `modelId: to`: from then on the column belongs to that model.
 */
export type ChainEvent = (AnswerEvent | FallbackEvent) & {
  /** `provider:model` (aliases expanded). */
  modelId: string;
};

const AVAILABILITY_KINDS: ReadonlySet<ErrorInfo['kind']> = new Set(['rate-limit', 'overloaded', 'server', 'timeout', 'network']);

/**
 * Whether another model might answer where this one could not: the provider is unavailable
 * rather than the request being wrong. A bad key, a bad request or a cancel would fail the same
 * way on the next model (or the user asked to stop), so those end the chain.
 */
export function isAvailabilityError(error: ErrorInfo): boolean {
  if (error.kind === 'aborted' || error.kind === 'auth' || error.kind === 'config' || error.kind === 'context-length') return false;
  if (AVAILABILITY_KINDS.has(error.kind)) return true;
  return error.status === 429 || (error.status !== null && error.status >= 500);
}

/**
 * Run `chain[0]`; when it ends with an availability error before any text, announce the switch
 * and run the next. Never throws; ends with the last model's `finish` or `error`.
 */
export async function* withFallback(chain: readonly ResolvedModel[], prompt: Prompt, opts: EngineOptions): AsyncGenerator<ChainEvent> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  for (let k = 0; k < chain.length; k++) {
    const model = chain[k];
    const next = chain[k + 1];
    let sawText = false;
    for await (const ev of runModel(model, prompt, opts)) {
      if (ev.type === 'text-delta' || ev.type === 'reasoning-delta') sawText = true;
      const last = ev.type === 'error';
      if (last && next && !sawText && !opts.signal?.aborted && isAvailabilityError(ev.error)) {
        yield { type: 'fallback', from: model.id, to: next.id, error: ev.error, modelId: next.id };
        break;
      }
      if (last || ev.type === 'finish') {
        // The column's wall time covers every model the chain tried, not only the one that ended it.
        yield { ...ev, wallMs: k > 0 ? now() - started : ev.wallMs, modelId: model.id };
        return;
      }
      yield { ...ev, modelId: model.id };
    }
  }
}
