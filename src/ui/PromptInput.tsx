import { useRef, useState, type MutableRefObject } from 'react';
import { Box, Text, useInput } from 'ink';
import type { KeyHandler } from './use-keys.js';
import { editText } from './edit.js';
import { useLatest } from './use-latest.js';

export interface PromptInputProps {
  /** Shown before the field, e.g. `prompt` or `write to`. */
  label: string;
  initial?: string;
  /** Shown dim while the field is empty. */
  placeholder?: string;
  /** The keys line under the field. */
  hint?: string;
  onSubmit(value: string): void;
  onCancel(): void;
  /** Reads keys only when stdin is a terminal (Ink's raw mode needs one). */
  interactive: boolean;
  /** Inside the App, keys come through its router (see use-keys.ts) instead of a subscription of our own. */
  keys?: MutableRefObject<KeyHandler | null>;
}

/** A one-line text field: type, Backspace, Ctrl-U to clear, Enter to submit, Esc to cancel. */
export function PromptInput(p: PromptInputProps) {
  const [value, setValue] = useState(p.initial ?? '');
  // Keys can arrive faster than React re-renders; Enter must submit what was typed, not the last render.
  const latest = useRef(value);
  const props = useLatest(p);
  const handle: KeyHandler = (input, key) => {
    if (key.escape) return props.current.onCancel();
    if (key.return) {
      if (latest.current.trim()) props.current.onSubmit(latest.current.trim());
      return;
    }
    const next = editText(latest.current, input, key);
    if (next === null) return;
    latest.current = next;
    setValue(next);
  };
  if (p.keys) p.keys.current = handle;
  useInput(handle, { isActive: p.interactive && !p.keys });
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      {/* One line whatever the length: the start scrolls off, so the panel never grows past its rows. */}
      <Box>
        <Box flexShrink={0}>
          <Text bold>{p.label} › </Text>
        </Box>
        <Box flexShrink={1}>{value ? <Text wrap="truncate-start">{value}</Text> : <Text dimColor wrap="truncate-end">{p.placeholder ?? ''}</Text>}</Box>
        <Box flexShrink={0}>
          <Text inverse> </Text>
        </Box>
      </Box>
      <Text dimColor wrap="truncate-end">
        {p.hint ?? 'enter submit · esc cancel · ctrl-u clear'}
      </Text>
    </Box>
  );
}
