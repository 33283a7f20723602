/**
 * Turns an answer into display lines for a column of a given width. Pure, so panes can memoise
 * it on (text, width) and tests can check it without Ink.
 *
 * Prose wraps at word boundaries. Fenced code is never reflowed: indentation and spacing carry
 * meaning there, so each source line stays one line, and one too wide for the column is cut into
 * width-sized pieces marked as continuations rather than being re-broken at spaces.
 */

import { neutralize } from '../core/terminal-safe.js';

export type LineKind = 'prose' | 'code' | 'fence';

export interface DisplayLine {
  text: string;
  kind: LineKind;
  /** A code line's continuation piece (the source line was wider than the column). */
  cont?: boolean;
}

/** Columns the pane spends on the code gutter (`│ `), so code and prose line up at the same width. */
export const CODE_GUTTER = 2;

const TAB = '    ';
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const LIST_MARKER = /^(\s*)((?:[-*+•]|\d{1,3}[.)])\s+)?/;

/**
 * Model output is untrusted: escape sequences in it could move the cursor, retitle the window or
 * hide text, so it is neutralised before it reaches the terminal (tabs become spaces for layout).
 */
export function sanitize(text: string): string {
  return neutralize(text).replace(/\t/g, TAB);
}

const chars = (s: string) => Array.from(s);

/** Cuts a string into pieces of at most `width` code points. */
function chunk(s: string, width: number): string[] {
  const cs = chars(s);
  if (cs.length <= width) return [s];
  const out: string[] = [];
  for (let i = 0; i < cs.length; i += width) out.push(cs.slice(i, i + width).join(''));
  return out;
}

/** One prose line wrapped at spaces; list items keep a hanging indent under their text. */
export function wrapProse(line: string, width: number): string[] {
  if (line.trim() === '') return [''];
  const m = LIST_MARKER.exec(line)!;
  const lead = m[1] + (m[2] ?? '');
  const hang = ' '.repeat(Math.min(chars(lead).length, Math.floor(width / 2)));
  const words = line.slice(lead.length).split(/ +/).filter(Boolean);
  const out: string[] = [];
  let cur = lead;
  let curLen = chars(lead).length;
  let empty = true; // no word on the current line yet
  const push = () => {
    out.push(cur.trimEnd());
    cur = hang;
    curLen = hang.length;
    empty = true;
  };
  for (const word of words) {
    const wlen = chars(word).length;
    const need = empty ? wlen : wlen + 1;
    if (curLen + need <= width) {
      cur += empty ? word : ` ${word}`;
      curLen += need;
      empty = false;
      continue;
    }
    if (!empty) push();
    // A word longer than the line (a URL, a hash) is broken hard; nothing else would fit it.
    const pieces = chunk(word, Math.max(1, width - curLen));
    for (let i = 0; i < pieces.length - 1; i++) {
      cur += pieces[i];
      push();
    }
    const last = pieces[pieces.length - 1];
    cur += last;
    curLen += chars(last).length;
    empty = false;
  }
  if (!empty || out.length === 0) out.push(cur.trimEnd());
  return out;
}

/** The whole answer as display lines: prose wrapped, code kept line for line. */
export function wrapAnswer(text: string, width: number): DisplayLine[] {
  const w = Math.max(4, width);
  const codeWidth = Math.max(1, w - CODE_GUTTER);
  const out: DisplayLine[] = [];
  let fence: string | null = null; // the open fence's marker (``` or ~~~ run)
  const src = sanitize(text);
  if (src === '') return out;
  for (const line of src.split('\n')) {
    const f = FENCE.exec(line);
    if (fence === null && f) {
      fence = f[1];
      out.push({ text: chunk(line.trim(), w)[0], kind: 'fence' });
      continue;
    }
    if (fence !== null && f && f[1][0] === fence[0] && f[1].length >= fence.length && f[2].trim() === '') {
      fence = null;
      out.push({ text: chunk(line.trim(), w)[0], kind: 'fence' });
      continue;
    }
    if (fence !== null) {
      chunk(line, codeWidth).forEach((piece, i) => out.push(i === 0 ? { text: piece, kind: 'code' } : { text: piece, kind: 'code', cont: true }));
      continue;
    }
    for (const piece of wrapProse(line, w)) out.push({ text: piece, kind: 'prose' });
  }
  return out;
}
