/**
 * Where the columns go for a terminal size. Pure, so the three shapes are testable at any width
 * without a terminal, and the App just recomputes it when the terminal is resized.
 */

/** Below this many terminal columns per answer, side-by-side text is too cramped to read. */
export const MIN_COLUMN_WIDTH = 32;

/** Rows the App itself uses: the top line, the status line, the help line, and one spare row so Ink never hits the fullscreen-clear path. */
export const APP_CHROME_ROWS = 4;

/** Rows a pane spends outside its body besides the footer: two borders, header, two rules. */
export const PANE_CHROME_ROWS = 5;

/** Footer lines assumed when choosing a shape (stats usually wrap onto two lines). */
const ASSUMED_FOOTER = 2;

/** Stacked panes need at least this many body lines each, else one-at-a-time tabs read better. */
const MIN_STACKED_BODY = 4;

/** Never show a body shorter than this, however small the terminal. */
export const MIN_BODY = 3;

export type LayoutMode = 'side' | 'stacked' | 'tabbed';

export interface Layout {
  mode: LayoutMode;
  /** Width of each pane in terminal columns: one per pane side by side, else one full-width entry. */
  widths: number[];
  /** Most body lines a pane may use before it scrolls (footer assumed at two lines). */
  maxBody: number;
}

export interface LayoutInput {
  columns: number;
  rows: number;
  panes: number;
  minColumnWidth?: number;
}

/** Splits `total` columns into `n` widths that differ by at most one. */
export function splitWidths(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  const extra = total - base * n;
  return Array.from({ length: n }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Side by side when each pane gets MIN_COLUMN_WIDTH; else stacked when each still gets a few lines; else tabbed. */
export function chooseLayout({ columns, rows, panes, minColumnWidth = MIN_COLUMN_WIDTH }: LayoutInput): Layout {
  const n = Math.max(1, panes);
  const cols = Math.max(20, columns);
  const usable = Math.max(0, rows - APP_CHROME_ROWS);
  const chrome = PANE_CHROME_ROWS + ASSUMED_FOOTER;
  if (n === 1 || Math.floor(cols / n) >= minColumnWidth) {
    return { mode: 'side', widths: splitWidths(cols, n), maxBody: Math.max(MIN_BODY, usable - chrome) };
  }
  const stackedBody = Math.floor(usable / n) - chrome;
  if (stackedBody >= MIN_STACKED_BODY) return { mode: 'stacked', widths: [cols], maxBody: stackedBody };
  // The tab bar costs one more row.
  return { mode: 'tabbed', widths: [cols], maxBody: Math.max(MIN_BODY, usable - 1 - chrome) };
}

/**
 * Body height for this frame: grows with the longest answer so a short comparison stays compact
 * (and the last frame left on screen after quitting is not mostly empty), up to the room there is.
 * Footer lines beyond the assumed two come out of the body.
 */
export function bodyHeight(layout: Layout, contentLines: number, footerLines: number): number {
  const room = Math.max(MIN_BODY, layout.maxBody - Math.max(0, footerLines - ASSUMED_FOOTER));
  return Math.min(room, Math.max(MIN_BODY, contentLines));
}

/** Text width inside a pane: border and one column of padding on each side. */
export const innerWidth = (paneWidth: number) => Math.max(4, paneWidth - 4);
