/**
 * Which frames are worth drawing while answers stream: a frame shows the answers' visible lines
 * and everything else (footers, `↓12 more` counts). A change in the visible lines is drawn at once;
 * a change only outside them at most every META_REFRESH_MS; an answer growing below the fold
 * draws nothing. The fan-out asks the gate before each frame (use-fanout.ts `FrameGate`).
 */
import { useEffect, useRef, type MutableRefObject } from 'react';
import type { AnswerResult } from '../core/results.js';
import { clampScroll } from './AnswerGrid.js';
import type { GridGeometry } from './pane-content.js';
import { toAnsi } from './styled.js';
import type { FrameGate } from './use-fanout.js';

/** A change only outside the answers' visible lines (a footer's count, `↓12 more`) is drawn at most this often. */
export const META_REFRESH_MS = 1000;

export interface FrameSignature {
  /** The answers' visible lines and each column's state. */
  body: string;
  /** Everything else a frame shows: footers, lines-below counts. */
  meta: string;
}

/** What a frame shows, split into the answers' visible lines and everything else. */
export function signature(g: GridGeometry, order: number[], scroll: number[], results: readonly AnswerResult[]): FrameSignature {
  let body = '';
  let meta = '';
  order.forEach((slot, i) => {
    const lines = g.bodies[i];
    if (!lines.length && !g.footers[i].length) return;
    const top = clampScroll(scroll[slot] ?? 0, lines.length, g.bodyRows);
    const r = results[slot];
    body += `${i}:${r?.done ? (r.error ? 'x' : 'd') : r?.text ? 's' : 'w'}|`;
    for (const l of lines.slice(top, top + g.bodyRows)) body += `${toAnsi(l, 1)}\n`;
    meta += `${i}:${g.stale[i] ? '+' : lines.length - top}|${g.footers[i].map((l) => toAnsi(l, 1)).join('\n')}|`;
  });
  return { body, meta };
}

/**
 * Sets `gate` for this render: `drawn` is what this render shows, `live` measures the signature
 * the latest streamed results would show. The gate answers 0 (draw now), a delay in ms, or null
 * (nothing visible changed).
 */
export function useDrawGate(gate: MutableRefObject<FrameGate | null>, drawn: FrameSignature, live: (results: readonly AnswerResult[]) => FrameSignature): void {
  const last = useRef({ sig: drawn, at: 0 });
  useEffect(() => {
    last.current = { sig: drawn, at: Date.now() };
  });
  gate.current = (results) => {
    const next = live(results);
    if (next.body !== last.current.sig.body) return 0;
    if (next.meta !== last.current.sig.meta) return Math.max(0, META_REFRESH_MS - (Date.now() - last.current.at));
    return null;
  };
}
