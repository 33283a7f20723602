import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchQuality, lineOutcomes, readEvidence, MAX_LINE_BYTES } from '../../src/learn/evidence.js';

const bench = (over: Record<string, unknown> = {}) => ({
  caseId: 'q1', where: 'cases.yaml:1', tags: ['math'], prompt: 'What is 6*7?', messages: [{ role: 'user', content: 'What is 6*7?' }], system: null,
  model: 'openai:gpt-4o-mini', answer: '42', pass: true, checks: [{ type: 'number', pass: true }], error: null, latencyMs: 812, ttftMs: 300,
  inputTokens: 10, outputTokens: 3, costUsd: 0.00001, judgeCostUsd: 0, cached: false, attempts: 1, ...over,
});

describe('evidence lines', () => {
  it('bench rows: pass/fail is 1/0, a scored judge check is its score / 10, cost and latency kept', () => {
    expect(lineOutcomes(bench())).toEqual({ kind: 'bench', outcomes: [expect.objectContaining({ prompt: 'What is 6*7?', model: 'openai:gpt-4o-mini', quality: 1, costUsd: 0.00001, latencyMs: 812, source: 'bench' })] });
    expect(benchQuality(bench({ pass: false }))).toBe(0);
    expect(benchQuality(bench({ pass: false, checks: [{ type: 'judge', pass: false, score: 6 }, { type: 'judge', pass: true, score: 8 }] }))).toBe(0.7);
    // An old row without `prompt` still has its messages.
    const old = bench();
    delete (old as Record<string, unknown>).prompt;
    expect(lineOutcomes(old)).toMatchObject({ outcomes: [{ prompt: 'What is 6*7?' }] });
  });

  it('a failed call or an ungraded row is not evidence about quality', () => {
    expect(lineOutcomes(bench({ error: { kind: 'rate-limit', message: '429', status: 429 }, pass: false }))).toBe('failed');
    expect(lineOutcomes(bench({ pass: null, checks: [] }))).toBe('ungraded');
  });

  it('votes v1 and v2: the winner 1, the rest 0; "none good" 0 for all; a model that failed is left out', () => {
    const v1 = { time: 't', prompt: 'p', models: ['a:x', 'b:y', 'c:z'], winner: 'b:y', blind: true, results: [{ model: 'a:x', costUsd: 0.1, latencyMs: 5, error: null }, { model: 'c:z', error: 'timeout' }] };
    const r = lineOutcomes(v1) as { outcomes: Array<{ model: string; quality: number; costUsd: number | null }> };
    expect(r.outcomes.map((o) => [o.model, o.quality, o.costUsd])).toEqual([['a:x', 0, 0.1], ['b:y', 1, null]]);
    const none = lineOutcomes({ ...v1, winner: null, results: [] }) as { outcomes: Array<{ quality: number }> };
    expect(none.outcomes.map((o) => o.quality)).toEqual([0, 0, 0]);
    const v2a = lineOutcomes({ ...v1, v: 2, conversation: 'c1', turn: 2, system: null, context: [{ role: 'user', content: 'first' }] }) as { outcomes: Array<{ group: string }> };
    const v2b = lineOutcomes({ ...v1, v: 2, conversation: 'c2', turn: 2, system: null, context: [{ role: 'user', content: 'other' }] }) as { outcomes: Array<{ group: string }> };
    expect(v2a.outcomes[0].group).not.toBe(v2b.outcomes[0].group); // same words after different turns are different prompts
  });

  it('plain outcome rows from elsewhere', () => {
    expect(lineOutcomes({ prompt: 'p', model: 'gpt-4o', quality: 0.5, costUsd: 0.002 })).toMatchObject({ kind: 'plain', outcomes: [{ quality: 0.5, costUsd: 0.002, latencyMs: null }] });
    expect(lineOutcomes({ prompt: 'p', model: 'gpt-4o', quality: 7 })).toBeNull(); // 0–1 only
  });

  it.each([[{ prompt: 'p', model: 'a:\u001b[2Jb', quality: 1 }], [null], ['text'], [[1, 2]], [{ prompt: null, models: [], winner: null }], [{ prompt: 'p', models: 'a', winner: 'a' }], [{ caseId: 'x' }]])('%j is not evidence', (v) => {
    expect(lineOutcomes(v)).toBeNull();
  });
});

describe('readEvidence', () => {
  it('reads a mixed file, counts what it left out, and survives junk, torn and oversized lines', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mmr-ev-'));
    const file = path.join(dir, 'mixed.jsonl');
    const lines = [
      JSON.stringify(bench()),
      JSON.stringify(bench({ model: 'anthropic:claude-haiku-4-5', pass: false })),
      'not json',
      JSON.stringify({ time: 't', prompt: 'hi', models: ['a:x', 'b:y'], winner: 'a:x', blind: false, results: [] }),
      JSON.stringify(bench({ error: { kind: 'x', message: 'm', status: 500 } })),
      `{"prompt": "${'x'.repeat(MAX_LINE_BYTES + 10)}", "model": "m", "quality": 1}`,
      JSON.stringify({ prompt: 'q', model: 'm:n', quality: 1, costUsd: 0 }),
      '{"prompt": "torn',
    ];
    writeFileSync(file, lines.join('\n'));
    const ev = await readEvidence(file);
    expect(ev).toMatchObject({ bench: 2, votes: 1, plain: 1, failed: 1, skipped: 3, skippedLines: [3, 6, 8] });
    expect(ev.outcomes).toHaveLength(5);
    expect(ev.voteRecords).toEqual([expect.objectContaining({ prompt: 'hi', winner: 'a:x', blind: false })]);
  });

  it('a missing file rejects with the fs error for the caller to name', async () => {
    await expect(readEvidence('/nonexistent/rows.jsonl')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('fields the bench may add', () => {
  it('a row-level judgeScore counts when no check has a score; samples share a prompt, turns do not', () => {
    expect(benchQuality(bench({ pass: true, judgeScore: 6 }))).toBe(0.6);
    const a = lineOutcomes(bench({ sample: 1 })) as { outcomes: Array<{ group: string }> };
    const b = lineOutcomes(bench({ sample: 2 })) as { outcomes: Array<{ group: string }> };
    const t2 = lineOutcomes(bench({ turn: 2 })) as { outcomes: Array<{ group: string }> };
    expect(a.outcomes[0].group).toBe(b.outcomes[0].group);
    expect(t2.outcomes[0].group).not.toBe(a.outcomes[0].group);
  });
});
