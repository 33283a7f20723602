/**
 * Which cases a run takes, in two passes over the prompt files so they are never all in memory:
 * the first (`planCases`) validates every case, checks ids are unique, and keeps only counts
 * and sums (for the progress total, `--max-cost` and `--rerun-failed`); the second
 * (`plan.cases()`) streams the same cases again for the runner. `--limit N` keeps the first N
 * cases; `--shard I/N` then keeps those whose id hashes to slice I, so N machines given the same
 * files and flags run disjoint slices whose union is the whole run.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import type { ModelOptions } from '../core/model.js';
import { caseBatchesOfFiles, type FileVariants } from './load.js';
import type { BenchCase } from './types.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** `3/8` → {index: 3, count: 8}; a usage error naming --shard otherwise. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard takes I/N with 1 <= I <= N, got "${text}"`, 'e.g. --shard 2/4 runs the second of four slices');
  return { index, count };
}

/** The slice (1-based) a case id belongs to: the same for every machine and run. */
export function shardOf(id: string, count: number): number {
  const h = createHash('sha256').update(id).digest();
  return (h.readUInt32BE(0) % count) + 1;
}

export interface CaseFilter {
  limit?: number;
  shard?: Shard;
}

/** What the first pass keeps: sums, never the cases. */
export interface CasePlan {
  /** Cases read from the files (before --limit and --shard). */
  read: number;
  /** Cases this run takes. */
  cases: number;
  /** Turns over those cases (a multi-turn case has several). */
  turns: number;
  /** Ids of the cases taken (for --rerun-failed). */
  ids: Set<string>;
  /** Turns of the multi-turn cases taken (others have one). */
  multiTurn: Map<string, number>;
  /** For --max-cost: prompt characters sent over all turns, and Σ over follow-up turns of the earlier answers they resend. */
  promptChars: number;
  resentAnswers: number;
  /** The files' `variants:` mappings, in file order. */
  variants: FileVariants[];
  /**
   * The cases taken, in order: kept from the first pass when there are few (then a plain
   * iterable, so the runner takes them without a promise per case), else read again.
   */
  stream(): Iterable<BenchCase> | AsyncIterable<BenchCase>;
}

/**
 * Up to this many cases are kept from the first pass instead of read again (~1 KB each): a run
 * of that size costs little memory and is spared a second parse; past it, cases stream.
 */
export const KEEP_CASES = 20_000;

/** Streams the cases of `files` that `filter` takes. */
async function* selected(files: string[], cwd: string, filter: CaseFilter, checkIds: boolean): AsyncGenerator<BenchCase> {
  let n = 0;
  for await (const batch of caseBatchesOfFiles(files, cwd, checkIds)) {
    for (const c of batch) {
      if (filter.limit !== undefined && n >= filter.limit) {
        // Ids are checked over every case of the files, even those past --limit.
        if (checkIds) continue;
        return;
      }
      n++;
      if (filter.shard && shardOf(c.id, filter.shard.count) !== filter.shard.index) continue;
      yield c;
    }
  }
}

/**
 * The first pass. `visit` sees each case taken (e.g. to check its judge checks have a model);
 * `options` are the run's per-call options (their system prompt counts toward the estimate).
 */
export async function planCases(files: string[], cwd: string, filter: CaseFilter, options: ModelOptions = {}, visit?: (c: BenchCase) => void, keep = KEEP_CASES): Promise<CasePlan> {
  let kept: BenchCase[] | null = [];
  // The ids taken, gathered only once the cases stop being kept (until then the kept cases hold
  // them, and the set is made if asked for: one hash table less per run, as it is seldom needed).
  let ids: Set<string> | null = null;
  const plan: CasePlan = {
    read: 0,
    cases: 0,
    turns: 0,
    get ids() {
      if (!ids) ids = new Set(kept?.map((c) => c.id));
      return ids;
    },
    multiTurn: new Map(),
    promptChars: 0,
    resentAnswers: 0,
    variants: [],
    stream: () => (kept ? kept.values() : selected(files, cwd, filter, false)),
  };
  let read = 0;
  for await (const batch of caseBatchesOfFiles(files, cwd, true, (v) => plan.variants.push(v))) for (const c of batch) {
    read++;
    if (filter.limit !== undefined && read > filter.limit) continue;
    if (filter.shard && shardOf(c.id, filter.shard.count) !== filter.shard.index) continue;
    visit?.(c);
    if (kept && kept.length < keep) kept.push(c);
    else if (kept) {
      ids = new Set(kept.map((k) => k.id));
      kept = null;
    }
    if (ids) ids.add(c.id);
    const turns = 1 + c.followUps.length;
    plan.cases++;
    plan.turns += turns;
    if (turns > 1) plan.multiTurn.set(c.id, turns);
    let sent = (c.system ?? options.system ?? '').length;
    for (let i = 0; i < c.messages.length; i++) sent += c.messages[i].content.length;
    plan.promptChars += sent;
    for (let i = 0; i < c.followUps.length; i++) {
      sent += c.followUps[i].content.length;
      plan.promptChars += sent;
      plan.resentAnswers += i + 1;
    }
  }
  plan.read = read;
  return plan;
}

/** Rows a run will produce: one per turn of every selected (case, model, sample). */
export function plannedRowsOf(plan: Pick<CasePlan, 'cases' | 'turns' | 'multiTurn' | 'ids'>, models: string[], repeat: number, only?: (caseId: string, model: string, sample: number) => boolean): number {
  if (!only) return plan.turns * models.length * repeat;
  let n = 0;
  for (const id of plan.ids) for (let s = 1; s <= repeat; s++) for (const m of models) if (only(id, m, s)) n += plan.multiTurn.get(id) ?? 1;
  return n;
}
