import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEvent, emptyResult, type AnswerResult } from '../../src/core/results.js';
import { columnHistory, turnMessages, type ConversationTurn } from '../../src/core/conversation.js';
import { appendTurn, asConversationTurns, conversationsFile, listConversations, readConversation, toTurnRecord } from '../../src/history/conversations.js';
import { appendVote, toVoteEntry } from '../../src/history/votes.js';
import { runHistory, runHistoryShow } from '../../src/commands/history.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mmr-conv-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sink = (columns = 160) => {
  const chunks: string[] = [];
  return { stream: { columns, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WritableStream, text: () => chunks.join('') };
};

function answered(model: string, text: string, failed = false): AnswerResult {
  const r = emptyResult(model);
  applyEvent(r, { type: 'text-delta', text, slot: 0, modelId: model });
  if (failed) applyEvent(r, { type: 'error', error: { kind: 'network', message: 'connection reset', status: null, retryable: true }, ttftMs: 5, latencyMs: 9, streamMs: 0, wallMs: 10, attempts: 1, slot: 0, modelId: model });
  else applyEvent(r, { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: { inputTokens: 3, outputTokens: 4 }, ttftMs: 5, latencyMs: 9, streamMs: 4, wallMs: 10, attempts: 1, costUsd: 0.0001, slot: 0, modelId: model });
  return r;
}

describe('each column keeps its own conversation', () => {
  const turns: ConversationTurn[] = [
    { prompt: 'What is a mutex?', answers: [{ model: 'a', text: 'A lock.', failed: false }, { model: 'b', text: 'Mutual exclusion.', failed: false }] },
    { prompt: 'And a semaphore?', answers: [{ model: 'a', text: 'A counter.', failed: false }, { model: 'b', text: '', failed: true }] },
  ];
  it('gives every model its own earlier answers', () => {
    expect(columnHistory(turns, 0)).toEqual([
      { role: 'user', content: 'What is a mutex?' },
      { role: 'assistant', content: 'A lock.' },
      { role: 'user', content: 'And a semaphore?' },
      { role: 'assistant', content: 'A counter.' },
    ]);
  });
  it('joins a prompt a model never answered to the next one, so no two user turns follow each other', () => {
    expect(turnMessages(turns, 1, 'Which is faster?')).toEqual([
      { role: 'user', content: 'What is a mutex?' },
      { role: 'assistant', content: 'Mutual exclusion.' },
      { role: 'user', content: 'And a semaphore?\n\nWhich is faster?' },
    ]);
  });
});

describe('conversations.jsonl', () => {
  it('keeps every turn, lists conversations by last activity and reads one back by id or prefix', async () => {
    const t1 = toTurnRecord({ conversation: 'aaaa1111', turn: 1, prompt: 'first q', blind: false, results: [answered('openai:a', 'A1'), answered('anthropic:b', 'B1')], now: new Date('2025-06-01T10:00:00Z') });
    const other = toTurnRecord({ conversation: 'bbbb2222', turn: 1, prompt: 'other q', blind: true, results: [answered('openai:a', 'x')], now: new Date('2025-06-01T11:00:00Z') });
    const t2 = toTurnRecord({ conversation: 'aaaa1111', turn: 2, prompt: 'follow-up', blind: false, results: [answered('openai:a', 'A2'), answered('anthropic:b', 'partial', true)], now: new Date('2025-06-01T12:00:00Z') });
    for (const t of [t1, other, t2]) await appendTurn(t, { dir });
    await appendFile(conversationsFile({ dir }), '{"conversation": 5}\nnot json\n');
    const list = await listConversations({ dir });
    expect(list.items.map((c) => [c.id, c.turns, c.prompt])).toEqual([
      ['bbbb2222', 1, 'other q'],
      ['aaaa1111', 2, 'first q'],
    ]);
    expect(list.skipped).toBe(2);
    const c = await readConversation('aaaa', { dir });
    expect(c.turns.map((t) => t.prompt)).toEqual(['first q', 'follow-up']);
    expect(c.turns[1].results[1]).toMatchObject({ model: 'anthropic:b', answer: 'partial', error: 'connection reset', finishReason: null });
    expect((await readConversation(undefined, { dir })).id).toBe('aaaa1111');
    // The stored turns give each column its own side again, for --continue.
    expect(turnMessages(asConversationTurns(c.turns), 1, 'next')).toEqual([
      { role: 'user', content: 'first q' },
      { role: 'assistant', content: 'B1' },
      { role: 'user', content: 'follow-up' },
      { role: 'assistant', content: 'partial' },
      { role: 'user', content: 'next' },
    ]);
  });

  it('a turn stored again after a retry is one turn: listed once, read back as its last version', async () => {
    const first = toTurnRecord({ conversation: 'cccc3333', turn: 1, prompt: 'q', blind: false, results: [answered('openai:a', 'A1'), answered('anthropic:b', '', true)], now: new Date('2025-06-02T10:00:00Z') });
    const retried = toTurnRecord({ conversation: 'cccc3333', turn: 1, prompt: 'q', blind: false, results: [answered('openai:a', 'A1'), answered('anthropic:b', 'B1')], now: new Date('2025-06-02T10:01:00Z') });
    const next = toTurnRecord({ conversation: 'cccc3333', turn: 2, prompt: 'more', blind: false, results: [answered('openai:a', 'A2'), answered('anthropic:b', 'B2')], now: new Date('2025-06-02T10:02:00Z') });
    for (const t of [first, retried, next]) await appendTurn(t, { dir });
    const listed = (await listConversations({ dir })).items.find((c) => c.id === 'cccc3333')!;
    expect(listed).toMatchObject({ turns: 2, prompt: 'q', updated: next.time });
    const c = await readConversation('cccc', { dir });
    expect(c.turns.map((t) => t.turn)).toEqual([1, 2]);
    expect(c.turns[0].results[1]).toMatchObject({ answer: 'B1', error: null });
  });

  it('names what exists when an id matches nothing or several', async () => {
    await expect(readConversation('abcd', { dir })).rejects.toThrow(/no stored conversations/);
    for (const id of ['abcd0001', 'abcd0002']) await appendTurn(toTurnRecord({ conversation: id, turn: 1, prompt: 'q', blind: false, results: [] }), { dir });
    await expect(readConversation('abcd', { dir })).rejects.toThrow(/abcd could be abcd0001, abcd0002/);
    await expect(readConversation('ffff', { dir })).rejects.toThrow(/no conversation ffff/);
  });
});

describe('mmr history with conversations', () => {
  it('lists a conversation once with its turns and latest vote, and shows it whole with each model\'s answer', async () => {
    const results1 = [answered('openai:a', '**A1** answer'), answered('anthropic:b', 'B1')];
    await appendTurn(toTurnRecord({ conversation: 'cafe0001', turn: 1, prompt: 'Explain CRDTs', blind: false, results: results1, now: new Date('2025-06-01T10:00:00Z') }), { dir });
    await appendVote(toVoteEntry('Explain CRDTs', results1, 1, false, new Date('2025-06-01T10:01:00Z'), { conversation: 'cafe0001', turn: 1, source: 'ask' }), { dir });
    const results2 = [answered('openai:a', 'A2 \u001b]52;c;ZXZpbA==\u0007evil'), answered('anthropic:b', 'B2')];
    await appendTurn(toTurnRecord({ conversation: 'cafe0001', turn: 2, prompt: 'Shorter?', blind: false, results: results2, now: new Date('2025-06-01T10:05:00Z') }), { dir });

    const out = sink();
    const err = sink();
    await runHistory({}, { dir, stdout: out.stream, stderr: err.stream });
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cafe0001 {2}✔ anthropic:b over openai:a · 2 turns {2}"Explain CRDTs"/);
    expect(err.text()).toMatch(/history show ID/);

    const shown = sink();
    await runHistoryShow('cafe', {}, { dir, stdout: shown.stream });
    const text = shown.text();
    expect(text).toMatch(/^conversation cafe0001 · .* · openai:a vs anthropic:b/);
    expect(text).toMatch(/── turn 1 · ✔ anthropic:b won ──\n› Explain CRDTs\n\n=== openai:a ===\n\*\*A1\*\* answer\n\n=== anthropic:b ✔ ===\nB1/);
    expect(text).toMatch(/── turn 2 · no vote ──\n› Shorter\?/);
    // Raw in a pipe (exact bytes); neutralised when stdout is a terminal.
    expect(text).toContain('\u001b]52;');
    const tty = sink();
    Object.assign(tty.stream, { isTTY: true });
    await runHistoryShow('cafe0001', {}, { dir, stdout: tty.stream });
    expect(tty.text()).not.toContain('\u001b');

    const json = sink();
    await runHistoryShow(undefined, { json: true }, { dir, stdout: json.stream });
    const doc = JSON.parse(json.text());
    expect(doc.id).toBe('cafe0001');
    expect(doc.turns.map((t: { vote: { winner: string } | null }) => t.vote?.winner ?? null)).toEqual(['anthropic:b', null]);
  });
});
