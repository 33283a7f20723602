/**
 * An answer's Markdown drawn for a pane: headings, emphasis, lists, block quotes, links, tables,
 * rules and fenced code (highlighted once highlight.js has loaded), laid out within the column's
 * width by display width. marked's lexer does the parsing; this decides only how blocks look.
 *
 * Streaming: an answer grows by a few characters at a time, so MarkdownView keeps the blocks that
 * can no longer change (everything before the last blank line that separates two blocks) drawn,
 * and lexes and draws only the tail: the cost of a frame stays flat as the answer grows.
 *
 * A single newline is a line break (GFM `breaks`), as in the providers' own chat UIs: models
 * write poems, addresses and step lists that way and mean the lines.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import type { Highlighter } from './highlight.js';
import { inlineSpans, splitBreaks } from './md-inline.js';
import { renderTable } from './md-table.js';
import type { Span, Style, StyledLine } from './styled.js';
import { cutCodeLine, prefixLine, spansWidth, wrapSpans } from './wrap.js';

export interface MarkdownOptions {
  width: number;
  /** Colours fenced code when given; plain code when null (not loaded yet, or not wanted). */
  highlighter?: Highlighter | null;
  /** Told when a fence names a language and no highlighter was given (so the caller can load one). */
  wantsHighlighter?: () => void;
}

const DIM: Style = { dim: true };
const GUTTER: Span = { text: '│ ', style: DIM };
const CONT: Span = { text: '↪ ', style: DIM };
const QUOTE: Span = { text: '│ ', style: { color: 'gray' } };
const HEADING: Record<number, Style> = { 1: { bold: true, color: 'magenta' }, 2: { bold: true, color: 'cyan' }, 3: { bold: true } };
const BULLETS = ['•', '◦', '▪'];
const BLANK: StyledLine = { spans: [], width: 0 };

function code(t: Tokens.Code, o: MarkdownOptions): StyledLine[] {
  const text = t.text.replace(/\n$/, '');
  const lang = (t.lang ?? '').trim().split(/\s+/)[0];
  let lines: Span[][] | null = null;
  if (lang) {
    if (o.highlighter) lines = o.highlighter.highlight(text, lang);
    else o.wantsHighlighter?.();
  }
  lines ??= text.split('\n').map((l) => (l ? [{ text: l }] : []));
  const room = Math.max(1, o.width - GUTTER.text.length);
  const out: StyledLine[] = [];
  for (const spans of lines) {
    cutCodeLine(spans, room).forEach((piece, i) => out.push(prefixLine([i === 0 ? GUTTER : CONT], { spans: piece, width: spansWidth(piece) })));
  }
  return out;
}

function paragraph(tokens: Token[] | undefined, width: number, style?: Style): StyledLine[] {
  return splitBreaks(inlineSpans(tokens, style)).flatMap((group) => wrapSpans(group, width));
}

function list(t: Tokens.List, width: number, depth: number, o: MarkdownOptions): StyledLine[] {
  const start = typeof t.start === 'number' ? t.start : 1;
  const markers = t.items.map((item, i) => (item.task ? (item.checked ? '☑' : '☐') : t.ordered ? `${start + i}.` : BULLETS[Math.min(depth, BULLETS.length - 1)]));
  const markW = Math.max(...markers.map((m) => [...m].length));
  const out: StyledLine[] = [];
  t.items.forEach((item, i) => {
    if (i > 0 && t.loose) out.push(BLANK);
    const marker = `${markers[i].padStart(t.ordered ? markW : 0)} `;
    const indent = marker.length;
    const body = blocks(item.tokens, Math.max(4, width - indent), o, depth + 1);
    const pad: Span = { text: ' '.repeat(indent) };
    body.forEach((l, k) => out.push(prefixLine([k === 0 ? { text: marker, style: t.ordered ? undefined : DIM } : pad], l)));
    if (body.length === 0) out.push({ spans: [{ text: marker }], width: indent });
  });
  return out;
}

/** One block token as lines. */
function block(t: Token, width: number, o: MarkdownOptions, depth: number): StyledLine[] {
  switch (t.type) {
    case 'paragraph':
      return paragraph((t as Tokens.Paragraph).tokens, width);
    case 'text': {
      const tt = t as Tokens.Text;
      return paragraph(tt.tokens ?? [{ type: 'text', raw: tt.raw, text: tt.text }], width);
    }
    case 'heading': {
      const h = t as Tokens.Heading;
      return paragraph(h.tokens, width, HEADING[h.depth] ?? { bold: true });
    }
    case 'code':
      return code(t as Tokens.Code, { ...o, width });
    case 'list':
      return list(t as Tokens.List, width, depth, o);
    case 'blockquote':
      return blocks((t as Tokens.Blockquote).tokens, Math.max(4, width - 2), o, depth).map((l) => prefixLine([QUOTE], l));
    case 'table':
      return renderTable(t as Tokens.Table, width);
    case 'hr':
      return [{ spans: [{ text: '─'.repeat(width), style: DIM }], width }];
    case 'html':
      return (t as Tokens.HTML).text.replace(/\n+$/, '').split('\n').flatMap((l) => wrapSpans([{ text: l, style: DIM }], width));
    case 'space':
    case 'def':
      return [];
    default:
      return 'text' in t && typeof t.text === 'string' ? wrapSpans([{ text: t.text }], width) : [];
  }
}

/** Blocks that get a blank line before them, and (but headings) after them, whatever the source did. */
const SET_APART = new Set(['heading', 'code', 'table', 'blockquote']);

/** Block tokens as lines; a blank line in the source between two blocks stays one blank line. */
export function blocks(tokens: readonly Token[], width: number, o: MarkdownOptions, depth = 0): StyledLine[] {
  const out: StyledLine[] = [];
  let gap = false;
  let prev = '';
  for (const t of tokens) {
    if (t.type === 'space') {
      gap = out.length > 0;
      continue;
    }
    const lines = block(t, width, o, depth);
    if (!lines.length) continue;
    const apart = SET_APART.has(t.type) || (SET_APART.has(prev) && prev !== 'heading');
    if (out.length > 0 && (gap || apart)) out.push(BLANK);
    out.push(...lines);
    gap = false;
    prev = t.type;
  }
  return out;
}

/** The whole text at once (a finished answer, a test). */
export function renderMarkdown(text: string, o: MarkdownOptions): StyledLine[] {
  return blocks(new Lexer({ gfm: true, breaks: true }).lex(text), o.width, o);
}

/** What the caller shows of the answer, so work on lines nobody sees can wait. */
export interface ViewportHint {
  /** Lines the pane shows from the top of this answer (scroll + rows); Infinity when following the end. */
  need: number;
  /** The answer is complete: always laid out in full. */
  finished: boolean;
}

/**
 * Incremental rendering of a growing text. `render` returns the lines for the text so far, lexing
 * only what came after the last settled block. While the answer streams and the lines already laid
 * out cover everything the pane shows, text arriving below the fold is not laid out at all until
 * the pane needs it (a scroll) or the answer is complete; `stale` says the line count is short.
 */
export class MarkdownView {
  /** Tail layouts (lexing) done by every view, for MMR_TUI_STATS. */
  static layouts = 0;
  private settledText = '';
  private settled: StyledLine[] = [];
  /** The settled part ended at a blank line: the next block is set apart. */
  private gapAfter = false;
  private key = '';
  private lastText = '';
  private lastLines: StyledLine[] = [];
  /** The last lines returned leave out text that arrived below the fold. */
  stale = false;

  render(text: string, o: MarkdownOptions, hint?: ViewportHint): StyledLine[] {
    const key = `${o.width}:${o.highlighter ? 1 : 0}`;
    if (key === this.key && text === this.lastText) {
      this.stale = false;
      return this.lastLines;
    }
    if (hint && !hint.finished && key === this.key && text.startsWith(this.lastText) && this.lastLines.length > hint.need) {
      // Text added at the end of what is laid out lands below what the pane shows.
      this.stale = true;
      return this.lastLines;
    }
    this.lastLines = this.layout(text, o, key);
    this.lastText = text;
    this.stale = false;
    return this.lastLines;
  }

  private layout(text: string, o: MarkdownOptions, key: string): StyledLine[] {
    MarkdownView.layouts++;
    if (key !== this.key || !text.startsWith(this.settledText)) {
      this.key = key;
      this.settledText = '';
      this.settled = [];
      this.gapAfter = false;
    }
    const tokens = new Lexer({ gfm: true, breaks: true }).lex(text.slice(this.settledText.length));
    // Blocks before the last blank line that has a block after it cannot change any more.
    let cut = -1;
    for (let i = tokens.length - 1, seenContent = false; i >= 0; i--) {
      if (tokens[i].type !== 'space') seenContent = true;
      else if (seenContent) {
        cut = i;
        break;
      }
    }
    if (cut >= 0) {
      const done = tokens.slice(0, cut + 1);
      const lines = blocks(done, o.width, o);
      if (lines.length) {
        if (this.gapAfter && this.settled.length) this.settled.push(BLANK);
        this.settled.push(...lines);
        this.gapAfter = true;
      }
      this.settledText += done.map((t) => t.raw).join('');
      tokens.splice(0, cut + 1);
    }
    const tail = blocks(tokens, o.width, o);
    if (!tail.length) return this.settled;
    return this.settled.length && this.gapAfter ? [...this.settled, BLANK, ...tail] : [...this.settled, ...tail];
  }
}
