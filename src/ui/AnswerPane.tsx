import { memo } from 'react';
import { Box, Text } from 'ink';
import { fitLabel } from './labels.js';
import type { PaneState } from './pane-content.js';
import { toAnsi, type StyledLine } from './styled.js';
import { displayWidth } from './wrap.js';

export interface AnswerPaneProps {
  /** 1-based number shown in the header; the key that picks this pane. */
  number: number;
  /** Model id, alias, or `Model A` in blind mode. */
  label: string;
  state: PaneState;
  /** Current spinner frame (only read while streaming or waiting). */
  spinner: string;
  width: number;
  /** The lines the body shows (already scrolled), the rows it has, and what is out of view. */
  visible: StyledLine[];
  bodyRows: number;
  above: number;
  /** Lines below the fold; -1 when more is streaming in and not counted yet. */
  below: number;
  footer: StyledLine[];
  footerRows: number;
  focused: boolean;
  /** SGR colour level for the pre-styled lines. */
  colorLevel: number;
}

export const STATE_TEXT: Record<PaneState, { text: string; color?: string }> = {
  waiting: { text: 'waiting', color: 'gray' },
  streaming: { text: 'streaming', color: 'cyan' },
  done: { text: '✔ done', color: 'green' },
  cut: { text: '⚠ cut short', color: 'yellow' },
  failed: { text: '✖ failed', color: 'red' },
};

/** The rule under the body; says how much is hidden above and below, so scrolling is discoverable. */
function scrollRule(width: number, above: number, below: number): string {
  const marks = [above > 0 ? `↑${above}` : '', below > 0 ? `↓${below} more` : below < 0 ? '↓ more' : ''].filter(Boolean).join(' ');
  if (!marks) return '─'.repeat(width);
  const tag = ` ${marks} `;
  return `──${tag}${'─'.repeat(Math.max(0, width - 2 - tag.length))}`.slice(0, width);
}

/** One model's column: header with state, the body's visible lines, footer with stats. */
function AnswerPaneImpl(p: AnswerPaneProps) {
  const inner = Math.max(4, p.width - 4);
  const st = STATE_TEXT[p.state];
  const stateText = p.state === 'streaming' || p.state === 'waiting' ? `${p.spinner} ${st.text}` : st.text;
  const label = fitLabel(p.label, Math.max(4, inner - displayWidth(stateText) - 1 - String(p.number).length - 1));
  // One Text per line, each already cut to the width: Ink has nothing to wrap or measure twice.
  const body = p.visible.map((l) => toAnsi(l, p.colorLevel));
  while (body.length < p.bodyRows) body.push('');
  const footer = p.footer.slice(0, p.footerRows).map((l) => toAnsi(l, p.colorLevel));
  while (footer.length < p.footerRows) footer.push('');
  return (
    <Box flexDirection="column" width={p.width} borderStyle="round" borderColor={p.focused ? 'cyan' : 'gray'} paddingX={1} flexShrink={0}>
      <Box>
        <Box flexGrow={1} flexShrink={1}>
          <Text bold={p.focused} wrap="truncate-end">
            {p.number} {label}
          </Text>
        </Box>
        <Box flexShrink={0} marginLeft={1}>
          <Text color={st.color}>{stateText}</Text>
        </Box>
      </Box>
      <Text dimColor>{'─'.repeat(inner)}</Text>
      <Text>{body.join("\n")}</Text>
      <Text dimColor>{scrollRule(inner, p.above, p.below)}</Text>
      <Text>{footer.join("\n")}</Text>
    </Box>
  );
}

// Lines of a settled block are the same objects frame to frame; a redrawn tail is compared by what it shows.
const sameLines = (a: StyledLine[], b: StyledLine[]) => a.length === b.length && a.every((l, i) => l === b[i] || (l.width === b[i].width && toAnsi(l, 1) === toAnsi(b[i], 1)));

/** Re-renders only when what it shows changed: a streaming answer below the fold costs no redraw. */
export const AnswerPane = memo(AnswerPaneImpl, (a, b) => {
  for (const k of Object.keys(a) as (keyof AnswerPaneProps)[]) {
    if (k === 'visible' || k === 'footer') continue;
    if (a[k] !== b[k]) return false;
  }
  return sameLines(a.visible, b.visible) && sameLines(a.footer, b.footer);
});
