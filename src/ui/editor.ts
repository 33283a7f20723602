/**
 * A text field's editing as a pure function of (state, key): a cursor that moves by grapheme and
 * by line, insertion anywhere, and the shell's kill keys. Multi-line fields keep newlines; a
 * one-line field turns them into spaces. Enter submits; Alt-Enter inserts a newline; a paste
 * (text arriving as one chunk) keeps its inner newlines and submits when it ends with one, as a
 * pasted command does in a shell.
 */
import type { Key } from 'ink';
import { displayWidth, graphemes } from './wrap.js';

export interface EditorState {
  text: string;
  /** UTF-16 offset of the cursor, always on a grapheme boundary. */
  cursor: number;
}

export type EditResult = { state: EditorState; submit?: boolean; cancel?: boolean } | null;

export const editorAt = (text: string): EditorState => ({ text, cursor: text.length });

/** Grapheme boundaries of `text` (UTF-16 offsets), from 0 to text.length. */
function boundaries(text: string): number[] {
  const out = [0];
  let at = 0;
  for (const g of graphemes(text)) out.push((at += g.length));
  return out;
}

const prevBoundary = (text: string, at: number) => [...boundaries(text)].reverse().find((b) => b < at) ?? 0;
const nextBoundary = (text: string, at: number) => boundaries(text).find((b) => b > at) ?? text.length;
const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;
const lineEnd = (text: string, at: number) => (text.indexOf('\n', at) === -1 ? text.length : text.indexOf('\n', at));

/** Moves to the same column (in display width) on the line above or below; null at the edge. */
function verticalMove(text: string, at: number, dir: -1 | 1): number | null {
  const start = lineStart(text, at);
  const column = displayWidth(text.slice(start, at));
  const target = dir < 0 ? (start === 0 ? null : lineStart(text, start - 1)) : lineEnd(text, at) === text.length ? null : lineEnd(text, at) + 1;
  if (target === null) return null;
  const end = lineEnd(text, target);
  let pos = target;
  let w = 0;
  for (const g of graphemes(text.slice(target, end))) {
    const gw = displayWidth(g);
    if (w + gw > column) break;
    w += gw;
    pos += g.length;
  }
  return pos;
}

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

function insert(s: EditorState, raw: string, multiline: boolean): EditorState {
  let text = raw.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').replace(CONTROL, '');
  if (!multiline) text = text.replace(/\n+/g, ' ');
  return { text: s.text.slice(0, s.cursor) + text + s.text.slice(s.cursor), cursor: s.cursor + text.length };
}

const cut = (s: EditorState, from: number, to: number): EditorState => ({ text: s.text.slice(0, from) + s.text.slice(to), cursor: from });

/** Applies one keypress (or pasted chunk). Null: not an edit (the caller may treat it as a command). */
export function applyKey(s: EditorState, input: string, key: Key, multiline = true): EditResult {
  if (key.escape && !input) return { state: s, cancel: true };
  if (key.return) {
    // Alt-Enter (ESC CR, or Option-Return on macOS) is a newline; Enter alone submits.
    if (key.meta && multiline) return { state: insert(s, '\n', true) };
    return { state: s, submit: true };
  }
  if (key.backspace || key.delete) return s.cursor === 0 ? { state: s } : { state: cut(s, prevBoundary(s.text, s.cursor), s.cursor) };
  // Backspaces typed faster than Ink reads arrive as one chunk it does not recognise as a key.
  if (/^[\u007f\b]+$/.test(input)) {
    let st = s;
    for (let i = 0; i < input.length && st.cursor > 0; i++) st = cut(st, prevBoundary(st.text, st.cursor), st.cursor);
    return { state: st };
  }
  if (key.leftArrow) return { state: { ...s, cursor: prevBoundary(s.text, s.cursor) } };
  if (key.rightArrow) return { state: { ...s, cursor: nextBoundary(s.text, s.cursor) } };
  if (key.upArrow || key.downArrow) {
    const to = multiline ? verticalMove(s.text, s.cursor, key.upArrow ? -1 : 1) : null;
    return to === null ? null : { state: { ...s, cursor: to } };
  }
  if (key.home || (key.ctrl && input === 'a')) return { state: { ...s, cursor: lineStart(s.text, s.cursor) } };
  if (key.end || (key.ctrl && input === 'e')) return { state: { ...s, cursor: lineEnd(s.text, s.cursor) } };
  // Ctrl-U clears the field (a proposed value is replaced in one key), Ctrl-K to the line's end, Ctrl-W a word.
  if (key.ctrl && input === 'u') return { state: { text: '', cursor: 0 } };
  if (key.ctrl && input === 'k') return { state: cut(s, s.cursor, lineEnd(s.text, s.cursor)) };
  if (key.ctrl && input === 'w') {
    const before = s.text.slice(0, s.cursor).replace(/\S+\s*$/, '');
    return { state: cut(s, before.length, s.cursor) };
  }
  if (key.ctrl && input === 'd') return s.cursor < s.text.length ? { state: cut(s, s.cursor, nextBoundary(s.text, s.cursor)) } : { state: s };
  if (key.ctrl || key.tab || key.pageUp || key.pageDown || (key.meta && input.length <= 1)) return null;
  if (!input) return null;
  // A chunk of several characters is typing faster than Ink reads, or a paste: a newline inside
  // is text, a newline at its end is Enter.
  const trailing = /[\r\n]$/.test(input);
  const body = trailing ? input.replace(/[\r\n]+$/, '') : input;
  const state = body ? insert(s, body, multiline) : s;
  return trailing ? { state, submit: true } : { state };
}

/** Where the cursor is drawn: its line and display column in `text` split at newlines. */
export function cursorPosition(s: EditorState): { line: number; column: number } {
  const before = s.text.slice(0, s.cursor);
  const line = (before.match(/\n/g) ?? []).length;
  return { line, column: displayWidth(before.slice(before.lastIndexOf('\n') + 1)) };
}
