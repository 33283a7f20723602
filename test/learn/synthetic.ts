/** Synthetic evidence with a known answer, shared by the learn tests. */
import { rng, type Outcome } from '../../src/learn/dataset.js';

const TOPICS = ['lists', 'strings', 'trees', 'graphs', 'dates', 'files', 'parsers', 'caches'];
/** Math prompts and code prompts; `cheap:math` is right on math, `dear:code` on code, `mid:both` half the time. */
export function synthetic(n = 160, seed = 7): Outcome[] {
  const r = rng(seed);
  const out: Outcome[] = [];
  for (let i = 0; i < n; i++) {
    const math = i % 2 === 0;
    const a = 10 + Math.floor(r() * 900);
    const prompt = math
      ? `Compute ${a} * ${a + 7} and then add ${a % 13}; what is the total? (${i})`
      : `Write a Python function that handles ${TOPICS[i % TOPICS.length]} and returns a sorted result; include tests (${i})`;
    const p = { 'cheap:math': math ? 0.95 : 0.15, 'dear:code': math ? 0.6 : 0.95, 'mid:both': 0.5 };
    const cost = { 'cheap:math': 0.001, 'dear:code': 0.01, 'mid:both': 0.004 };
    for (const m of Object.keys(p) as Array<keyof typeof p>) {
      out.push({ prompt, group: prompt, model: m, quality: r() < p[m] ? 1 : 0, costUsd: cost[m] * (0.9 + 0.2 * r()), latencyMs: 1000, source: 'outcome' });
    }
  }
  return out;
}

