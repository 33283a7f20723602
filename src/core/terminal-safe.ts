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

/** Characters that start an escape sequence: ESC and the 8-bit CSI, DCS, SOS, OSC, PM, APC. */
const INTRODUCER = /[\u001b\u009b\u0090\u0098\u009d\u009e\u009f]/;

/** A sequence cut off at the end of a piece: a lone ESC, a CSI without its final byte, an unterminated string. */
const INCOMPLETE =
  /^(?:\u001b|(?:\u001b\[|\u009b)[0-?]*[ -/]*|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*)$/;

/** Longest cut-off sequence held back for the next piece; past it the sequence is dropped as it stands. */
export const MAX_HELD_CHARS = 4096;

/**
 * `neutralize` for text that arrives in pieces (a streamed answer). Each piece is safe on its own,
 * but a CRLF or an escape sequence split between two pieces would show as a blank line or as the
 * tail of the sequence (a window title's text); holding back the cut-off end until the next piece
 * removes the sequence whole. Pieces without control characters pass through untouched.
 */
export class TerminalSafeStream {
  private held = '';

  push(piece: string): string {
    if (this.held === '' && !ANY_CONTROL.test(piece)) return piece;
    let text = this.held + piece;
    this.held = '';
    const cut = incompleteTail(text);
    if (cut < text.length) {
      this.held = text.slice(cut);
      text = text.slice(0, cut);
    } else if (text.endsWith('\r')) {
      this.held = '\r';
      text = text.slice(0, -1);
    }
    return neutralize(text);
  }

  /** What was held back, neutralised: a lone CR becomes a newline, a cut-off sequence disappears. */
  end(): string {
    const rest = this.held;
    this.held = '';
    return rest ? neutralize(rest) : '';
  }
}

/** Where a cut-off escape sequence at the end of `text` starts, or text.length when there is none. */
function incompleteTail(text: string): number {
  const from = Math.max(0, text.length - MAX_HELD_CHARS);
  for (let i = text.length - 1; i >= from; i--) {
    if (!INTRODUCER.test(text[i])) continue;
    return INCOMPLETE.test(text.slice(i)) ? i : text.length;
  }
  return text.length;
}

/** DEL and C1 controls, which JSON.stringify leaves raw (it escapes only U+0000–U+001F). */
const JSON_RAW_CONTROL = /[\u007f-\u009f]/g;

/**
 * JSON text with DEL and the C1 controls written as `\\u` escapes: the same JSON value, but
 * safe to print on a terminal (an 8-bit CSI or OSC in a string would otherwise reach it raw).
 */
export function escapeJsonControls(json: string): string {
  JSON_RAW_CONTROL.lastIndex = 0;
  if (!JSON_RAW_CONTROL.test(json)) return json;
  return json.replace(JSON_RAW_CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
