import { Box, Text } from 'ink';
import { fitTopLine, TOP_PREFIX, type TopPart } from './top-line.js';

export interface TopBarProps {
  /** The turn's prompt (with its number on follow-ups); null before the first prompt. */
  prompt: string | null;
  /** Shown dimmed after `ask` before the first prompt: the models to be asked. */
  idle: string;
  /** Routing note, costs, `blind`: dropped least important first when the line is short. */
  parts: TopPart[];
  columns: number;
}

/** `mmr › prompt` on the left, routing note and costs on the right, on one line. */
export function TopBar(p: TopBarProps) {
  const top = fitTopLine(p.prompt ?? '', p.parts, p.columns);
  return (
    <Box>
      <Box flexGrow={1} flexShrink={1}>
        <Text wrap="truncate-end">
          <Text bold color="cyan">
            mmr
          </Text>
          {TOP_PREFIX.slice(3)}
          {p.prompt !== null ? top.prompt : <Text dimColor>ask {p.idle}</Text>}
        </Text>
      </Box>
      {top.right ? (
        <Box flexShrink={0} marginLeft={2}>
          <Text dimColor>{top.right}</Text>
        </Box>
      ) : null}
    </Box>
  );
}
