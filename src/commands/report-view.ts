/**
 * The terminal report view's wiring: rows → the view's plain data, and votes → the vote log
 * (version-2 lines with `source: "report"`, so they feed routing as `mmr ask` votes do).
 */
import { reportDoc, type Sample } from '../report/data.js';
import type { BenchReport } from '../bench/report.js';
import type { BenchRow } from '../bench/types.js';
import type { ViewAnswer, ViewCase } from '../ui/report/model.js';
import type { VoteEntry, VoteResult } from '../history/votes.js';
import type { ChatMessage } from '../core/types.js';

/** A vote log line of version 2, as HELPERS.md specifies it. */
export interface ReportVote extends VoteEntry {
  v: 2;
  conversation: string;
  turn: number;
  system: string | null;
  context: ChatMessage[];
  source: 'report';
  results: (VoteResult & { answer: string })[];
}

function verdictOf(samples: Sample[] | undefined): string {
  if (!samples?.length) return 'none';
  if (samples.every((s) => s[3] !== null)) return 'error';
  const graded = samples.filter((s) => s[0] !== null);
  if (!graded.length) return 'ungraded';
  return graded.filter((s) => s[0]).length * 2 > graded.length ? 'pass' : 'fail';
}

export function viewCases(rows: BenchRow[], report: BenchReport, title: string): ViewCase[] {
  const doc = reportDoc(rows, report, title);
  return doc.cases.map((c) => ({
    id: c.id,
    turn: c.turn,
    where: c.where,
    tags: c.tags,
    prompt: c.prompt,
    answers: doc.models.map((model, i): ViewAnswer => {
      const list = c.now[i];
      const first = list?.[0];
      return {
        model,
        verdict: verdictOf(list),
        answer: first?.[1] ?? '',
        checks: (first?.[2] ?? []).map(([type, pass, detail]) => ({ pass, text: detail ? `${type}: ${detail}` : type })),
        error: first?.[3] ?? null,
        latencyMs: first?.[4] ?? null,
        costUsd: first?.[5] ?? null,
        samples: list?.length ?? 0,
        passed: list?.filter((s) => s[0] === true).length ?? 0,
      };
    }),
  }));
}

/** The vote log entry for a pick on one case-turn of a rows file (sample 1 of each model). */
export function reportVote(rows: BenchRow[], c: ViewCase, winner: string | null, source: string, now = new Date()): ReportVote {
  const mine = rows.filter((r) => r.caseId === c.id && r.turn === c.turn && r.sample === 1);
  const first = mine[0];
  const models = c.answers.map((a) => a.model);
  return {
    v: 2,
    time: now.toISOString(),
    prompt: c.prompt,
    models,
    winner,
    blind: false,
    conversation: `report:${source}:${c.id}`,
    turn: c.turn,
    system: first?.system ?? null,
    // The turns before this prompt, as the first model saw them (each model saw its own answers).
    context: first ? first.messages.slice(0, -1).map((m) => ({ role: m.role, content: m.content })) : [],
    source: 'report',
    results: models.map((model) => {
      const r = mine.find((x) => x.model === model);
      return {
        model,
        costUsd: r?.costUsd ?? null,
        latencyMs: r?.latencyMs ?? null,
        ttftMs: r?.ttftMs ?? null,
        outputTokens: r?.outputTokens ?? null,
        error: r?.error?.message ?? null,
        answer: r?.answer ?? '',
      };
    }),
  };
}

export async function openReportView(rows: BenchRow[], report: BenchReport, title: string): Promise<number> {
  const [{ runReportView }, { appendVote }] = await Promise.all([import('../ui/report/run-report.js'), import('../history/votes.js')]);
  return runReportView({
    title,
    cases: viewCases(rows, report, title),
    onVote: async (c, winner) => {
      await appendVote(reportVote(rows, c, winner, title));
    },
  });
}
