/**
 * The top line: `mmr › prompt` on the left, routing note and costs on the right. The prompt is
 * what the line is for, so it keeps at least half the line (or 40 columns): the right side loses
 * its least important parts first rather than squeezing the prompt to `W…`.
 */
import { displayWidth, truncateToWidth } from './wrap.js';

export const TOP_PREFIX = 'mmr › ';

export interface TopPart {
  text: string;
  /** Higher is dropped later. */
  rank: number;
}

export interface TopLine {
  /** The prompt part, cut to its room. */
  prompt: string;
  /** The right-hand parts that fit, in their order, joined with ` · `. */
  right: string;
}

export function fitTopLine(prompt: string, parts: TopPart[], columns: number): TopLine {
  const flat = prompt.replace(/\s+/g, ' ').trim();
  const minPrompt = Math.min(displayWidth(flat), Math.max(12, Math.min(40, Math.floor(columns / 2))));
  let kept = parts.filter((p) => p.text);
  for (;;) {
    const right = kept.map((p) => p.text).join(' · ');
    const rw = displayWidth(right);
    const room = columns - displayWidth(TOP_PREFIX) - (rw ? rw + 2 : 0);
    if (room >= minPrompt || kept.length === 0) return { prompt: truncateToWidth(flat, Math.max(1, room)), right };
    const lowest = Math.min(...kept.map((p) => p.rank));
    const drop = kept.findIndex((p) => p.rank === lowest);
    kept = kept.filter((_, i) => i !== drop);
  }
}
