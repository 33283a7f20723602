/** Shapes shared by the bench loader, runner, checks and reports. */
import type { ChatMessage } from '../core/types.js';

export type CheckType =
  | 'equals'
  | 'contains'
  | 'not-contains'
  | 'regex'
  | 'number'
  | 'json'
  | 'max-length'
  | 'command'
  | 'judge'
  | 'latency'
  | 'cost';

/** One `expect` entry, validated at load time; extra keys depend on the type. */
export interface Check {
  type: CheckType;
  /** The expected value: string, number, list of strings, argv, ... per type. */
  value?: unknown;
  /** command: ms allowed before its process group is ended (default 30,000). */
  timeoutMs?: number;
  /** command: the case's vars as environment variables (`MMR_VAR_<name>`), never spliced into the command. */
  env?: Record<string, string>;
  /** contains: `all` (default for lists) or `any`. */
  mode?: 'any' | 'all';
  ignoreCase?: boolean;
  /** regex flags (default none). */
  flags?: string;
  /** number: absolute tolerance (default 1e-6). */
  tolerance?: number;
  /** json: a JSON Schema (drafts 4, 7, 2019-09, 2020-12) the parsed answer must satisfy. */
  schema?: unknown;
  /** judge: what a good answer looks like. */
  rubric?: string;
  /** judge: the grading model (else --judge). */
  model?: string;
  /** judge: `pass-fail` (default) or `score` (1–10 against `threshold`). */
  scale?: 'pass-fail' | 'score';
  /** judge score: the lowest passing score (default 7). */
  threshold?: number;
}

/** A later user turn of a multi-turn case, sent after the model's own answer to the turn before. */
export interface FollowUp {
  content: string;
  /** Checks graded on this turn's answer. */
  expect: Check[];
}

/** A prompt case ready to run: templates applied, checks validated. */
export interface BenchCase {
  /** Unique within the run (file-derived when the case has none). */
  id: string;
  /** `file:line` (or `file#n`) for messages that point the user back at the source. */
  where: string;
  /** The first turn as sent: any fixed earlier turns, then its user turn (with the case's images, once loaded). */
  messages: ChatMessage[];
  /** Image files the case's `images:` names, as written (relative to the prompt file); load.ts reads them onto the first user turn. */
  imageFiles?: string[];
  system?: string;
  tags: string[];
  /** Checks graded on the first turn's answer. */
  expect: Check[];
  /**
   * Further user turns, sent one after another; each model sees its own earlier answers.
   * Empty for a single-turn case.
   */
  followUps: FollowUp[];
}

/** The outcome of one check against one answer. */
export interface CheckResult {
  type: CheckType;
  pass: boolean;
  /** Why it failed (or the judge's score / reason); short. */
  detail?: string;
  /** judge: the score given (1–10) when the scale is `score`. */
  score?: number;
  /** judge: USD spent on the judging call; null when its price is unknown. */
  costUsd?: number | null;
}

/** One case × model, as written to `--out` (one JSON line each). */
export interface BenchRow {
  caseId: string;
  where: string;
  tags: string[];
  /** The case's user text (its last user turn): what routing learns from, with `messages` and `system`. */
  prompt: string;
  /** The turns sent, system prompt apart. */
  messages: ChatMessage[];
  /** The system prompt sent (the case's, else --system, else the model's config), or null. */
  system: string | null;
  model: string;
  answer: string;
  /** True when every check passed; null when the case has no checks. */
  pass: boolean | null;
  checks: CheckResult[];
  error: { kind: string; message: string; status: number | null } | null;
  /** ms, as measured when the answer was first fetched (cached rows keep it). */
  latencyMs: number | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** USD of the answer; null when the price is unknown. */
  costUsd: number | null;
  /** USD spent on judge calls for this row, reported apart from the answer's cost. */
  judgeCostUsd: number;
  /** Served from the disk cache: costUsd/latency are the original call's, nothing was spent now. */
  cached: boolean;
  attempts: number;
  /** 1-based turn of a multi-turn case (1 for a single-turn case). */
  turn: number;
  /** 1-based sample under `--repeat N` (1 without it). */
  sample: number;
  /** Answered (or failed) through a provider's batch API (`--batch`): the cost is the batch price; no per-call latency was measured. */
  batch?: boolean;
  /** 0-based position of the model in the run's model list (`-m` order), so merged runs list models as the run did. */
  modelIndex?: number;
}

/** Where one (case, model, sample) conversation lives: the unit cached, retried and rerun. */
export const cellKey = (r: Pick<BenchRow, 'caseId' | 'model' | 'sample'>) => `${r.caseId}\u0000${r.model}\u0000${r.sample}`;
