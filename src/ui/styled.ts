/**
 * Styled text as data: spans with a style, lines of spans with their display width. The panes
 * lay text out as data (so widths and line counts are exact and testable) and turn each line into
 * an SGR string only to draw it. The text of every span has been neutralised already: the only
 * escape sequences on screen are the ones written here.
 */

export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray' | 'white';

export interface Style {
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  strike?: boolean;
  inverse?: boolean;
  color?: Color;
}

export interface Span {
  text: string;
  style?: Style;
}

export interface StyledLine {
  spans: Span[];
  /** Display width in terminal columns. */
  width: number;
}

export const plainText = (line: StyledLine): string => line.spans.map((s) => s.text).join('');

const COLOR_CODE: Record<Color, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90 };

/** SGR open/close pairs, as chalk writes them (close codes reset one attribute, not all). */
function sgr(style: Style): [string, string] {
  let open = '';
  let close = '';
  if (style.bold) [open, close] = [`${open}\u001b[1m`, `\u001b[22m${close}`];
  if (style.dim) [open, close] = [`${open}\u001b[2m`, `\u001b[22m${close}`];
  if (style.italic) [open, close] = [`${open}\u001b[3m`, `\u001b[23m${close}`];
  if (style.underline) [open, close] = [`${open}\u001b[4m`, `\u001b[24m${close}`];
  if (style.inverse) [open, close] = [`${open}\u001b[7m`, `\u001b[27m${close}`];
  if (style.strike) [open, close] = [`${open}\u001b[9m`, `\u001b[29m${close}`];
  if (style.color) [open, close] = [`${open}\u001b[${COLOR_CODE[style.color]}m`, `\u001b[39m${close}`];
  return [open, close];
}

const cache = new WeakMap<StyledLine, { level: number; text: string }>();

/**
 * The line as terminal text. `colorLevel` 0 (NO_COLOR, TERM=dumb) gives the plain text but for
 * inverse video, which is no colour and is how a text field shows its cursor; any other level the
 * 16-colour SGR codes every terminal knows.
 */
export function toAnsi(line: StyledLine, colorLevel: number): string {
  const hit = cache.get(line);
  if (hit && hit.level === colorLevel) return hit.text;
  let out = '';
  for (const s of line.spans) {
    if (!s.style || (colorLevel === 0 && !s.style.inverse)) {
      out += s.text;
      continue;
    }
    const [open, close] = sgr(colorLevel === 0 ? { inverse: true } : s.style);
    out += open + s.text + close;
  }
  cache.set(line, { level: colorLevel, text: out });
  return out;
}

/** A style with `over`'s attributes added (a link inside bold text stays bold). */
export const mergeStyle = (base: Style | undefined, over: Style | undefined): Style | undefined => (base && over ? { ...base, ...over } : over ?? base);

export const line = (spans: Span[], width: number): StyledLine => ({ spans, width });
export const EMPTY_LINE: StyledLine = { spans: [], width: 0 };
