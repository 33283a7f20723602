/**
 * What each pane shows, as styled lines computed before rendering: the App needs line counts to
 * size the grid and clamp scrolling, the frame scheduler compares what is visible, and tests can
 * check content without a terminal. A pane is the column's whole conversation: every turn's
 * prompt (once there is more than one) and that column's answer, drawn as Markdown or raw.
 */
import type { AnswerResult } from '../core/results.js';
import { statsLine } from '../output/text.js';
import { blindError } from './blind.js';
import type { Highlighter } from './highlight.js';
import { bodyHeight, chooseLayout, innerWidth, type Layout } from './layout.js';
import { MarkdownView, renderMarkdown } from './markdown.js';
import type { Span, Style, StyledLine } from './styled.js';
import { displayWidth, sanitize, wrapPlain, wrapSpans } from './wrap.js';

export type PaneState = 'waiting' | 'streaming' | 'done' | 'cut' | 'failed';

export function paneState(r: AnswerResult | undefined): PaneState {
  if (!r) return 'waiting';
  if (r.done) return r.error ? 'failed' : r.finishReason?.unified === 'length' ? 'cut' : 'done';
  return r.text || r.reasoning ? 'streaming' : 'waiting';
}

/** One turn as the panes show it. */
export interface TurnView {
  prompt: string;
  /** One per slot. */
  results: AnswerResult[];
}

export interface ContentOptions {
  /** Markdown source instead of rendered Markdown. */
  raw: boolean;
  /** Show the models' reasoning text (`t`); otherwise it is one collapsed line. */
  reasoning?: boolean;
  /** Blind and not yet voted: nothing that names a provider, and no cost, tokens or timing. */
  hidden: boolean;
  highlighter: Highlighter | null;
  /** Asked for when a fence names a language and no highlighter is loaded. */
  wantsHighlighter?: () => void;
  /** Defer laying out text that streams in below the fold; off: every frame lays out in full. */
  lazy?: boolean;
}

const ERROR: Style = { color: 'red' };
const HINT: Style = { color: 'yellow' };
const NOTE: Style = { dim: true };
const PROMPT_MARK: Span = { text: '› ', style: { color: 'cyan', bold: true } };
const BLANK: StyledLine = { spans: [], width: 0 };

const note = (text: string, width: number, style: Style = NOTE) => text.split('\n').flatMap((l) => wrapSpans([{ text: l, style }], width));

/** The answer's text as lines: rendered Markdown (incrementally, through `view`) or the raw source. */
function answerLines(r: AnswerResult, width: number, o: ContentOptions, view?: MarkdownView, need = Number.POSITIVE_INFINITY): StyledLine[] {
  const src = sanitize(r.text);
  if (!src) return [];
  if (o.raw) return src.replace(/\n+$/, '').split('\n').flatMap((l) => wrapPlain(l, width));
  const md = { width, highlighter: o.highlighter, wantsHighlighter: o.wantsHighlighter };
  const hint = o.lazy ? { need, finished: r.done } : undefined;
  return view ? view.render(src, md, hint) : renderMarkdown(src, md);
}

const chars = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));

/**
 * The reasoning a model returned apart from its answer: one collapsed line, or (`t`) the text,
 * dimmed and set off from the answer. In blind mode it stays out of sight until the vote, since
 * which models think out loud says something about which models they are.
 */
function reasoningLines(r: AnswerResult, width: number, open: boolean): StyledLine[] {
  const thinking = !r.text && !r.done ? 'thinking… ' : '';
  if (!open) return [...note(`▸ ${thinking}reasoning · ${chars(r.reasoning.length)} chars · t to show`, width), BLANK];
  const text = sanitize(r.reasoning).replace(/\n+$/, '');
  return [...note(`▾ ${thinking}reasoning · t to hide`, width), ...text.split('\n').flatMap((l) => wrapSpans([{ text: l, style: NOTE }], width)), BLANK];
}

/**
 * One turn of one column: its error (and hint) in place of the answer, the answer, notes. `need`
 * is how many of its lines the pane shows (work below that can wait).
 */
export function turnLines(r: AnswerResult | undefined, width: number, o: ContentOptions, view?: MarkdownView, need = Number.POSITIVE_INFINITY): StyledLine[] {
  if (!r) return [];
  const lines: StyledLine[] = [];
  if (r.error) {
    const e = r.error;
    const msg = e.kind === 'aborted' ? 'cancelled' : o.hidden ? blindError(e) : `${e.message}${e.status && !e.message.includes(String(e.status)) ? ` (HTTP ${e.status})` : ''}`;
    lines.push(...note(`✖ ${sanitize(msg)}`, width, ERROR));
    if (e.hint && !o.hidden) lines.push(...note(sanitize(e.hint), width, HINT));
    if (r.text) lines.push(BLANK, ...note('partial answer before the failure:', width));
  }
  if (r.reasoning && !o.hidden) lines.push(...reasoningLines(r, width, o.reasoning === true));
  else if (!r.text && r.reasoning && !r.done) lines.push(...note('thinking…', width));
  lines.push(...answerLines(r, width, o, view, need - lines.length));
  if (r.done && !r.error && !r.text) lines.push(...note('(empty answer)', width));
  return lines;
}

/** The prompt of a turn, as the panes head it once a conversation has more than one turn. */
const promptLines = (prompt: string, width: number): StyledLine[] => wrapSpans([{ text: sanitize(prompt).replace(/\s+/g, ' ').trim(), style: { bold: true } }], width, { first: [PROMPT_MARK] });

/** Packs `a · b · c` parts into lines no wider than `width`. */
export function packParts(parts: string[], width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const p of parts) {
    const next = cur ? `${cur} · ${p}` : p;
    if (cur && displayWidth(next) > width) {
      out.push(cur);
      cur = p;
    } else cur = next;
  }
  if (cur) out.push(cur);
  return out;
}

/** The footer: timing, tokens and cost once done (after the vote in blind mode); what to do after a failure. */
export function paneFooter(r: AnswerResult | undefined, width: number, hidden = false): StyledLine[] {
  const state = paneState(r);
  if (!r || state === 'waiting') return note(r && r.attempts > 1 ? `retrying (attempt ${r.attempts})…` : 'waiting for the first token…', width);
  if (state === 'streaming') {
    // Counters like this one are redrawn at most every META_REFRESH_MS (draw-gate.ts), not per token.
    const n = r.text.length;
    const k = n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
    return note(`streaming · ${k} chars${r.attempts > 1 && !hidden ? ` · attempt ${r.attempts}` : ''}`, width);
  }
  if (state === 'failed') return note('r retry', width, HINT);
  const lines = hidden ? note('cost and timing after your vote', width) : packParts(statsLine(r).split(' · '), width).flatMap((t) => note(t, width));
  if (state === 'cut') lines.push(...note('⚠ cut short (max tokens)', width, HINT));
  return lines;
}

interface SlotCache {
  key: string;
  /** Finished turns' lines, by turn index. */
  turns: StyledLine[][];
  /** The current turn's incremental Markdown. */
  view: MarkdownView;
}

/**
 * Lays the panes' conversations out, remembering finished turns and the current answer's settled
 * blocks per slot, so a frame costs the new tail of each answer and not the whole conversation.
 */
export class ConversationLayout {
  private slots = new Map<number, SlotCache>();

  /**
   * A column's body and where each turn starts in it; `need`: body lines the pane shows from the
   * top. `stale`: text still streaming below the fold is not in `lines` yet.
   */
  body(slot: number, turns: readonly TurnView[], width: number, o: ContentOptions, need = Number.POSITIVE_INFINITY): { lines: StyledLine[]; starts: number[]; stale: boolean } {
    const key = `${width}:${o.raw}:${o.hidden}:${o.reasoning ? 1 : 0}:${o.highlighter ? 1 : 0}`;
    let c = this.slots.get(slot);
    if (!c || c.key !== key) {
      c = { key, turns: [], view: new MarkdownView() };
      this.slots.set(slot, c);
    }
    const conversation = turns.length > 1;
    const lines: StyledLine[] = [];
    const starts: number[] = [];
    turns.forEach((t, i) => {
      starts.push(lines.length);
      if (conversation) lines.push(...promptLines(t.prompt, width), BLANK);
      const last = i === turns.length - 1;
      if (last) lines.push(...turnLines(t.results[slot], width, o, c.view, need - lines.length));
      else {
        c.turns[i] ??= turnLines(t.results[slot], width, o);
        lines.push(...c.turns[i], BLANK);
      }
    });
    return { lines, starts, stale: c.view.stale };
  }

  /** A new turn began: the current view starts afresh (the finished turn is drawn whole once, then kept). */
  newTurn(): void {
    for (const c of this.slots.values()) c.view = new MarkdownView();
  }

  /** Forget a slot's current answer (a retry streams it again). */
  resetCurrent(slot: number): void {
    const c = this.slots.get(slot);
    if (c) c.view = new MarkdownView();
  }

  clear(): void {
    this.slots.clear();
  }
}

export interface GridGeometry {
  layout: Layout;
  /** Per display position: pane width, body lines and footer lines. */
  widths: number[];
  bodies: StyledLine[][];
  /** Per display position: the body line each turn starts at. */
  starts: number[][];
  /** Per display position: more text has streamed in below the fold than `bodies` holds. */
  stale: boolean[];
  footers: StyledLine[][];
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
  /** First body line shown, by slot (Infinity: following the end). */
  scroll?: readonly number[];
}

/** Lays the panes out for the terminal and measures what each shows. */
export function measureGrid(layoutCache: ConversationLayout, turns: readonly TurnView[], order: number[], v: GridView, o: ContentOptions): GridGeometry {
  const layout = chooseLayout({ columns: v.columns, rows: v.rows, panes: v.expanded ? 1 : order.length });
  const all = layout.mode !== 'tabbed' && !v.expanded;
  const shown = all ? order.map((_, i) => i) : [v.focus];
  const widths = order.map((_, i) => (layout.mode === 'side' && all ? layout.widths[i] : layout.widths[0]));
  const current = turns[turns.length - 1];
  const bodies: StyledLine[][] = [];
  const starts: number[][] = [];
  const stale: boolean[] = [];
  const footers: StyledLine[][] = [];
  order.forEach((slot, i) => {
    if (!shown.includes(i)) {
      bodies.push([]);
      starts.push([]);
      stale.push(false);
      footers.push([]);
      return;
    }
    const top = v.scroll?.[slot] ?? 0;
    const b = layoutCache.body(slot, turns, innerWidth(widths[i]), o, top + (v.expanded ? v.rows : layout.maxBody));
    bodies.push(b.lines);
    starts.push(b.starts);
    stale.push(b.stale);
    footers.push(paneFooter(current?.results[slot], innerWidth(widths[i]), o.hidden));
  });
  const footerRows = Math.max(1, ...shown.map((i) => footers[i].length));
  const contentRows = Math.max(0, ...shown.map((i) => bodies[i].length));
  // Expanded fills the screen; otherwise the grid grows with the longest answer.
  const bodyRows = bodyHeight(layout, v.expanded ? Number.MAX_SAFE_INTEGER : contentRows, footerRows);
  return { layout, widths, bodies, starts, stale, footers, bodyRows, footerRows };
}
