import type { Key } from 'ink';

/**
 * One keypress applied to a single-line text field with the cursor at its end. Returns the new
 * value, or null when the key is not an edit (so the caller can treat it as a command).
 */
export function editText(value: string, input: string, key: Key): string | null {
  if (key.backspace || key.delete) return Array.from(value).slice(0, -1).join('');
  // Backspaces typed faster than Ink reads arrive as one chunk it does not recognise as a key.
  if (/^[\u007f\b]+$/.test(input)) return Array.from(value).slice(0, -input.length).join('');
  // Ctrl-U clears the field, as in a shell: the quickest way to replace a proposed value.
  if (key.ctrl && input === 'u') return '';
  if (key.ctrl && input === 'w') return value.replace(/\S+\s*$/, '');
  if (key.ctrl || key.meta || key.tab || key.return || key.escape) return null;
  if (key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return null;
  if (!input) return null;
  // Pasted text arrives as one chunk; a field is one line, so newlines become spaces.
  return value + input.replace(/[\r\n]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
}
