import { Box, Text } from 'ink';

export const KEYS: [string, string][] = [
  ['1–9', 'pick that column as the winner (then offer a routing rule)'],
  ['0', 'none of the answers was good'],
  ['Tab  ←/→', 'move focus between columns'],
  ['↑/↓  PgUp/PgDn', 'scroll the focused column'],
  ['e', 'expand the focused answer full screen (Esc back)'],
  ['w', 'write the focused answer to a file'],
  ['r', 'retry the models that failed'],
  ['n', 'new prompt, same models'],
  ['?', 'this help (Esc or ? to close)'],
  ['q  Ctrl-C', 'quit at once (requests in flight are cancelled)'],
];

/** The one-line reminder under the columns; the full list is behind `?`. */
export const HELP_LINE = '1-9 pick · 0 none good · ←/→ focus · ↑/↓ scroll · e expand · w write · r retry · n new · ? help · q quit';

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
      <Text dimColor>blind mode (--blind) hides names and shuffles columns until you vote</Text>
    </Box>
  );
}
