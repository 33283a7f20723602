/**
 * Text from outside (model answers, server error bodies, model names from a listing, lines read
 * back from the vote log) is untrusted when it is bound for a terminal: an escape sequence in it
 * could write the clipboard (OSC 52), retitle the window (OSC 0), plant a hyperlink (OSC 8),
 * clear the screen or move the cursor to overwrite what mmr printed. Everything printed to a
 * terminal goes through `neutralize` first; bytes written to a pipe or file stay exact.
 *
 * Removing only the ESC (or C1 introducer) of a sequence is enough to make the rest inert
 * printable text, so this is safe on pieces of a stream split anywhere: a sequence cut in half
 * between two deltas loses its introducer in the first piece and cannot re-form.
 */

/**
 * Whole escape sequences, so their parameters do not show up as noise:
 * CSI `ESC [ … final`, OSC/DCS/SOS/PM/APC `ESC ] … (BEL | ESC \)`, their 8-bit C1 forms, and
 * two-character escapes `ESC x`. An unterminated string sequence runs to the end of the text.
 */
const SEQUENCE =
  /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[ -~]?/g;

/** C0 controls but tab and newline, DEL, and C1 controls (0x80–0x9f). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Quick test so the common case (plain text) costs one scan and no allocation. */
const ANY_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

export interface NeutralizeOptions {
  /** Keep newlines (default true). False turns them into spaces, for one-line fields such as names. */
  newlines?: boolean;
}

/**
 * `text` with every escape sequence removed and every other control character but tab and
 * newline dropped. CRLF and lone CR become newlines (a bare CR would let text overwrite a line).
 */
export function neutralize(text: string, opts: NeutralizeOptions = {}): string {
  let out = text;
  if (ANY_CONTROL.test(out)) {
    out = out.replace(/\r\n?/g, '\n').replace(SEQUENCE, '').replace(CONTROL, '');
  }
  if (opts.newlines === false && /[\n\t]/.test(out)) out = out.replace(/[\n\t]+/g, ' ');
  return out;
}

/** `neutralize` for one-line fields: model ids, error messages, file names, prompts in a list. */
export const neutralizeLine = (text: string): string => neutralize(text, { newlines: false });
