/**
 * The vote log: one JSON line per pick in the user's data directory. Append-only JSONL needs
 * nothing compiled (Node 20 has no node:sqlite), survives concurrent mmr processes, and is easy to
 * read back for leaderboards and learned routing. Readers take version 1 and 2 lines and skip,
 * counting, any line that is not a vote, so one bad line never costs the rest of the log.
 */
import path from 'node:path';
import envPaths from 'env-paths';
import type { AnswerResult } from '../core/results.js';
import type { ChatMessage } from '../core/types.js';
import { newConversationId } from './ids.js';
import { appendJsonLine, eachJsonLine } from './jsonl.js';

/** One model's showing in a voted comparison. */
export interface VoteResult {
  /** `provider:model`. */
  model: string;
  /** USD; null when the price is unknown or the model failed. */
  costUsd: number | null;
  /** ms from the answering request being written to the end; null if it had not ended when the vote was cast. */
  latencyMs: number | null;
  /** ms from the answering request being written to the first token; null if none came. */
  ttftMs: number | null;
  /** Output tokens as the provider billed them; null when not reported. */
  outputTokens: number | null;
  /** The error message when the model failed, else null. */
  error: string | null;
  /** v2: the answer's text as the model gave it (raw markdown). */
  answer?: string;
}

/**
 * One line of the vote log. Version 1 lines have only the first six fields; version 2 lines
 * (`v: 2`, written from follow-ups on) add where the prompt sits in a conversation. Every v2 field
 * is optional here, so code that builds v1-shaped entries keeps working: appendVote fills them in.
 */
export interface VoteEntry {
  /** Format version: absent (1) or 2. */
  v?: 2;
  /** When the vote was cast, ISO 8601. */
  time: string;
  /** The user's turn that was voted on (for a follow-up, only that turn). */
  prompt: string;
  /** `provider:model` of every model compared, in the order they were asked. */
  models: string[];
  /** The winner's `provider:model`, or null for "none was good". */
  winner: string | null;
  /** Whether names were hidden while the user voted. */
  blind: boolean;
  results: VoteResult[];
  /** v2: the conversation's id (history show ID, ask --continue ID). */
  conversation?: string;
  /** v2: 1-based turn of the conversation this prompt is. */
  turn?: number;
  /** v2: the system prompt, null when none. */
  system?: string | null;
  /**
   * v2: the turns before this prompt, as the winner saw them (each model sees its own earlier
   * answers; with no winner, the first model's). Empty or absent on turn 1.
   */
  context?: ChatMessage[];
  /** v2: what produced the vote: `ask` (the terminal UI), `report` (a bench report), ... */
  source?: string;
}

export const VOTES_FILE = 'votes.jsonl';

export interface VotesLocation {
  /** Directory holding votes.jsonl; default: the user data dir. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * `$XDG_DATA_HOME/mmr` when set (honoured on every platform: people who set it expect it),
 * else env-paths' data dir. Read per call, not at import, so a changed env is seen.
 */
export function votesDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'mmr');
  return envPaths('mmr', { suffix: '' }).data;
}

export const votesFile = (loc: VotesLocation = {}) => path.join(loc.dir ?? votesDir(loc.env), VOTES_FILE);

/** Where a vote sits in a conversation (v2 fields); all optional. */
export interface VoteContext {
  conversation?: string;
  turn?: number;
  system?: string | null;
  context?: ChatMessage[];
  source?: string;
  /** Record each model's answer text (default true). */
  answers?: boolean;
}

/** The log record for a comparison and its pick (`winner` is the winning slot, null for none). */
export function toVoteEntry(prompt: string, results: AnswerResult[], winner: number | null, blind: boolean, now: Date = new Date(), where: VoteContext = {}): VoteEntry {
  const { answers = true, ...rest } = where;
  return {
    time: now.toISOString(),
    prompt,
    models: results.map((r) => r.model),
    winner: winner == null ? null : results[winner]?.model ?? null,
    blind,
    results: results.map((r) => ({
      model: r.model,
      costUsd: r.costUsd,
      latencyMs: r.latencyMs,
      ttftMs: r.ttftMs,
      outputTokens: r.usage?.outputTokens ?? null,
      error: r.error?.message ?? null,
      ...(answers ? { answer: r.text } : {}),
    })),
    ...rest,
  };
}

/** The line as written: version 2, every v2 field present (a new conversation of one turn when none was given). */
export function toLine(entry: VoteEntry): VoteEntry {
  return {
    v: 2,
    ...entry,
    conversation: entry.conversation ?? newConversationId(),
    turn: entry.turn ?? 1,
    system: entry.system ?? null,
    context: entry.context ?? [],
  };
}

/**
 * Appends one entry as a version 2 line (see toLine); returns the file. Each line goes out in a single O_APPEND write, so
 * concurrent mmr processes never interleave within a line. Votes reveal what the user asks,
 * hence 0600 (and 0700 for a directory we create).
 */
export async function appendVote(entry: VoteEntry, loc: VotesLocation = {}): Promise<string> {
  const file = votesFile(loc);
  await appendJsonLine(file, toLine(entry));
  return file;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A parsed line as a VoteEntry, or null when it is not one: the shared rule is a JSON object with
 * a string `prompt`, an array `models` and a `winner` that is a string or null. Other fields are
 * made safe to read (a missing `results` is empty, a non-string `time` is '').
 */
export function asVoteEntry(v: unknown): VoteEntry | null {
  if (!isObj(v) || typeof v.prompt !== 'string' || !Array.isArray(v.models)) return null;
  if (!(typeof v.winner === 'string' || v.winner === null)) return null;
  const models = v.models.filter((m): m is string => typeof m === 'string');
  const results = (Array.isArray(v.results) ? v.results : []).filter(isObj).filter((r) => typeof r.model === 'string') as unknown as VoteResult[];
  const entry = { ...v, time: typeof v.time === 'string' ? v.time : '', models, blind: v.blind === true, results } as VoteEntry;
  if (typeof v.conversation !== 'string') delete entry.conversation;
  if (typeof v.turn !== 'number' || !Number.isInteger(v.turn) || v.turn < 1) delete entry.turn;
  if (!Array.isArray(v.context)) delete entry.context;
  else entry.context = v.context.filter((m): m is ChatMessage => isObj(m) && typeof m.role === 'string' && typeof m.content === 'string');
  return entry;
}

/** What reading the log found: the entries, and how many lines were not votes. */
export interface VoteLog {
  entries: VoteEntry[];
  /** Lines skipped: not JSON (a torn write), or JSON that is not a vote (hand-edited, another tool's). */
  skipped: number;
  /** 1-based line number of the first skipped line. */
  firstSkipped?: number;
  file: string;
}

/** Every entry (v1 and v2), oldest first; lines that are not votes are counted, never fatal. */
export async function readVoteLog(opts: VotesLocation & { limit?: number } = {}): Promise<VoteLog> {
  const file = votesFile(opts);
  const entries: VoteEntry[] = [];
  let skipped = 0;
  let firstSkipped: number | undefined;
  await eachJsonLine(file, (value, line) => {
    const entry = asVoteEntry(value);
    if (entry) entries.push(entry);
    else {
      skipped++;
      firstSkipped ??= line;
    }
  });
  const limited = opts.limit != null && opts.limit >= 0 ? entries.slice(Math.max(0, entries.length - opts.limit)) : entries;
  return { entries: limited, skipped, firstSkipped, file };
}

/** One line for stderr about the lines a read skipped, or null when there were none. */
export function skippedNote(log: Pick<VoteLog, 'skipped' | 'firstSkipped' | 'file'>): string | null {
  if (!log.skipped) return null;
  const n = log.skipped === 1 ? '1 line' : `${log.skipped} lines`;
  return `skipped ${n} of ${log.file} that ${log.skipped === 1 ? 'is' : 'are'} not a vote (first at line ${log.firstSkipped})`;
}

/**
 * The most recent `limit` entries, oldest first. Lines that are not votes are skipped; `warn`
 * hears about them once, with the count.
 */
export async function readVotes(opts: VotesLocation & { limit?: number; warn?: (message: string) => void } = {}): Promise<VoteEntry[]> {
  const log = await readVoteLog(opts);
  const note = skippedNote(log);
  if (note) opts.warn?.(note);
  return log.entries;
}
