// The public per-prompt outcome tables in ../shared/realdata as mmr evidence (plain outcome rows),
// and the fixed held-out splits every routing-quality figure is reported on. A prompt's side is a
// hash of its text, so the split never depends on file order or on anything the learner saw.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../src/bench/csv.js';
import type { Outcome } from '../src/learn/dataset.js';

export const REALDATA = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../../shared/realdata');
export const haveRealdata = () => existsSync(REALDATA);

/** Which side of the split a prompt is on: 0–99 from a hash of its text. */
export const bucket = (prompt: string) => createHash('sha256').update(prompt).digest().readUInt16BE(0) % 100;
/** Held-out share for the 2-model sets: prompts with bucket < 40 are evaluated, the rest train. */
export const HELD_OUT_PCT = 40;

const outcome = (prompt: string, model: string, quality: number, costUsd: number | null): Outcome => ({ prompt, group: prompt, model, quality, costUsd, latencyMs: null, source: 'outcome' });

/** 2-model sets carry no cost: the strong model costs 1 per call and the weak 0, as RouteLLM counts. */
async function twoModel(file: string): Promise<Outcome[]> {
  const recs = await parseCsv(readFileSync(file, 'utf8'), file);
  const head = recs[0].fields;
  const weak = head.indexOf('mistralai/Mixtral-8x7B-Instruct-v0.1');
  const strong = head.indexOf('gpt-4-1106-preview');
  const p = head.indexOf('prompt');
  const seen = new Set<string>();
  const out: Outcome[] = [];
  for (const r of recs.slice(1)) {
    const prompt = r.fields[p];
    if (!prompt || seen.has(prompt)) continue; // a few MMLU prompts occur twice with identical outcomes
    seen.add(prompt);
    out.push(outcome(prompt, 'mixtral-8x7b', r.fields[weak] === 'True' ? 1 : 0, 0));
    out.push(outcome(prompt, 'gpt-4-1106', r.fields[strong] === 'True' ? 1 : 0, 1));
  }
  return out;
}

export function gsm8k(): Promise<Outcome[]> {
  return twoModel(path.join(REALDATA, 'prompts/router_outcomes/routellm_gsm8k_responses.csv'));
}

export async function mmlu(): Promise<Outcome[]> {
  const dir = path.join(REALDATA, 'router_outcomes/routellm_mmlu');
  const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort();
  return (await Promise.all(files.map((f) => twoModel(path.join(dir, f))))).flat();
}

/**
 * MT-Bench (80 questions × 2 turns) answered by the RouteLLM pair, each answer judged 1–10 by
 * GPT-4: graded evidence (quality = score / 10), as a bench row with a judge score carries. A
 * turn is its own prompt (the turn's user text, as a bench row's `prompt` is its last user turn).
 */
export async function mtbench(): Promise<Outcome[]> {
  const questions = new Map<string, string[]>();
  for (const line of readFileSync(path.join(REALDATA, 'prompts/mt_bench/question.jsonl'), 'utf8').split('\n')) {
    if (line.trim()) {
      const q = JSON.parse(line) as { question_id: number; turns: string[] };
      questions.set(String(q.question_id), q.turns);
    }
  }
  const file = path.join(REALDATA, 'prompts/router_outcomes/mt_bench_scores.csv');
  const recs = await parseCsv(readFileSync(file, 'utf8'), file);
  const h = recs[0].fields;
  const col = (k: string) => h.indexOf(k);
  return recs.slice(1).map((r) => {
    const [id, turn, model] = [r.fields[col('question_id')], Number(r.fields[col('turn')]), r.fields[col('model')]];
    const prompt = questions.get(id)![turn - 1];
    const strong = model === 'gpt-4-1106-preview';
    return { ...outcome(prompt, strong ? 'gpt-4-1106' : 'mixtral-8x7b', Number(r.fields[col('score')]) / 10, strong ? 1 : 0), group: `${id}:${turn}` };
  });
}

/** 14 models, right/wrong, estimated costs; the training part of a larger table (SOURCES.md). */
export async function zeroeval(): Promise<Outcome[]> {
  const dir = path.join(REALDATA, 'router_outcomes/zeroeval_crux_math_train');
  const prompts = new Map<string, string>();
  for (const line of readFileSync(path.join(dir, 'prompts.jsonl'), 'utf8').split('\n')) {
    if (line.trim()) {
      const p = JSON.parse(line) as { prompt_id: string; prompt: string };
      prompts.set(p.prompt_id, p.prompt);
    }
  }
  const recs = await parseCsv(readFileSync(path.join(dir, 'outcomes.csv'), 'utf8'), 'outcomes.csv');
  const h = recs[0].fields;
  const col = (k: string) => h.indexOf(k);
  return recs.slice(1).map((r) => {
    const prompt = prompts.get(r.fields[col('prompt_id')])!;
    return outcome(prompt, r.fields[col('model')], Number(r.fields[col('quality')]), Number(r.fields[col('cost_usd')]));
  });
}

/** Split outcomes by prompt bucket: [train, held out]. */
export function split(rows: Outcome[], heldOutPct = HELD_OUT_PCT): [Outcome[], Outcome[]] {
  const train: Outcome[] = [];
  const test: Outcome[] = [];
  const memo = new Map<string, boolean>();
  for (const r of rows) {
    let held = memo.get(r.prompt);
    if (held === undefined) memo.set(r.prompt, (held = bucket(r.prompt) < heldOutPct));
    (held ? test : train).push(r);
  }
  return [train, test];
}
