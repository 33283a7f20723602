/**
 * One wave of `--batch`: what can be asked now. Each (case, model, sample) conversation is
 * walked the way the runner walks it, over answers already in the cache: the first turn with
 * no answer is asked (later turns need it in their context, so they wait for the next wave),
 * and every judge check on an answered turn whose verdict is not cached is asked too. So the
 * first wave holds the first turns, the next the follow-ups and the judging, until nothing is
 * left. Requests are built exactly as the runner builds them, so their cache keys match.
 */
import type { ModelOptions, ResolvedModel } from '../core/model.js';
import { buildRequest } from '../core/request.js';
import type { ChatMessage } from '../core/types.js';
import { cacheKey, type BenchCache } from '../bench/cache.js';
import { casePrompt, judgeQuestion, lastUserText } from '../bench/runner.js';
import { judgeRequest } from '../bench/judge.js';
import type { BenchCase, Check } from '../bench/types.js';
import type { BatchItem } from './types.js';

export interface WaveSource {
  cases: () => Iterable<BenchCase> | AsyncIterable<BenchCase>;
  models: ResolvedModel[];
  options: ModelOptions;
  repeat: number;
  /** Cells of the run (`--rerun-failed`); all when absent. */
  only?: (caseId: string, model: string, sample: number) => boolean;
  cache: BenchCache;
  /** The judge model of a check (the check's own, else --judge). */
  judgeFor?: (c: Check) => ResolvedModel;
  /** Every judge model the run uses (so jobs for them can be resumed). */
  judges?: ResolvedModel[];
  /** Whether this model's requests go to its provider's batch API (else they run live). */
  batchable: (m: ResolvedModel) => boolean;
  /** Keys settled otherwise this run (a batch error, or sent live): not asked again. */
  settled: (key: string) => boolean;
}

/** Hands each request of the wave to `take`; returns how many there were. */
export async function planWave(w: WaveSource, take: (item: BatchItem) => Promise<void>): Promise<number> {
  let n = 0;
  // A custom id may appear once per job: identical requests (two cases asking the same) go once.
  const asked = new Set<string>();
  const ask = async (key: string, model: ResolvedModel, request: BatchItem['request']) => {
    if (w.settled(key) || asked.has(key)) return;
    asked.add(key);
    n++;
    await take({ key, model, request });
  };
  for await (const c of w.cases()) {
    const turns = [{ content: lastUserText(c), expect: c.expect }, ...c.followUps];
    for (let s = 1; s <= w.repeat; s++) {
      for (const model of w.models) {
        if (w.only && !w.only(c.id, model.id, s)) continue;
        let history: ChatMessage[] = c.messages;
        for (let t = 0; t < turns.length; t++) {
          const request = buildRequest(model, casePrompt(c, w.options, history));
          const key = cacheKey(model, request, s);
          const hit = await w.cache.get(key);
          if (!hit) {
            if (w.batchable(model)) await ask(key, model, request);
            break;
          }
          for (const check of turns[t].expect) {
            if (check.type !== 'judge' || !w.judgeFor) continue;
            const judge = w.judgeFor(check);
            if (!w.batchable(judge)) continue;
            const jr = buildRequest(judge, judgeRequest(check, judgeQuestion(history, t + 1), hit.text));
            const jkey = cacheKey(judge, jr, 1);
            if (!(await w.cache.get(jkey))) await ask(jkey, judge, jr);
          }
          if (t + 1 < turns.length) history = [...history, { role: 'assistant', content: hit.text }, { role: 'user', content: turns[t + 1].content }];
        }
      }
    }
  }
  return n;
}
