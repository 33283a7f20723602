import { describe, expect, it } from 'vitest';
import { neutralize, neutralizeLine } from '../../src/core/terminal-safe.js';

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
