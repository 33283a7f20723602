import { Box, Text } from 'ink';
import type { AnswerResult } from '../core/results.js';
import { AnswerPane } from './AnswerPane.js';
import { fitLabel } from './labels.js';
import { paneState, type GridGeometry, type PaneState } from './pane-content.js';

export interface AnswerGridProps {
  geometry: GridGeometry;
  /** The current turn's results, by slot. */
  results: AnswerResult[];
  /** Display position → slot. */
  order: number[];
  /** Header label per display position. */
  labels: string[];
  /** Focused display position. */
  focus: number;
  /** First visible body line, per slot. */
  scroll: number[];
  spinner: string;
  /** Only the focused pane, full screen. */
  expanded?: boolean;
  colorLevel: number;
}

const MARK: Record<PaneState, string> = { waiting: '…', streaming: '⋯', done: '✔', cut: '⚠', failed: '✖' };

/** In tabbed mode one pane shows at a time; this line says what the others are doing. */
function TabBar({ labels, states, focus, width }: { labels: string[]; states: PaneState[]; focus: number; width: number }) {
  // Every tab stays visible: labels share the line, losing the provider before the model's name.
  const room = Math.max(4, Math.floor(width / labels.length) - 6);
  return (
    <Text wrap="truncate-end">
      {labels.map((label, i) => (
        <Text key={i} inverse={i === focus} color={states[i] === 'failed' ? 'red' : states[i] === 'cut' ? 'yellow' : undefined}>
          {` ${i + 1} ${MARK[states[i]]} ${fitLabel(label, room)} `}
        </Text>
      ))}
    </Text>
  );
}

/** The first body line shown for a pane: its scroll, clamped to what there is. */
export const clampScroll = (scroll: number, lines: number, rows: number) => Math.min(Math.max(0, scroll), Math.max(0, lines - rows));

/** The columns: side by side, stacked, or one at a time, as the geometry says. */
export function AnswerGrid(p: AnswerGridProps) {
  const g = p.geometry;
  const states = p.order.map((slot) => paneState(p.results[slot]));
  const pane = (i: number) => {
    const slot = p.order[i];
    const lines = g.bodies[i];
    const scroll = clampScroll(p.scroll[slot] ?? 0, lines.length, g.bodyRows);
    const visible = lines.slice(scroll, scroll + g.bodyRows);
    return (
      <AnswerPane
        key={slot}
        number={i + 1}
        label={p.labels[i]}
        state={states[i]}
        spinner={states[i] === 'streaming' || states[i] === 'waiting' ? p.spinner : ''}
        width={g.widths[i]}
        visible={visible}
        bodyRows={g.bodyRows}
        above={scroll}
        below={g.stale[i] ? -1 : lines.length - scroll - visible.length}
        footer={g.footers[i]}
        footerRows={g.footerRows}
        focused={i === p.focus && (p.order.length > 1 || !!p.expanded)}
        colorLevel={p.colorLevel}
      />
    );
  };
  if (p.expanded) return <Box>{pane(p.focus)}</Box>;
  if (g.layout.mode === 'tabbed') {
    return (
      <Box flexDirection="column">
        <TabBar labels={p.labels} states={states} focus={p.focus} width={g.widths[0]} />
        {pane(p.focus)}
      </Box>
    );
  }
  return <Box flexDirection={g.layout.mode === 'side' ? 'row' : 'column'}>{p.order.map((_, i) => pane(i))}</Box>;
}
