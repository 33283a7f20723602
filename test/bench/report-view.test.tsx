/**
 * The terminal report view (src/ui/report) with ink-testing-library: paging, filters, voting,
 * and outside text neutralised; and the vote log entry the command builds from rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { ReportApp } from '../../src/ui/report/ReportApp.js';
import { keepCase, wrapLines, type ViewCase } from '../../src/ui/report/model.js';
import { reportVote, viewCases } from '../../src/commands/report-view.js';
import { reportOf } from '../../src/commands/report.js';
import type { BenchRow } from '../../src/bench/types.js';

const row = (caseId: string, model: string, pass: boolean, answer: string, extra: Partial<BenchRow> = {}): BenchRow => ({
  caseId, where: `cases.yaml:${caseId.length}`, tags: ['geo'], prompt: `Capital of ${caseId}?`, messages: [{ role: 'user', content: `Capital of ${caseId}?` }], system: null, model, answer, pass,
  checks: [{ type: 'contains', pass, detail: pass ? undefined : 'missing "Paris"' }], error: null, latencyMs: 120, ttftMs: 40, inputTokens: 5, outputTokens: 2, costUsd: 0.00001, judgeCostUsd: 0, cached: false, attempts: 1, turn: 1, sample: 1, ...extra,
});
const rows: BenchRow[] = [
  row('france', 'a:good', true, 'Paris'),
  row('france', 'b:bad', false, 'London \u001b]52;c;aGk=\u0007\u001b[2J'),
  row('japan', 'a:good', true, 'Tokyo'),
  row('japan', 'b:bad', true, 'Tokyo'),
];
const cases = viewCases(rows, reportOf(rows), 'rows.jsonl');

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));
let unmount: (() => void) | null = null;
afterEach(() => unmount?.());

function mount(onVote: (c: ViewCase, w: string | null) => Promise<void> = async () => {}) {
  const exits: number[] = [];
  const ui = render(<ReportApp title="rows.jsonl" cases={cases} onVote={onVote} onExit={() => exits.push(1)} interactive />);
  unmount = ui.unmount;
  return { ui, exits };
}

describe('mmr report in the terminal (Ink)', () => {
  it('shows one case with every model\'s answer, verdict and why a check failed; escapes are inert', async () => {
    const { ui } = mount();
    await tick();
    const f = ui.lastFrame()!;
    expect(f).toContain('mmr report · rows.jsonl · case 1/2');
    expect(f).toContain('Capital of france?');
    expect(f).toMatch(/1 a:good\s+✔ pass\s+120 ms/);
    expect(f).toMatch(/2 b:bad\s+✖ fail/);
    expect(f).toContain('✖ contains: missing "Paris"');
    expect(f).toContain('London');
    expect(f).not.toMatch(/\u001b\]52|\u0007|\u001b\[2J/);
  });

  it('→ pages to the next case; d keeps only disagreements; q quits', async () => {
    const { ui, exits } = mount();
    await tick();
    ui.stdin.write('\u001b[C');
    await tick();
    expect(ui.lastFrame()).toContain('case 2/2');
    expect(ui.lastFrame()).toContain('Capital of japan?');
    ui.stdin.write('d');
    await tick();
    expect(ui.lastFrame()).toContain('case 1/1 (disagreements)');
    expect(ui.lastFrame()).toContain('Capital of france?');
    ui.stdin.write('q');
    await tick();
    expect(exits).toEqual([1]);
  });

  it('a number votes for that model, 0 for none; a failed write says so', async () => {
    const votes: [string, string | null][] = [];
    const { ui } = mount(async (c, w) => {
      if (votes.length === 1) throw new Error('disk full');
      votes.push([c.id, w]);
    });
    await tick();
    ui.stdin.write('1');
    await tick();
    expect(votes).toEqual([['france', 'a:good']]);
    expect(ui.lastFrame()).toContain('voted: a:good');
    expect(ui.lastFrame()).toContain('★ your pick');
    ui.stdin.write('0');
    await tick();
    expect(ui.lastFrame()).toContain('vote not saved: disk full');
  });

  it('filters and wrapping are pure', () => {
    expect(cases.map((c) => keepCase(c, 'failed'))).toEqual([true, false]);
    expect(wrapLines('abcdefghijklmnop', 10)).toEqual(['abcdefghij', 'klmnop']);
    expect(wrapLines('Paris is the capital of France.', 12)).toEqual(['Paris is the', 'capital of', 'France.']);
    expect(wrapLines('a\u001b[31mb', 10)).toEqual(['ab']);
  });

  it('votes go to the log as version-2 entries with source "report" and every answer', () => {
    const v = reportVote(rows, cases[0], 'a:good', 'rows.jsonl', new Date('2026-01-02T03:04:05Z'));
    expect(v).toMatchObject({
      v: 2, time: '2026-01-02T03:04:05.000Z', prompt: 'Capital of france?', models: ['a:good', 'b:bad'], winner: 'a:good', blind: false,
      source: 'report', conversation: 'report:rows.jsonl:france', turn: 1, system: null, context: [],
    });
    expect(v.results.map((r) => [r.model, r.answer, r.latencyMs])).toEqual([['a:good', 'Paris', 120], ['b:bad', rows[1].answer, 120]]);
  });
});
