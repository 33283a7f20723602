/**
 * Reading evidence: JSONL files whose lines are any of
 * - `mmr bench --out` rows (`caseId`, `model`, `prompt`, `checks`, `pass`, `costUsd`, ...):
 *   quality = the mean judge score / 10 when the row has scored judge checks (or a `judgeScore`),
 *   else 1/0 for pass/fail; samples of a case are averaged, turns kept apart;
 * - vote log lines, versions 1 and 2 (`prompt`, `models`, `winner`, `results`, v2 adds `v`,
 *   `conversation`, `turn`, `system`, `context`): the winner scores 1, the others 0 ("none good":
 *   0 for all);
 * - plain outcome rows `{prompt, model, quality (0–1), costUsd?, latencyMs?}`.
 * Everything is untrusted: lines are bounded in size, anything that is not one of these is skipped
 * and counted (one warning per file), and a failed call (a row with `error`) is not evidence about
 * the model's quality, so it is skipped and counted too.
 */
import { boundedLines } from '../history/jsonl.js';
import type { Outcome } from './dataset.js';

/** Longest line read, in bytes; longer ones are skipped whole. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Prompts are kept up to this many UTF-16 code units (features read less). */
const MAX_PROMPT = 64 * 1024;

export interface EvidenceFile {
  file: string;
  outcomes: Outcome[];
  /** Lines by kind. */
  bench: number;
  votes: number;
  plain: number;
  /** Bench rows of failed calls (no quality to learn). */
  failed: number;
  /** Bench rows without checks (nothing graded). */
  ungraded: number;
  /** The vote lines themselves (for the leaderboard: winner, blind). */
  voteRecords: VoteRecord[];
  /** Lines that are not evidence, with the first few line numbers. */
  skipped: number;
  skippedLines: number[];
}

/** A vote log line, either version, as far as learning needs it. */
export interface VoteRecord {
  prompt: string;
  models: string[];
  winner: string | null;
  blind: boolean;
  results: Array<{ model?: unknown; error?: unknown }>;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
/** A model id is printed in reports: one with control characters is not evidence. */
const modelOk = (m: unknown): m is string => typeof m === 'string' && m.length > 0 && m.length < 300 && !/[\u0000-\u001f\u007f-\u009f]/.test(m);
const clip = (s: string) => (s.length > MAX_PROMPT ? s.slice(0, MAX_PROMPT) : s);

/** The user text of a bench row: `prompt`, else the last user turn of `messages`. */
function benchPrompt(v: Record<string, unknown>): string | null {
  if (typeof v.prompt === 'string') return v.prompt;
  if (!Array.isArray(v.messages)) return null;
  for (let i = v.messages.length - 1; i >= 0; i--) {
    const m = v.messages[i] as unknown;
    if (isObj(m) && m.role === 'user' && typeof m.content === 'string') return m.content;
  }
  return null;
}

/** A bench row's quality: mean judge score / 10 when scored, else pass 1 / fail 0; null = not graded. */
export function benchQuality(v: Record<string, unknown>): number | null {
  const checks = Array.isArray(v.checks) ? v.checks.filter(isObj) : [];
  const scores = checks.filter((c) => c.type === 'judge').map((c) => num(c.score)).filter((s): s is number => s !== null);
  if (scores.length) return Math.min(1, scores.reduce((a, b) => a + b, 0) / scores.length / 10);
  // A row-level judge score (1–10), when the bench writes one.
  const judge = num(v.judgeScore);
  if (judge !== null) return Math.min(1, judge / 10);
  if (v.pass === true) return 1;
  if (v.pass === false) return 0;
  return null;
}

/** Outcomes of one parsed line, or a tag saying why it has none. */
export function lineOutcomes(v: unknown): { kind: 'bench' | 'votes' | 'plain'; outcomes: Outcome[] } | 'failed' | 'ungraded' | null {
  if (!isObj(v)) return null;
  if ('winner' in v && Array.isArray(v.models) && typeof v.prompt === 'string' && (v.winner === null || typeof v.winner === 'string')) {
    const models = v.models.filter(modelOk);
    const results = Array.isArray(v.results) ? v.results.filter(isObj) : [];
    const context = Array.isArray(v.context) ? JSON.stringify(v.context).slice(0, 4096) : '';
    const group = `vote\u0000${typeof v.system === 'string' ? v.system : ''}\u0000${context}\u0000${v.prompt}`;
    const outcomes = models.flatMap((model): Outcome[] => {
      const r = results.find((x) => x.model === model);
      if (r && typeof r.error === 'string' && r.error) return [];
      return [{ prompt: clip(v.prompt as string), group, model, quality: v.winner === model ? 1 : 0, costUsd: num(r?.costUsd), latencyMs: num(r?.latencyMs), source: 'vote' }];
    });
    return { kind: 'votes', outcomes };
  }
  if (typeof v.caseId === 'string' && modelOk(v.model)) {
    const prompt = benchPrompt(v);
    if (prompt === null) return null;
    if (v.error !== null && v.error !== undefined) return 'failed';
    const quality = benchQuality(v);
    if (quality === null) return 'ungraded';
    // Samples of one case are one prompt (averaged); turns of a conversation are different prompts.
    const turn = typeof v.turn === 'number' ? v.turn : '';
    const group = `bench\u0000${v.caseId}\u0000${turn}\u0000${typeof v.system === 'string' ? v.system : ''}\u0000${prompt}`;
    return { kind: 'bench', outcomes: [{ prompt: clip(prompt), group, model: v.model, quality, costUsd: num(v.costUsd), latencyMs: num(v.latencyMs), source: 'bench' }] };
  }
  if (typeof v.prompt === 'string' && modelOk(v.model) && typeof v.quality === 'number' && v.quality >= 0 && v.quality <= 1) {
    return { kind: 'plain', outcomes: [{ prompt: clip(v.prompt), group: `plain\u0000${v.prompt}`, model: v.model, quality: v.quality, costUsd: num(v.costUsd), latencyMs: num(v.latencyMs), source: 'outcome' }] };
  }
  return null;
}

/** Read one evidence file. Throws the fs error (ENOENT, EACCES) for the caller to name the file. */
export async function readEvidence(file: string): Promise<EvidenceFile> {
  const out: EvidenceFile = { file, outcomes: [], bench: 0, votes: 0, plain: 0, failed: 0, ungraded: 0, voteRecords: [], skipped: 0, skippedLines: [] };
  let n = 0;
  for await (const line of boundedLines(file, MAX_LINE_BYTES)) {
    n++;
    if (line !== null && !line.trim()) continue;
    let r: ReturnType<typeof lineOutcomes> = null;
    let v: unknown;
    if (line !== null) {
      try {
        r = lineOutcomes((v = JSON.parse(line)));
      } catch {
        r = null;
      }
    }
    if (r === 'failed') out.failed++;
    else if (r === 'ungraded') out.ungraded++;
    else if (r === null) {
      out.skipped++;
      if (out.skippedLines.length < 5) out.skippedLines.push(n);
    } else {
      out[r.kind]++;
      for (const o of r.outcomes) out.outcomes.push(o);
      if (r.kind === 'votes') {
        const x = v as Record<string, unknown>;
        out.voteRecords.push({
          prompt: x.prompt as string, models: (x.models as unknown[]).filter(modelOk), winner: x.winner as string | null,
          blind: x.blind === true, results: Array.isArray(x.results) ? x.results.filter(isObj) : [],
        });
      }
    }
  }
  return out;
}
