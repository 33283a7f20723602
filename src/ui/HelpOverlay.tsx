import { Box, Text } from 'ink';

export const KEYS: [string, string][] = [
  ['1–9', 'pick that column as the winner of this turn (then offer a routing rule)'],
  ['0', 'none of the answers was good'],
  ['f', 'follow up: ask every model again, each with its own conversation so far'],
  ['n', 'new conversation, same models'],
  ['Tab  ←/→', 'move focus between columns'],
  ['↑/↓  PgUp/PgDn', 'scroll the focused column (End follows the answer as it grows)'],
  ['e', 'expand the focused answer full screen (Esc back)'],
  ['m', 'show the Markdown source instead of rendering it (and back)'],
  ['t', 'show the models\' reasoning (thinking) text, or collapse it to one line'],
  ['w', 'write the focused answer to a file (raw Markdown, as received)'],
  ['r', 'retry the models that failed'],
  ['?', 'this help (Esc or ? to close)'],
  ['q  Ctrl-C', 'quit at once (requests in flight are cancelled)'],
];

/** The one-line reminder under the columns; the full list is behind `?`. */
export const HELP_LINE = '1-9 pick · 0 none · f follow-up · n new · ←/→ focus · ↑/↓ scroll · e expand · m raw · w write · r retry · ? help · q quit';

/** Every key, for `?`. */
export function HelpOverlay() {
  const pad = Math.max(...KEYS.map(([k]) => k.length)) + 2;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>Keys</Text>
      {KEYS.map(([k, what]) => (
        <Text key={k} wrap="truncate-end">
          <Text color="cyan">{k.padEnd(pad)}</Text>
          {what}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">blind mode (--blind) hides names, cost and timing and shuffles columns until you vote</Text>
      <Text dimColor wrap="truncate-end">in the prompt box: Enter sends · Alt-Enter new line · a pasted text keeps its lines</Text>
    </Box>
  );
}
