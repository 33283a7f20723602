/**
 * Markdown tables drawn with box characters inside a column's width: columns keep their natural
 * width when the table fits, share the room fairly (wrapping their cells) when it does not, and a
 * table too wide for even that becomes one `header: value` block per row.
 */
import type { Tokens } from 'marked';
import { inlineSpans } from './md-inline.js';
import type { Span, Style, StyledLine } from './styled.js';
import { spansWidth, wrapSpans } from './wrap.js';

const BORDER: Style = { dim: true };
const HEADER: Style = { bold: true };
/** Narrowest a column may be squeezed to before the table is laid out as blocks instead. */
const MIN_CELL = 3;

/** Widths for columns whose natural widths do not fit in `room`: the narrow keep theirs, the wide share the rest. */
export function shareWidths(natural: number[], room: number): number[] {
  const out = natural.map(() => 0);
  let left = room;
  let open = natural.map((_, i) => i).sort((a, b) => natural[a] - natural[b]);
  while (open.length) {
    const fair = Math.floor(left / open.length);
    const [first] = open;
    if (natural[first] <= fair) {
      out[first] = natural[first];
      left -= natural[first];
      open = open.slice(1);
      continue;
    }
    // Everyone left is wider than a fair share: split what remains, the first ones taking the odd columns.
    open.sort((a, b) => a - b).forEach((i, k) => (out[i] = fair + (k < left - fair * open.length ? 1 : 0)));
    break;
  }
  return out;
}

function rule(widths: number[], [l, m, r]: [string, string, string]): StyledLine {
  const text = l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  return { spans: [{ text, style: BORDER }], width: text.length };
}

function alignCell(cell: StyledLine, width: number, align: Tokens.TableCell['align']): Span[] {
  const gap = Math.max(0, width - cell.width);
  const left = align === 'right' ? gap : align === 'center' ? Math.floor(gap / 2) : 0;
  return [{ text: ' '.repeat(left) }, ...cell.spans, { text: ' '.repeat(gap - left) }];
}

function row(cells: Span[][], widths: number[], aligns: Tokens.TableCell['align'][]): StyledLine[] {
  const wrapped = cells.map((c, i) => wrapSpans(c, widths[i]));
  const height = Math.max(1, ...wrapped.map((w) => w.length));
  const out: StyledLine[] = [];
  for (let y = 0; y < height; y++) {
    const spans: Span[] = [{ text: '│', style: BORDER }];
    wrapped.forEach((lines, i) => {
      spans.push({ text: ' ' }, ...alignCell(lines[y] ?? { spans: [], width: 0 }, widths[i], aligns[i]), { text: ' ' }, { text: '│', style: BORDER });
    });
    out.push({ spans, width: widths.reduce((a, b) => a + b + 3, 1) });
  }
  return out;
}

/** The table as lines no wider than `width`. */
export function renderTable(t: Tokens.Table, width: number): StyledLine[] {
  const header = t.header.map((c) => inlineSpans(c.tokens, HEADER));
  const rows = t.rows.map((r) => r.map((c) => inlineSpans(c.tokens)));
  const n = header.length;
  const aligns = t.header.map((c) => c.align);
  const natural = header.map((h, i) => Math.max(1, spansWidth(h), ...rows.map((r) => spansWidth(r[i] ?? []))));
  const room = width - (3 * n + 1);
  const fits = natural.reduce((a, b) => a + b, 0) <= room;
  if (!fits && room < n * MIN_CELL) return asBlocks(header, rows, width);
  const widths = fits ? natural : shareWidths(natural, room);
  return [
    rule(widths, ['┌', '┬', '┐']),
    ...row(header, widths, aligns),
    rule(widths, ['├', '┼', '┤']),
    ...rows.flatMap((r) => row(header.map((_, i) => r[i] ?? []), widths, aligns)),
    rule(widths, ['└', '┴', '┘']),
  ];
}

/** `header: value` per cell, a blank line between rows: a table read down a narrow column. */
function asBlocks(header: Span[][], rows: Span[][][], width: number): StyledLine[] {
  const out: StyledLine[] = [];
  rows.forEach((r, k) => {
    if (k > 0) out.push({ spans: [], width: 0 });
    header.forEach((h, i) => out.push(...wrapSpans([...h, { text: ': ', style: HEADER }, ...(r[i] ?? [])], width)));
  });
  return out;
}
