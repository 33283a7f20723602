// Classifier accuracy on labelled public prompts. Tuning used MT-Bench (writing, roleplay, coding,
// math questions) and the ZeroEval prompts whose hash bucket is even; the figures that count are
// on data not tuned on: the odd-bucket ZeroEval prompts (CRUXEval = code, MATH level 5 = math)
// and the GSM8K slice (math). Run: npx tsx bench/classifier.ts
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { classify } from '../src/core/classify.js';
import { bucket, haveRealdata, REALDATA } from './realdata.js';

if (!haveRealdata()) {
  console.log('classifier: skipped (../shared/realdata not found)');
  process.exit(0);
}
const jsonl = (f: string) => readFileSync(path.join(REALDATA, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const sets: Record<string, Array<[string, string]>> = { 'tuned: MT-Bench writing/roleplay/coding/math': [], 'tuned: ZeroEval even buckets': [], 'held out: ZeroEval odd buckets (code, math)': [], 'held out: GSM8K first 200 (math)': [] };
const keys = Object.keys(sets);
const mt: Record<string, string> = { writing: 'writing', roleplay: 'writing', coding: 'code', math: 'math' };
for (const q of jsonl('prompts/mt_bench/question.jsonl')) if (mt[q.category]) sets[keys[0]].push([q.turns[0], mt[q.category]]);
for (const q of jsonl('router_outcomes/zeroeval_crux_math_train/prompts.jsonl')) sets[keys[bucket(q.prompt) % 2 ? 2 : 1]].push([q.prompt, q.task === 'crux' ? 'code' : 'math']);
for (const q of jsonl('prompts/gsm8k/test_first200.jsonl')) sets[keys[3]].push([q.question, 'math']);
for (const [name, xs] of Object.entries(sets)) {
  const wrong = new Map<string, number>();
  for (const [p, y] of xs) {
    const c = classify(p).category;
    if (c !== y) wrong.set(`${y}→${c}`, (wrong.get(`${y}→${c}`) ?? 0) + 1);
  }
  const ok = xs.length - [...wrong.values()].reduce((a, b) => a + b, 0);
  console.log(`${name.padEnd(46)} ${String(xs.length).padStart(4)} prompts  ${((ok / xs.length) * 100).toFixed(1).padStart(5)}%  ${[...wrong].map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
// Time per prompt, for the routing budget.
const p = sets[keys[2]][0][0];
for (let i = 0; i < 2000; i++) classify(p);
const t = performance.now();
for (let i = 0; i < 20000; i++) classify(p);
console.log(`classify: ${(((performance.now() - t) / 20000) * 1000).toFixed(1)} µs per ${p.length}-char prompt`);
