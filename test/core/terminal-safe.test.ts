import { describe, expect, it } from 'vitest';
import { escapeJsonControls, MAX_HELD_CHARS, neutralize, neutralizeLine, TerminalSafeStream } from '../../src/core/terminal-safe.js';

describe('neutralize', () => {
  it('removes OSC sequences: clipboard writes, titles and hyperlinks, BEL- or ST-terminated', () => {
    expect(neutralize('a\x1b]52;c;aGVsbG8=\x07b')).toBe('ab');
    expect(neutralize('a\x1b]0;pwned\x1b\\b')).toBe('ab');
    expect(neutralize('\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\')).toBe('link');
    expect(neutralize('keep\x1b]0;unterminated title')).toBe('keep');
  });

  it('removes CSI sequences (screen clears, cursor moves, colours) in 7- and 8-bit form', () => {
    expect(neutralize('\x1b[2J\x1b[Hx\x1b[31mred\x1b[0m')).toBe('xred');
    expect(neutralize('x\x9b2Jy')).toBe('xy');
  });

  it('drops C0 and C1 controls except newline and tab, and turns CR into a newline', () => {
    expect(neutralize('a\x07b\x08c\x00d\x7fe\x85f')).toBe('abcdef');
    expect(neutralize('line1\r\nline2\roverwrite')).toBe('line1\nline2\noverwrite');
    expect(neutralize('a\tb\nc')).toBe('a\tb\nc');
  });

  it('leaves plain text, CJK and emoji untouched', () => {
    const s = 'A **process** 是一个 😀 e\u0301';
    expect(neutralize(s)).toBe(s);
  });

  it('is safe on a sequence split across stream pieces', () => {
    const pieces = ['text\x1b', ']52;c;aGVsbG8=\x07more'];
    const out = pieces.map((p) => neutralize(p)).join('');
    expect(out).not.toMatch(/\x1b|\x07/);
  });

  it('neutralizeLine folds newlines and tabs into spaces', () => {
    expect(neutralizeLine('model\nname\twith\x1b[2Jbreaks')).toBe('model name withbreaks');
  });
});

/** Feeds `pieces` through one stream and returns everything it let out. */
function streamed(pieces: string[]): string {
  const s = new TerminalSafeStream();
  return pieces.map((p) => s.push(p)).join('') + s.end();
}

describe('TerminalSafeStream', () => {
  it('passes plain pieces through unchanged, newlines and tabs included', () => {
    const s = new TerminalSafeStream();
    expect(s.push('a\tb\n')).toBe('a\tb\n');
    expect(s.push('c')).toBe('c');
    expect(s.end()).toBe('');
  });

  it('removes a sequence split anywhere between pieces, leaving no trace of its parameters', () => {
    const whole = 'before\x1b]0;stolen title\x07after \x1b[2Jclear \x1b]52;c;aGVsbG8=\x1b\\done';
    for (let cut = 1; cut < whole.length; cut++) {
      expect(streamed([whole.slice(0, cut), whole.slice(cut)]), `cut at ${cut}`).toBe('beforeafter clear done');
    }
  });

  it('keeps CRLF as one newline when the CR and LF arrive in different pieces', () => {
    expect(streamed(['one\r', '\ntwo\r', 'three\r'])).toBe('one\ntwo\nthree\n');
  });

  it('drops an unterminated sequence at the end of the stream', () => {
    expect(streamed(['text\x1b]8;;https://evil.example'])).toBe('text');
    expect(streamed(['text\x1b'])).toBe('text');
  });

  it('holds back at most MAX_HELD_CHARS of a cut-off sequence, and stays safe after that', () => {
    const s = new TerminalSafeStream();
    const out = s.push(`a\x1b]0;${'x'.repeat(MAX_HELD_CHARS)}`) + s.push('tail\x07b') + s.end();
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(out.startsWith('a')).toBe(true);
    expect(out.endsWith('b')).toBe(true);
  });
});

describe('escapeJsonControls', () => {
  it('escapes DEL and C1 controls, which JSON.stringify leaves raw, without changing the value', () => {
    const value = { text: 'csi\u009b2J osc\u009d0;t\u009c del\u007f esc\u001b[0m' };
    const raw = JSON.stringify(value);
    expect(raw).toMatch(/\u009b/);
    const safe = escapeJsonControls(raw);
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(JSON.parse(safe)).toEqual(value);
  });

  it('returns JSON without such characters as it is', () => {
    const raw = JSON.stringify({ a: 'plain é 😀' }, null, 2);
    expect(escapeJsonControls(raw)).toBe(raw);
  });
});
