/**
 * What the terminal report view shows, as plain data the command builds from rows: the UI gets
 * this and callbacks, nothing else. Pure helpers for filtering and line layout live here so they
 * are tested without rendering.
 */
import { neutralize, neutralizeLine } from '../../core/terminal-safe.js';

export interface ViewAnswer {
  model: string;
  /** 'pass' | 'fail' | 'error' | 'ungraded' | 'none' (not run). */
  verdict: string;
  answer: string;
  /** Each check as `✔ type` or `✖ type: why`. */
  checks: { pass: boolean; text: string }[];
  error: string | null;
  latencyMs: number | null;
  costUsd: number | null;
  /** Samples behind it (`--repeat`), and how many passed. */
  samples: number;
  passed: number;
}

export interface ViewCase {
  id: string;
  turn: number;
  where: string;
  tags: string[];
  prompt: string;
  answers: ViewAnswer[];
}

export type ViewFilter = 'all' | 'failed' | 'disagreements';

export function keepCase(c: ViewCase, f: ViewFilter): boolean {
  if (f === 'all') return true;
  const failed = c.answers.some((a) => a.verdict === 'fail' || a.verdict === 'error');
  if (f === 'failed') return failed;
  return failed && c.answers.some((a) => a.verdict === 'pass');
}

/** Splits text into lines of at most `width` code points at spaces (the view's own wrapping, so it can scroll by line). */
export function wrapLines(text: string, width: number): string[] {
  const w = Math.max(10, width);
  const out: string[] = [];
  for (const line of neutralize(text).replace(/\t/g, '  ').split('\n')) {
    let cps = [...line];
    if (cps.length === 0) out.push('');
    while (cps.length > 0) {
      // Break after the last space that fits; a word longer than the line is cut.
      let cut = Math.min(w, cps.length);
      if (cut < cps.length) {
        const space = cps.lastIndexOf(' ', cut);
        if (space > w / 3) cut = space + 1;
      }
      out.push(cps.slice(0, cut).join('').trimEnd());
      cps = cps.slice(cut);
    }
  }
  return out;
}

export interface Line {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
}

const MARK: Record<string, [string, string]> = {
  pass: ['✔ pass', 'green'],
  fail: ['✖ fail', 'red'],
  error: ['⚠ error', 'yellow'],
  ungraded: ['• no checks', 'gray'],
  none: ['— not run', 'gray'],
};

/** The body of one case: its prompt, then each model numbered with verdict, answer and checks. */
export function caseLines(c: ViewCase, width: number, votedFor: string | null | undefined): Line[] {
  const lines: Line[] = [];
  lines.push(...wrapLines(c.prompt, width).map((text) => ({ text, dim: false })));
  c.answers.forEach((a, i) => {
    const [mark, color] = MARK[a.verdict] ?? MARK.none;
    const stats = [a.samples > 1 ? `${a.passed}/${a.samples} samples` : '', a.latencyMs != null ? `${Math.round(a.latencyMs)} ms` : '', a.costUsd != null ? `$${a.costUsd.toPrecision(2)}` : ''].filter(Boolean).join(' · ');
    const voted = votedFor === a.model ? '  ★ your pick' : '';
    lines.push({ text: '' }, { text: `${i + 1} ${neutralizeLine(a.model)}  ${mark}${stats ? `  ${stats}` : ''}${voted}`, color, bold: true });
    if (a.error) lines.push(...wrapLines(a.error, width).map((text) => ({ text, color: 'yellow' })));
    else lines.push(...wrapLines(a.answer || '(empty answer)', width).map((text) => ({ text })));
    for (const ch of a.checks) lines.push({ text: `  ${ch.pass ? '✔' : '✖'} ${neutralizeLine(ch.text)}`.slice(0, width), color: ch.pass ? 'green' : 'red' });
  });
  return lines;
}
