/**
 * Evidence as a matrix: one row per distinct prompt, one column per model, quality and cost where
 * observed (NaN where a model never saw that prompt). Repeated outcomes of one model on one
 * prompt (samples, several votes) are averaged.
 */
import { featurize, type SparseVec } from './features.js';

/** One model's outcome on one prompt, whatever file it came from (see evidence.ts). */
export interface Outcome {
  prompt: string;
  /** Outcomes with the same group are the same prompt (bench: case id + prompt; else the prompt). */
  group: string;
  model: string;
  /** 0–1: judge score / 10, else 1/0 for pass/fail, or a vote win. */
  quality: number;
  /** USD of the answer; null when unknown. */
  costUsd: number | null;
  /** ms from request to the end of the answer; null when unknown. */
  latencyMs: number | null;
  source: 'bench' | 'vote' | 'outcome';
}

export interface Dataset {
  models: string[];
  prompts: string[];
  xs: SparseVec[];
  /** prompts × models, NaN = not observed. */
  quality: Float64Array;
  costUsd: Float64Array;
  latencyMs: Float64Array;
}

export function buildDataset(outcomes: readonly Outcome[]): Dataset {
  const models = [...new Set(outcomes.map((o) => o.model))].sort();
  const mi = new Map(models.map((m, i) => [m, i]));
  const groups = new Map<string, number>();
  const prompts: string[] = [];
  for (const o of outcomes) {
    if (!groups.has(o.group)) {
      groups.set(o.group, prompts.length);
      prompts.push(o.prompt);
    }
  }
  const M = models.length;
  const n = prompts.length;
  const sums = [new Float64Array(n * M), new Float64Array(n * M), new Float64Array(n * M)];
  const cnts = [new Float64Array(n * M), new Float64Array(n * M), new Float64Array(n * M)];
  for (const o of outcomes) {
    const k = groups.get(o.group)! * M + mi.get(o.model)!;
    const vals = [o.quality, o.costUsd, o.latencyMs];
    vals.forEach((v, j) => {
      if (v !== null && Number.isFinite(v)) (sums[j][k] += v), cnts[j][k]++;
    });
  }
  const mean = (j: number) => sums[j].map((s, k) => (cnts[j][k] ? s / cnts[j][k] : NaN));
  return { models, prompts, xs: prompts.map((p) => featurize(p)), quality: mean(0), costUsd: mean(1), latencyMs: mean(2) };
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fold number (0..k-1) per prompt, balanced, shuffled by `seed`. */
export function folds(n: number, k: number, seed: number): Int32Array {
  const order = Array.from({ length: n }, (_, i) => i);
  const r = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const out = new Int32Array(n);
  order.forEach((p, i) => (out[p] = i % k));
  return out;
}
