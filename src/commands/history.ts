import { escapeJsonControls, neutralize, neutralizeLine } from '../core/terminal-safe.js';
import { conversationsFile, listConversations, readConversation, type ConversationSummary, type TurnRecord } from '../history/conversations.js';
import { readVoteLog, skippedNote, votesFile, type VoteEntry, type VotesLocation } from '../history/votes.js';

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
  if (Number.isNaN(d.getTime())) return neutralizeLine((iso || '????-??-?? ??:??').slice(0, 16)).padEnd(16);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** One item of the listing: a conversation (from its transcript and/or its votes), or a version 1 vote. */
export interface HistoryItem {
  /** Conversation id; absent for a version 1 vote, which has none. */
  id?: string;
  /** Last activity, ISO 8601. */
  time: string;
  models: string[];
  /** The first turn's prompt. */
  prompt: string;
  turns: number;
  /** The latest vote, if any. */
  vote?: VoteEntry;
}

/** Conversations and votes merged into one listing, oldest first by last activity. */
export function historyItems(conversations: ConversationSummary[], votes: VoteEntry[]): HistoryItem[] {
  const items = new Map<string, HistoryItem>();
  const loose: HistoryItem[] = [];
  for (const c of conversations) items.set(c.id, { id: c.id, time: c.updated, models: c.models, prompt: c.prompt, turns: c.turns });
  for (const v of votes) {
    if (!v.conversation) {
      loose.push({ time: v.time, models: v.models, prompt: v.prompt, turns: 1, vote: v });
      continue;
    }
    const item = items.get(v.conversation);
    if (item) {
      item.vote = v;
      if (v.time > item.time) item.time = v.time;
      continue;
    }
    // Voted on, with no transcript (written by an older mmr, or a bench report).
    items.set(v.conversation, { id: v.conversation, time: v.time, models: v.models, prompt: v.turn === 1 || v.turn === undefined ? v.prompt : `… ${v.prompt}`, turns: v.turn ?? 1, vote: v });
  }
  return [...items.values(), ...loose].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/**
 * One line per item: time, id, the latest verdict, the others, turns, prompt excerpt. Every field
 * comes from a file anything may have written, so each is neutralised for the terminal.
 */
export function historyLines(items: (HistoryItem | VoteEntry)[], width = 120): string[] {
  return items.map((it) => {
    const item: HistoryItem = 'results' in it ? { time: it.time, models: it.models, prompt: it.prompt, turns: 1, vote: it, id: it.conversation } : it;
    const v = item.vote;
    const verdict = !v ? 'no vote' : v.winner ? `✔ ${v.winner}` : '✖ none good';
    const others = item.models.filter((m) => m !== v?.winner);
    const vs = others.length ? ` ${v ? 'over' : 'between'} ${others.join(', ')}` : '';
    const turns = item.turns > 1 ? ` · ${item.turns} turns` : '';
    const id = item.id ? `${neutralizeLine(String(item.id))}  ` : '';
    const head = `${when(item.time)}  ${id}${neutralizeLine(`${verdict}${vs}`)}${v?.blind ? ' (blind)' : ''}${turns}`;
    const room = Math.max(20, width - Array.from(head).length - 4);
    return `${head}  "${excerpt(String(item.prompt ?? ''), room)}"`;
  });
}

/** `mmr history`: recent conversations and votes, newest last, or the vote log as JSONL. */
export async function runHistory(flags: HistoryFlags = {}, deps: HistoryDeps = {}): Promise<void> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const limit = flags.limit ?? DEFAULT_LIMIT;
  const log = await readVoteLog(deps);
  const note = skippedNote(log);
  if (note) stderr.write(`mmr: ${note}\n`);
  if (flags.json) {
    for (const e of log.entries.slice(Math.max(0, log.entries.length - limit))) stdout.write(`${escapeJsonControls(JSON.stringify(e))}\n`);
    return;
  }
  const conversations = await listConversations(deps);
  if (conversations.skipped) stderr.write(`mmr: skipped ${conversations.skipped} line${conversations.skipped > 1 ? 's' : ''} of ${conversations.file} that ${conversations.skipped > 1 ? 'are' : 'is'} not a turn\n`);
  const items = historyItems(conversations.items, log.entries);
  if (items.length === 0) {
    stderr.write(`no history yet (kept in ${votesFile(deps)} and ${conversationsFile(deps)}; compare in \`mmr ask\` to add some)\n`);
    return;
  }
  const width = (stdout as NodeJS.WriteStream).columns ?? 120;
  for (const line of historyLines(items.slice(Math.max(0, items.length - limit)), width)) stdout.write(`${line}\n`);
  if (items.some((i) => i.id)) stderr.write('mmr history show ID prints a conversation · mmr ask --continue ID "…" goes on with it\n');
}

/** The turns of a conversation that has votes but no transcript, rebuilt from its vote lines. */
function turnsFromVotes(id: string, votes: VoteEntry[]): TurnRecord[] {
  const byTurn = new Map<number, TurnRecord>();
  for (const v of votes.filter((e) => e.conversation === id)) {
    byTurn.set(v.turn ?? 1, {
      v: 1,
      conversation: id,
      turn: v.turn ?? 1,
      time: v.time,
      system: v.system ?? null,
      prompt: v.prompt,
      models: v.models,
      blind: v.blind,
      results: v.results.map((r) => ({ model: r.model, answer: r.answer ?? '', error: r.error, finishReason: null, costUsd: r.costUsd, ttftMs: r.ttftMs, latencyMs: r.latencyMs, inputTokens: null, outputTokens: r.outputTokens })),
    });
  }
  return [...byTurn.values()].sort((a, b) => a.turn - b.turn);
}

/** `mmr history show ID`: a whole conversation, every turn with each model's answer and the vote. */
export async function runHistoryShow(id: string | undefined, flags: { json?: boolean } = {}, deps: HistoryDeps = {}): Promise<void> {
  const stdout = deps.stdout ?? process.stdout;
  const log = await readVoteLog(deps);
  let conversation: { id: string; turns: TurnRecord[] };
  try {
    conversation = await readConversation(id, deps);
  } catch (err) {
    // A conversation known only from its votes still shows.
    const fromVotes = id ? log.entries.find((e) => e.conversation && (e.conversation === id || (id.length >= 4 && e.conversation.startsWith(id)))) : undefined;
    if (!fromVotes?.conversation) throw err;
    conversation = { id: fromVotes.conversation, turns: turnsFromVotes(fromVotes.conversation, log.entries) };
  }
  const votes = new Map(log.entries.filter((e) => e.conversation === conversation.id).map((e) => [e.turn ?? 1, e]));
  if (flags.json) {
    const doc = { id: conversation.id, turns: conversation.turns.map((t) => ({ ...t, vote: votes.get(t.turn) ? { winner: votes.get(t.turn)!.winner, blind: votes.get(t.turn)!.blind, time: votes.get(t.turn)!.time } : null })) };
    stdout.write(`${escapeJsonControls(JSON.stringify(doc, null, 2))}\n`);
    return;
  }
  // Answers stay exact in a pipe; in a terminal nothing in them may act on it.
  const tty = (stdout as NodeJS.WriteStream).isTTY === true;
  const safe = (s: string) => (tty ? neutralize(s) : s);
  const first = conversation.turns[0];
  stdout.write(`conversation ${conversation.id} · ${first ? when(first.time) : ''} · ${safe(neutralizeLine((first?.models ?? []).join(' vs ')))}\n`);
  if (first?.system) stdout.write(`system: ${safe(first.system)}\n`);
  for (const t of conversation.turns) {
    const vote = votes.get(t.turn);
    const verdict = !vote ? 'no vote' : vote.winner ? `✔ ${vote.winner} won${vote.blind ? ' (blind)' : ''}` : '✖ none was good';
    stdout.write(`\n── turn ${t.turn} · ${neutralizeLine(verdict)} ──\n› ${safe(t.prompt)}\n`);
    for (const r of t.results) {
      const mark = vote?.winner === r.model ? ' ✔' : '';
      stdout.write(`\n=== ${neutralizeLine(r.model)}${mark} ===\n`);
      if (r.answer) stdout.write(`${safe(r.answer).replace(/\s+$/, '')}\n`);
      if (r.error) stdout.write(`✖ ${safe(neutralizeLine(r.error))}\n`);
    }
  }
}
