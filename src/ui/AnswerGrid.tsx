import { Box, Text } from 'ink';
import type { AnswerResult } from '../core/results.js';
import { AnswerPane } from './AnswerPane.js';
import { paneState, type GridGeometry, type PaneState } from './pane-content.js';

export interface AnswerGridProps {
  geometry: GridGeometry;
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
}

const MARK: Record<PaneState, string> = { waiting: '…', streaming: '⋯', done: '✔', cut: '⚠', failed: '✖' };

/** In tabbed mode one pane shows at a time; this line says what the others are doing. */
function TabBar({ labels, states, focus, width }: { labels: string[]; states: PaneState[]; focus: number; width: number }) {
  // Every tab stays visible: labels are cut to share the line rather than pushing tabs off it.
  const room = Math.max(4, Math.floor(width / labels.length) - 6);
  const cut = (s: string) => (Array.from(s).length > room ? `${Array.from(s).slice(0, room - 1).join('')}…` : s);
  return (
    <Text wrap="truncate-end">
      {labels.map((label, i) => (
        <Text key={i} inverse={i === focus} color={states[i] === 'failed' ? 'red' : undefined}>
          {` ${i + 1} ${MARK[states[i]]} ${cut(label)} `}
        </Text>
      ))}
    </Text>
  );
}

/** The columns: side by side, stacked, or one at a time, as the geometry says. */
export function AnswerGrid(p: AnswerGridProps) {
  const g = p.geometry;
  const states = p.order.map((slot) => paneState(p.results[slot]));
  const pane = (i: number) => {
    const slot = p.order[i];
    return (
      <AnswerPane
        key={slot}
        number={i + 1}
        label={p.labels[i]}
        state={states[i]}
        spinner={states[i] === 'streaming' ? p.spinner : ''}
        width={g.widths[i]}
        body={g.bodies[i]}
        footer={g.footers[i]}
        bodyRows={g.bodyRows}
        footerRows={g.footerRows}
        scroll={p.scroll[slot] ?? 0}
        focused={i === p.focus && (p.order.length > 1 || !!p.expanded)}
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
