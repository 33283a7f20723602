import { escapeJsonControls, neutralizeLine } from '../core/terminal-safe.js';
import { readVotes, votesFile, type VoteEntry, type VotesLocation } from '../history/votes.js';

export interface HistoryFlags {
  /** Most recent entries to show. */
  limit?: number;
  /** One JSON object per line, as stored. */
  json?: boolean;
}

export interface HistoryDeps extends VotesLocation {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

const DEFAULT_LIMIT = 20;

/** Cuts to `max` characters on one line, marking the cut; control characters never reach the terminal. */
export function excerpt(text: string, max: number): string {
  const flat = neutralizeLine(text).replace(/\s+/g, ' ').trim();
  const cs = Array.from(flat);
  return cs.length <= max ? flat : `${cs.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** `2025-06-01 14:03` in local time: people read their history in their own clock. */
function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return neutralizeLine(iso.slice(0, 16));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * One line per vote: time, winner, the others, prompt excerpt. Every field comes from a file
 * anything may have written, so each is neutralised for the terminal.
 */
export function historyLines(entries: VoteEntry[], width = 120): string[] {
  return entries.map((e) => {
    const winner = e.winner ? `✔ ${neutralizeLine(String(e.winner))}` : '✖ none good';
    const others = e.models.filter((m) => m !== e.winner).map((m) => neutralizeLine(String(m)));
    const vs = others.length ? ` over ${others.join(', ')}` : '';
    const head = `${when(e.time)}  ${winner}${vs}${e.blind ? ' (blind)' : ''}`;
    const room = Math.max(20, width - Array.from(head).length - 4);
    return `${head}  "${excerpt(String(e.prompt ?? ''), room)}"`;
  });
}

/** `mmr history`: recent votes, newest last, or JSONL for scripts. */
export async function runHistory(flags: HistoryFlags = {}, deps: HistoryDeps = {}): Promise<void> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const limit = flags.limit ?? DEFAULT_LIMIT;
  const entries = await readVotes({ ...deps, limit });
  if (flags.json) {
    for (const e of entries) stdout.write(`${escapeJsonControls(JSON.stringify(e))}\n`);
    return;
  }
  if (entries.length === 0) {
    stderr.write(`no votes yet (they are kept in ${votesFile(deps)}; pick a winner in \`mmr ask\` to add one)\n`);
    return;
  }
  const width = (stdout as NodeJS.WriteStream).columns ?? 120;
  for (const line of historyLines(entries, width)) stdout.write(`${line}\n`);
}
