/**
 * What each pane shows, as plain lines, computed before rendering: the App needs line counts to
 * size the grid and to clamp scrolling, and tests can check states without a terminal.
 */
import type { AnswerResult } from '../core/results.js';
import { statsLine } from '../output/text.js';
import { bodyHeight, chooseLayout, innerWidth, type Layout } from './layout.js';
import { wrapAnswer, wrapProse, type DisplayLine } from './wrap.js';

export type PaneState = 'waiting' | 'streaming' | 'done' | 'cut' | 'failed';

export interface PaneLine {
  text: string;
  kind: DisplayLine['kind'] | 'error' | 'hint' | 'note' | 'warn';
  cont?: boolean;
}

export function paneState(r: AnswerResult | undefined): PaneState {
  if (!r) return 'waiting';
  if (r.done) return r.error ? 'failed' : r.finishReason?.unified === 'length' ? 'cut' : 'done';
  return r.text || r.reasoning ? 'streaming' : 'waiting';
}

const wrapAs = (text: string, width: number, kind: PaneLine['kind']): PaneLine[] =>
  text.split('\n').flatMap((l) => wrapProse(l, width)).map((t) => ({ text: t, kind }));

// Keyed by the result object: use-fanout replaces a slot's object only when it changed, so
// panes that did not change cost nothing to lay out again.
const bodyCache = new WeakMap<AnswerResult, { width: number; lines: PaneLine[] }>();

/** The body: the answer, or the error (and hint) in place of it, plus a note for thinking models. */
export function paneBody(r: AnswerResult | undefined, width: number): PaneLine[] {
  if (!r) return [];
  const hit = bodyCache.get(r);
  if (hit && hit.width === width) return hit.lines;
  const lines: PaneLine[] = [];
  if (r.error) {
    const e = r.error;
    const msg = e.kind === 'aborted' ? 'cancelled' : `${e.message}${e.status ? ` (HTTP ${e.status})` : ''}`;
    lines.push(...wrapAs(`✖ ${msg}`, width, 'error'));
    if (e.hint) lines.push(...wrapAs(e.hint, width, 'hint'));
    if (r.text) lines.push({ text: '', kind: 'prose' }, ...wrapAs('partial answer before the failure:', width, 'note'));
  }
  if (!r.text && r.reasoning && !r.done) lines.push(...wrapAs(`thinking… (${r.reasoning.length} characters of reasoning)`, width, 'note'));
  lines.push(...wrapAnswer(r.text, width));
  if (r.done && !r.error && !r.text) lines.push(...wrapAs('(empty answer)', width, 'note'));
  bodyCache.set(r, { width, lines });
  return lines;
}

/** Packs `a · b · c` parts into lines no wider than `width`. */
export function packParts(parts: string[], width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const p of parts) {
    const next = cur ? `${cur} · ${p}` : p;
    if (cur && Array.from(next).length > width) {
      out.push(cur);
      cur = p;
    } else cur = next;
  }
  if (cur) out.push(cur);
  return out;
}

/** The footer: timing, tokens and cost once done; a cut-short warning; what to do after a failure. */
export function paneFooter(r: AnswerResult | undefined, width: number): PaneLine[] {
  const state = paneState(r);
  if (!r || state === 'waiting') return [{ text: r && r.attempts > 1 ? `retrying (attempt ${r.attempts})…` : 'waiting for the first token…', kind: 'note' }];
  if (state === 'streaming') {
    const k = r.text.length >= 1000 ? `${(r.text.length / 1000).toFixed(1)}k` : String(r.text.length);
    return [{ text: `streaming · ${k} chars${r.attempts > 1 ? ` · attempt ${r.attempts}` : ''}`, kind: 'note' }];
  }
  if (state === 'failed') return [{ text: 'r retry', kind: 'hint' }];
  const lines: PaneLine[] = packParts(statsLine(r).split(' · '), width).map((t) => ({ text: t, kind: 'note' }));
  if (state === 'cut') lines.push({ text: '⚠ cut short (max tokens)', kind: 'warn' });
  return lines;
}

export interface GridGeometry {
  layout: Layout;
  /** Per display position: pane width, body lines and footer lines. */
  widths: number[];
  bodies: PaneLine[][];
  footers: PaneLine[][];
  /** Body rows each pane shows (equal across panes so borders line up). */
  bodyRows: number;
  /** Footer rows each pane shows. */
  footerRows: number;
}

export interface GridView {
  columns: number;
  rows: number;
  /** Focused display position: the one shown in tabbed mode. */
  focus: number;
  /** Show only the focused pane, full screen (`e`). */
  expanded?: boolean;
}

/** Lays the panes out for the terminal and measures what each shows. */
export function measureGrid(results: AnswerResult[], order: number[], v: GridView): GridGeometry {
  const layout = v.expanded ? chooseLayout({ columns: v.columns, rows: v.rows, panes: 1 }) : chooseLayout({ columns: v.columns, rows: v.rows, panes: order.length });
  const all = layout.mode !== 'tabbed' && !v.expanded;
  const shown = all ? order.map((_, i) => i) : [v.focus];
  const widths = order.map((_, i) => (layout.mode === 'side' && all ? layout.widths[i] : layout.widths[0]));
  const bodies = order.map((slot, i) => (shown.includes(i) ? paneBody(results[slot], innerWidth(widths[i])) : []));
  const footers = order.map((slot, i) => (shown.includes(i) ? paneFooter(results[slot], innerWidth(widths[i])) : []));
  const footerRows = Math.max(1, ...shown.map((i) => footers[i].length));
  const contentRows = Math.max(0, ...shown.map((i) => bodies[i].length));
  // Expanded fills the screen; otherwise the grid grows with the longest answer.
  const bodyRows = bodyHeight(layout, v.expanded ? Number.MAX_SAFE_INTEGER : contentRows, footerRows);
  return { layout, widths, bodies, footers, bodyRows, footerRows };
}
