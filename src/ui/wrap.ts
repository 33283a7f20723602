/**
 * Text laid out for a column of a given width in terminal columns, not code points: a Chinese
 * character or an emoji takes two columns, a combining accent none (string-width, the measure Ink
 * itself draws with). Pure, so panes can memoise it and tests can check it without Ink.
 *
 * Prose wraps at spaces, and between wide characters (CJK text has no spaces to break at); a word
 * wider than the line is cut between graphemes, never inside one. Code is never reflowed: each
 * source line stays one line, and one too wide is cut into width-sized pieces.
 */
import stringWidth from 'string-width';
import { neutralize } from '../core/terminal-safe.js';
import { mergeStyle, type Span, type Style, type StyledLine } from './styled.js';

const TAB = '    ';

/**
 * Model output is untrusted: escape sequences in it could move the cursor, retitle the window or
 * hide text, so it is neutralised before it reaches the terminal (tabs become spaces for layout).
 */
export function sanitize(text: string): string {
  return neutralize(text).replace(/\t/g, TAB);
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/**
 * Characters one column wide that need no grapheme segmentation: Latin-1 and Latin Extended
 * letters (precomposed), general punctuation (· – — …), arrows, box drawing and block elements,
 * Braille (the spinner). No combining marks, no emoji, nothing East Asian Wide or ambiguous.
 */
const NARROW = /^[\x20-\x7e\u00a1-\u00ac\u00ae-\u02ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u259f\u2800-\u28ff]*$/;

/** Display width of `s` in terminal columns. */
export const displayWidth = (s: string): number => (NARROW.test(s) ? s.length : stringWidth(s));

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** User-perceived characters: an emoji with modifiers, or a letter with its accents, stays one. */
export function graphemes(s: string): string[] {
  if (PRINTABLE_ASCII.test(s)) return s.split('');
  return Array.from(segmenter.segment(s), (g) => g.segment);
}

/** Cuts `s` into pieces of at most `width` columns (a grapheme wider than `width` gets a piece of its own). */
export function cutToWidth(s: string, width: number): string[] {
  const w = Math.max(1, width);
  if (displayWidth(s) <= w) return [s];
  const out: string[] = [];
  let cur = '';
  let curW = 0;
  for (const g of graphemes(s)) {
    const gw = displayWidth(g);
    if (curW + gw > w && cur) {
      out.push(cur);
      cur = '';
      curW = 0;
    }
    cur += g;
    curW += gw;
  }
  if (cur || out.length === 0) out.push(cur);
  return out;
}

/** `s` cut to at most `width` columns, with `…` marking the cut. */
export function truncateToWidth(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 1) return width === 1 ? '…' : '';
  return `${cutToWidth(s, width - 1)[0]}…`;
}

interface Piece {
  text: string;
  style?: Style;
  width: number;
  space: boolean;
}

/** Words and spaces; each wide character is a word of its own, so CJK text can break anywhere. */
function pieces(spans: readonly Span[]): Piece[] {
  const out: Piece[] = [];
  for (const span of spans) {
    for (const part of span.text.split(/( +)/)) {
      if (!part) continue;
      if (part[0] === ' ') {
        out.push({ text: part, style: span.style, width: part.length, space: true });
        continue;
      }
      if (PRINTABLE_ASCII.test(part)) {
        out.push({ text: part, style: span.style, width: part.length, space: false });
        continue;
      }
      let word = '';
      for (const g of graphemes(part)) {
        const gw = displayWidth(g);
        if (gw < 2) {
          word += g;
          continue;
        }
        if (word) out.push({ text: word, style: span.style, width: displayWidth(word), space: false });
        out.push({ text: g, style: span.style, width: gw, space: false });
        word = '';
      }
      if (word) out.push({ text: word, style: span.style, width: displayWidth(word), space: false });
    }
  }
  return out;
}

export interface WrapOptions {
  /** Spans before the first line (a list bullet, a quote bar); the width includes them. */
  first?: Span[];
  /** Spans before every following line (the hanging indent). Default: as wide as `first`, blank. */
  rest?: Span[];
}

const spansWidth = (spans: readonly Span[]) => spans.reduce((n, s) => n + displayWidth(s.text), 0);

/** Adjacent pieces with one style become one span, so a line is a handful of spans, not a word each. */
function pushSpan(spans: Span[], text: string, style: Style | undefined): void {
  const last = spans[spans.length - 1];
  // A new object: prefix spans are shared between lines and must not grow.
  if (last && last.style === style) spans[spans.length - 1] = { text: last.text + text, style };
  else spans.push({ text, style });
}

/**
 * Spans wrapped into lines of at most `width` columns. Spaces at a break are dropped; runs of
 * spaces inside a line are kept (they may be alignment).
 */
export function wrapSpans(spans: readonly Span[], width: number, o: WrapOptions = {}): StyledLine[] {
  const first = o.first ?? [];
  const firstW = spansWidth(first);
  const rest = o.rest ?? (firstW ? [{ text: ' '.repeat(Math.min(firstW, Math.floor(width / 2))) }] : []);
  const restW = spansWidth(rest);
  const lines: StyledLine[] = [];
  let cur: Span[] = [...first];
  let curW = firstW;
  let lead = firstW; // width of the prefix on the current line
  let empty = true;
  let pendingSpace: Piece | null = null;
  const newLine = () => {
    lines.push({ spans: cur, width: curW });
    cur = [...rest];
    curW = restW;
    lead = restW;
    empty = true;
    pendingSpace = null;
  };
  for (const p of pieces(spans)) {
    if (p.space) {
      if (!empty) pendingSpace = p;
      continue;
    }
    const gap: Piece | null = pendingSpace;
    const need = (gap ? gap.width : 0) + p.width;
    if (curW + need <= width) {
      if (gap) pushSpan(cur, gap.text, gap.style);
      pushSpan(cur, p.text, p.style);
      curW += need;
      empty = false;
      pendingSpace = null;
      continue;
    }
    if (!empty) newLine();
    // A word wider than the line (a URL, a hash) is cut; nothing else would fit it.
    const parts = p.width <= width - lead ? [p.text] : cutToWidth(p.text, Math.max(1, width - lead));
    parts.forEach((part, i) => {
      if (i > 0) newLine();
      pushSpan(cur, part, p.style);
      curW += displayWidth(part);
      empty = false;
    });
  }
  if (!empty || lines.length === 0) lines.push({ spans: cur, width: curW });
  return lines;
}

/** Prefixes a line (a quote bar before already-wrapped content). */
export const prefixLine = (prefix: Span[], l: StyledLine): StyledLine => ({ spans: [...prefix, ...l.spans], width: spansWidth(prefix) + l.width });

/** Pads a line with spaces to `width` columns (table cells). */
export const padLine = (l: StyledLine, width: number): StyledLine => (l.width >= width ? l : { spans: [...l.spans, { text: ' '.repeat(width - l.width) }], width });

/** Applies `style` under every span's own style (a heading's colour under its emphasis). */
export const styleSpans = (spans: readonly Span[], style: Style): Span[] => spans.map((s) => ({ text: s.text, style: mergeStyle(style, s.style) }));

const LIST_MARKER = /^(\s*)((?:[-*+•]|\d{1,3}[.)])\s+)?/;

/** One line of raw text wrapped at spaces; list items keep a hanging indent under their text. */
export function wrapPlain(text: string, width: number, style?: Style): StyledLine[] {
  if (text.trim() === '') return [{ spans: [], width: 0 }];
  const m = LIST_MARKER.exec(text)!;
  const lead = m[1] + (m[2] ?? '');
  const body = text.slice(lead.length);
  return wrapSpans([{ text: body, style }], width, lead ? { first: [{ text: lead, style }] } : {});
}

/** A code line kept as written, cut into pieces when wider than `width` (the caller marks continuations). */
export function cutCodeLine(spans: readonly Span[], width: number): Span[][] {
  const total = spansWidth(spans);
  if (total <= width) return [[...spans]];
  const out: Span[][] = [];
  let cur: Span[] = [];
  let curW = 0;
  for (const s of spans) {
    for (const g of graphemes(s.text)) {
      const gw = displayWidth(g);
      if (curW + gw > width && curW > 0) {
        out.push(cur);
        cur = [];
        curW = 0;
      }
      pushSpan(cur, g, s.style);
      curW += gw;
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

export { spansWidth };
