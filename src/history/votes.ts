/**
 * The vote log: one JSON line per pick in the user's data directory. Append-only JSONL needs
 * nothing compiled (Node 20 has no node:sqlite), survives concurrent mmr processes, and is easy to
 * read back for leaderboards and learned routing.
 */
import { appendFile, chmod, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import envPaths from 'env-paths';
import type { AnswerResult } from '../core/results.js';

/** One model's showing in a voted comparison. */
export interface VoteResult {
  /** `provider:model`. */
  model: string;
  /** USD; null when the price is unknown or the model failed. */
  costUsd: number | null;
  /** ms from request start to the end; null if it had not ended when the vote was cast. */
  latencyMs: number | null;
  /** ms to the first token; null if none came. */
  ttftMs: number | null;
  /** Output tokens as the provider billed them; null when not reported. */
  outputTokens: number | null;
  /** The error message when the model failed, else null. */
  error: string | null;
}

export interface VoteEntry {
  /** When the vote was cast, ISO 8601. */
  time: string;
  prompt: string;
  /** `provider:model` of every model compared, in the order they were asked. */
  models: string[];
  /** The winner's `provider:model`, or null for "none was good". */
  winner: string | null;
  /** Whether names were hidden while the user voted. */
  blind: boolean;
  results: VoteResult[];
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

/** The log record for a comparison and its pick (`winner` is the winning slot, null for none). */
export function toVoteEntry(prompt: string, results: AnswerResult[], winner: number | null, blind: boolean, now: Date = new Date()): VoteEntry {
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
    })),
  };
}

/** True when the file exists, is not empty, and does not end in a newline (a writer died mid-line). */
async function endsTorn(file: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const buf = Buffer.alloc(1);
    await fh.read(buf, 0, 1, size - 1);
    return buf[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

/**
 * Appends one entry; returns the file. Each line goes out in a single O_APPEND write, so
 * concurrent mmr processes never interleave within a line. Votes reveal what the user asks,
 * hence 0600 (and 0700 for a directory we create).
 */
export async function appendVote(entry: VoteEntry, loc: VotesLocation = {}): Promise<string> {
  const file = votesFile(loc);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // After a torn line the next entry starts on a fresh line, so only the torn one is lost.
  const lead = (await endsTorn(file)) ? '\n' : '';
  await appendFile(file, `${lead}${JSON.stringify(entry)}\n`, { encoding: 'utf8', mode: 0o600, flag: 'a' });
  // `mode` applies only on creation; tighten a file an older version or the user left open.
  await chmod(file, 0o600).catch(() => undefined);
  return file;
}

const isEntry = (v: unknown): v is VoteEntry =>
  typeof v === 'object' && v !== null && typeof (v as VoteEntry).time === 'string' && Array.isArray((v as VoteEntry).models);

/** The most recent `limit` entries, oldest first. Lines that do not parse (a torn last line) are skipped. */
export async function readVotes(opts: VotesLocation & { limit?: number } = {}): Promise<VoteEntry[]> {
  let text: string;
  try {
    text = await readFile(votesFile(opts), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const entries: VoteEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isEntry(v)) entries.push(v);
    } catch {
      // torn or hand-edited line: the rest of the log is still good
    }
  }
  return opts.limit != null && opts.limit >= 0 ? entries.slice(Math.max(0, entries.length - opts.limit)) : entries;
}
