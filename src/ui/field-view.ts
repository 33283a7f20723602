/**
 * How a text field looks: its text cut into rows of the field's width (by display width), the
 * cursor shown as an inverse cell, and only the rows around the cursor when the text is taller
 * than the field. Pure, so the cursor's place is testable without a terminal.
 */
import type { EditorState } from './editor.js';
import type { Span, StyledLine } from './styled.js';
import { displayWidth, graphemes } from './wrap.js';

const CURSOR = { inverse: true } as const;

interface Row {
  text: string;
  /** UTF-16 offsets of the row in the whole text. */
  from: number;
  to: number;
}

/** Logical lines cut into rows of at most `width` columns. */
function rows(text: string, width: number): Row[] {
  const out: Row[] = [];
  let at = 0;
  for (const line of text.split('\n')) {
    let cur = '';
    let w = 0;
    let from = at;
    for (const g of graphemes(line)) {
      const gw = displayWidth(g);
      if (w + gw > width && cur) {
        out.push({ text: cur, from, to: from + cur.length });
        from += cur.length;
        cur = '';
        w = 0;
      }
      cur += g;
      w += gw;
    }
    out.push({ text: cur, from, to: from + cur.length });
    at += line.length + 1;
  }
  return out;
}

export interface FieldView {
  lines: StyledLine[];
  /** Rows of text above and below what is shown. */
  above: number;
  below: number;
}

/**
 * The field as at most `maxRows` lines of `width` columns (one column is kept for the cursor at a
 * row's end). `placeholder` shows, dimmed, while the text is empty.
 */
export function fieldView(s: EditorState, width: number, maxRows: number, placeholder = ''): FieldView {
  const w = Math.max(2, width - 1);
  if (!s.text) {
    const ph = placeholder ? [{ text: placeholder.slice(0, w), style: { dim: true } }] : [];
    return { lines: [{ spans: [{ text: ' ', style: CURSOR }, ...ph], width: 1 + (ph[0]?.text.length ?? 0) }], above: 0, below: 0 };
  }
  const all = rows(s.text, w);
  // The cursor sits on the row that holds it; at a row's exact end it belongs to the next row only when that row starts there.
  let at = all.findIndex((r, i) => s.cursor >= r.from && (s.cursor < r.to || (s.cursor === r.to && (i === all.length - 1 || all[i + 1].from > r.to))));
  if (at < 0) at = all.length - 1;
  const first = Math.max(0, Math.min(at - maxRows + 1, all.length - maxRows));
  const shown = all.slice(first, first + maxRows);
  const lines = shown.map((r, k): StyledLine => {
    if (first + k !== at) return { spans: [{ text: r.text }], width: displayWidth(r.text) };
    const offset = s.cursor - r.from;
    const before = r.text.slice(0, offset);
    const rest = r.text.slice(offset);
    const under = rest ? graphemes(rest)[0] : ' ';
    const after = rest.slice(rest ? under.length : 0);
    const spans: Span[] = [{ text: before }, { text: under, style: CURSOR }, { text: after }].filter((x) => x.text);
    return { spans, width: displayWidth(before) + displayWidth(under) + displayWidth(after) };
  });
  return { lines, above: first, below: Math.max(0, all.length - first - shown.length) };
}
