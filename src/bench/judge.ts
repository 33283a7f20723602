/**
 * The `judge` check: a model grades an answer against a rubric. Its cost is returned with the
 * result so reports keep judging spend apart from the models under test.
 */
import type { ResolvedModel } from '../core/model.js';
import { runModel, type EngineOptions } from '../core/run-model.js';
import { userPrompt, type Prompt } from '../core/request.js';
import type { Check, CheckResult } from './types.js';

export function judgePrompt(c: Check, question: string, answer: string): string {
  const scale =
    c.scale === 'score'
      ? 'Rate the answer from 1 (useless) to 10 (perfect). End with a line "SCORE: n".'
      : 'Decide whether the answer meets the rubric. End with a line "VERDICT: PASS" or "VERDICT: FAIL".';
  return [
    'You are grading an answer from an AI assistant. Be strict and brief: one or two sentences of reasoning.',
    `\n[Rubric]\n${c.rubric}`,
    `\n[Question]\n${question}`,
    `\n[Answer]\n${answer}`,
    `\n${scale}`,
  ].join('\n');
}

/** Reads the verdict; the last marker wins because models sometimes quote the instructions first. */
export function parseVerdict(c: Check, text: string): { pass: boolean; score?: number; detail: string } | null {
  if (c.scale === 'score') {
    const all = [...text.matchAll(/score\s*[:=]?\s*(\d+(?:\.\d+)?)\s*(?:\/\s*10)?/gi)];
    const last = all[all.length - 1];
    if (!last) return null;
    const score = Math.max(0, Math.min(10, Number(last[1])));
    const threshold = c.threshold ?? 7;
    return { pass: score >= threshold, score, detail: `score ${score} (pass ≥ ${threshold})` };
  }
  const all = [...text.matchAll(/\b(PASS|FAIL)\b/g)];
  const last = all[all.length - 1];
  if (!last) return null;
  return { pass: last[1] === 'PASS', detail: `judge: ${last[1].toLowerCase()}` };
}

/** What the judge is asked: the same prompt live and in a batch, so a batch verdict is found by its cache key. */
export const judgeRequest = (c: Check, question: string, answer: string): Prompt => userPrompt(judgePrompt(c, question, answer), { temperature: 0 });

/** The check's result from the judge's reply. */
export function verdictResult(model: ResolvedModel, c: Check, text: string, costUsd: number | null): CheckResult {
  const v = parseVerdict(c, text);
  if (!v) return { type: 'judge', pass: false, detail: `judge ${model.id} gave no verdict`, costUsd };
  return { type: 'judge', pass: v.pass, score: v.score, detail: v.detail, costUsd };
}

export async function runJudge(model: ResolvedModel, c: Check, question: string, answer: string, engine: EngineOptions): Promise<CheckResult> {
  let text = '';
  let costUsd: number | null = null;
  for await (const ev of runModel(model, judgeRequest(c, question, answer), engine)) {
    if (ev.type === 'text-delta') text += ev.text;
    else if (ev.type === 'finish') costUsd = ev.costUsd;
    else if (ev.type === 'error') return { type: 'judge', pass: false, detail: `judge ${model.id} failed: ${ev.error.message}`, costUsd: null };
  }
  return verdictResult(model, c, text, costUsd);
}
