/**
 * The rule dialog's prose laid out for its width: each sentence wrapped at spaces with a hanging
 * indent under its label, the key list broken between its items, so nothing is cut at the border
 * at any width. Pure (lines as data), so the dialog's height is exact and the App can reserve it.
 */
import { displayWidth, sanitize, wrapSpans } from './wrap.js';
import type { Span, Style, StyledLine } from './styled.js';

/** Columns the dialog's border and padding take from its width. */
export const DIALOG_CHROME_COLUMNS = 4;

/**
 * `spans` wrapped to `width` columns after `lead` (a label such as `saves: `); following lines are
 * indented as far as the lead. Outside text in the spans is neutralised here.
 */
export function paragraph(spans: readonly Span[], width: number, lead = '', style?: Style): StyledLine[] {
  const body = spans.map((s) => ({ text: sanitize(s.text), style: s.style ?? style }));
  // A lead wider than half the line would leave too little room: wrap under it from the left edge instead.
  const indent = lead.length <= width / 2 ? lead.length : 0;
  return wrapSpans(body, width, { first: lead ? [{ text: lead, style }] : [], rest: indent ? [{ text: ' '.repeat(indent) }] : [] });
}

/** `items` joined with ` · `, a line break only between items (an item wider than a line is wrapped on its own). */
export function itemLines(items: readonly string[], width: number, style?: Style): StyledLine[] {
  const out: StyledLine[] = [];
  let cur = '';
  const flush = () => {
    if (cur) out.push(...paragraph([{ text: cur }], width, '', style));
    cur = '';
  };
  for (const item of items) {
    const next = cur ? `${cur} · ${item}` : item;
    if (displayWidth(next) <= width || !cur) cur = next;
    else {
      flush();
      cur = item;
    }
  }
  flush();
  return out;
}
