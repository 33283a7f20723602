import { useRef, useState, type MutableRefObject } from 'react';
import { Box, Text, useInput } from 'ink';
import type { KeyHandler } from './use-keys.js';
import { applyKey, editorAt, type EditorState } from './editor.js';
import { fieldView } from './field-view.js';
import { toAnsi } from './styled.js';
import { useLatest } from './use-latest.js';

export interface PromptInputProps {
  /** Shown before the field, e.g. `prompt` or `write to`. */
  label: string;
  initial?: string;
  /** Shown dim while the field is empty. */
  placeholder?: string;
  /** The keys line under the field. */
  hint?: string;
  /** Several lines (a prompt) or one (a file name). */
  multiline?: boolean;
  /** Most rows of text shown; longer text scrolls with the cursor. */
  maxRows?: number;
  /** Terminal columns available to the box. */
  width: number;
  /** SGR colour level for the cursor and placeholder. */
  colorLevel: number;
  onSubmit(value: string): void;
  onCancel(): void;
  /** Reads keys only when stdin is a terminal (Ink's raw mode needs one). */
  interactive: boolean;
  /** Inside the App, keys come through its router (see use-keys.ts) instead of a subscription of our own. */
  keys?: MutableRefObject<KeyHandler | null>;
}

/** Rows the input panel takes besides its text: two borders and the hint line. */
export const INPUT_CHROME_ROWS = 3;

/**
 * A text box with a real cursor: type anywhere, ←/→/↑/↓ move, Home/End (Ctrl-A/E), Backspace,
 * Ctrl-U/K/W; Enter submits, Alt-Enter starts a new line, a paste keeps its lines; Esc cancels.
 */
export function PromptInput(p: PromptInputProps) {
  const multiline = p.multiline ?? true;
  const [state, setState] = useState<EditorState>(() => editorAt(p.initial ?? ''));
  // Keys can arrive faster than React re-renders; Enter must submit what was typed, not the last render.
  const latest = useRef(state);
  const props = useLatest(p);
  const handle: KeyHandler = (input, key) => {
    const r = applyKey(latest.current, input, key, multiline);
    if (!r) return;
    if (r.cancel) return props.current.onCancel();
    latest.current = r.state;
    setState(r.state);
    if (r.submit && r.state.text.trim()) props.current.onSubmit(r.state.text.trim());
  };
  if (p.keys) p.keys.current = handle;
  useInput(handle, { isActive: p.interactive && !p.keys });

  const labelText = `${p.label} › `;
  const inner = Math.max(8, p.width - 4 - labelText.length);
  const view = fieldView(state, inner, multiline ? p.maxRows ?? 6 : 1, p.placeholder);
  const more = [view.above ? `↑${view.above}` : '', view.below ? `↓${view.below}` : ''].filter(Boolean).join(' ');
  const hint = p.hint ?? (multiline ? 'enter submit · alt-enter new line · ←/→/↑/↓ move · ctrl-u clear · esc cancel' : 'enter ok · esc cancel · ctrl-u clear');
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} width={p.width}>
      {view.lines.map((line, i) => (
        <Box key={i}>
          <Box flexShrink={0} width={labelText.length}>
            <Text bold>{i === 0 ? labelText : ''}</Text>
          </Box>
          <Text wrap="truncate-end">{toAnsi(line, p.colorLevel)}</Text>
        </Box>
      ))}
      <Text dimColor wrap="truncate-end">
        {more ? `${more} · ` : ''}
        {hint}
      </Text>
    </Box>
  );
}
