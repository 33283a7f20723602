import { memo } from 'react';
import { Box, Text } from 'ink';
import type { PaneLine, PaneState } from './pane-content.js';

export interface AnswerPaneProps {
  /** 1-based number shown in the header; the key that picks this pane. */
  number: number;
  /** Model id, alias, or `Model A` in blind mode. */
  label: string;
  state: PaneState;
  /** Current spinner frame (only read while streaming). */
  spinner: string;
  width: number;
  body: PaneLine[];
  footer: PaneLine[];
  bodyRows: number;
  footerRows: number;
  /** First body line shown. */
  scroll: number;
  focused: boolean;
}

const STATE_TEXT: Record<PaneState, { text: string; color?: string }> = {
  waiting: { text: 'waiting', color: 'gray' },
  streaming: { text: 'streaming', color: 'cyan' },
  done: { text: '✔ done', color: 'green' },
  cut: { text: '✔ cut short', color: 'yellow' },
  failed: { text: '✖ failed', color: 'red' },
};

const LINE_COLOR: Partial<Record<PaneLine['kind'], string>> = { error: 'red', hint: 'yellow', warn: 'yellow' };

function Line({ line }: { line: PaneLine }) {
  if (line.kind === 'code') {
    // A gutter rather than a background: it survives copy-paste, NO_COLOR and every colour scheme.
    return (
      <Text wrap="truncate-end">
        <Text dimColor>{line.cont ? '↪ ' : '│ '}</Text>
        {line.text}
      </Text>
    );
  }
  const dim = line.kind === 'fence' || line.kind === 'note';
  return (
    <Text wrap="truncate-end" dimColor={dim} color={LINE_COLOR[line.kind]}>
      {line.text || ' '}
    </Text>
  );
}

/** The rule under the body; says how much is hidden above and below, so scrolling is discoverable. */
function scrollRule(width: number, above: number, below: number): string {
  const marks = [above > 0 ? `↑${above}` : '', below > 0 ? `↓${below} more` : ''].filter(Boolean).join(' ');
  if (!marks) return '─'.repeat(width);
  const tag = ` ${marks} `;
  return `──${tag}${'─'.repeat(Math.max(0, width - 2 - tag.length))}`.slice(0, width);
}

/** One model's column: header with state, scrolling body, footer with stats. */
function AnswerPaneImpl(p: AnswerPaneProps) {
  const inner = Math.max(4, p.width - 4);
  const maxScroll = Math.max(0, p.body.length - p.bodyRows);
  const scroll = Math.min(Math.max(0, p.scroll), maxScroll);
  const visible = p.body.slice(scroll, scroll + p.bodyRows);
  const below = p.body.length - scroll - visible.length;
  const st = STATE_TEXT[p.state];
  const stateText = p.state === 'streaming' ? `${p.spinner} ${st.text}` : st.text;
  return (
    <Box flexDirection="column" width={p.width} borderStyle="round" borderColor={p.focused ? 'cyan' : 'gray'} paddingX={1} flexShrink={0}>
      <Box>
        <Box flexGrow={1} flexShrink={1}>
          <Text bold={p.focused} wrap="truncate-end">
            {p.number} {p.label}
          </Text>
        </Box>
        <Box flexShrink={0} marginLeft={1}>
          <Text color={st.color}>{stateText}</Text>
        </Box>
      </Box>
      <Text dimColor>{'─'.repeat(inner)}</Text>
      <Box flexDirection="column" height={p.bodyRows}>
        {visible.map((line, i) => (
          <Line key={scroll + i} line={line} />
        ))}
      </Box>
      <Text dimColor>{scrollRule(inner, scroll, below)}</Text>
      <Box flexDirection="column" height={p.footerRows}>
        {p.footer.map((line, i) => (
          <Line key={i} line={line} />
        ))}
      </Box>
    </Box>
  );
}

export const AnswerPane = memo(AnswerPaneImpl);
