import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { plainText, toAnsi, type StyledLine } from '../../src/ui/styled.js';
import { cutCodeLine, cutToWidth, displayWidth, graphemes, sanitize, truncateToWidth, wrapPlain, wrapSpans } from '../../src/ui/wrap.js';

const texts = (lines: StyledLine[]) => lines.map(plainText);
/** Every line's recorded width is what the terminal will take for it, and within `width`. */
function expectFits(lines: StyledLine[], width: number) {
  for (const l of lines) {
    expect(l.width).toBe(stringWidth(plainText(l)));
    expect(l.width).toBeLessThanOrEqual(width);
  }
}

describe('display widths', () => {
  it('counts wide characters as two columns and combining marks as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('中文')).toBe(4);
    expect(displayWidth('👩‍💻')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
  });
  it('splits into graphemes, keeping emoji sequences and accents whole', () => {
    expect(graphemes('a👩‍💻e\u0301')).toEqual(['a', '👩‍💻', 'e\u0301']);
  });
  it('cuts by columns, never inside a grapheme', () => {
    expect(cutToWidth('中文字符', 5)).toEqual(['中文', '字符']);
    expect(cutToWidth('ab👍🏽cd', 3)).toEqual(['ab', '👍🏽c', 'd']);
    expect(truncateToWidth('中文字符', 5)).toBe('中文…');
  });
});

describe('wrapSpans', () => {
  it('breaks at word boundaries within the width', () => {
    const lines = wrapSpans([{ text: 'the quick brown fox jumps over the lazy dog' }], 12);
    expect(texts(lines)).toEqual(['the quick', 'brown fox', 'jumps over', 'the lazy dog']);
    expectFits(lines, 12);
  });

  it('hard-breaks a word longer than the line', () => {
    expect(texts(wrapSpans([{ text: 'see https://example.com/very/long/path ok' }], 10))).toEqual(['see', 'https://ex', 'ample.com/', 'very/long/', 'path ok']);
  });

  it('wraps CJK text, which has no spaces, between characters, by display width', () => {
    const text = '进程是一个独立运行的程序，拥有自己的内存空间和系统资源。';
    for (const width of [10, 17, 30]) {
      const lines = wrapSpans([{ text }], width);
      expectFits(lines, width);
      expect(texts(lines).join('')).toBe(text);
      // Full lines are used: only the last may be short by more than one column.
      for (const l of lines.slice(0, -1)) expect(l.width).toBeGreaterThanOrEqual(width - 1);
    }
  });

  it('keeps emoji and accented letters whole and measures them right', () => {
    const lines = wrapSpans([{ text: 'café naïve e\u0301lan 👩‍💻👩‍💻👩‍💻 done 🇫🇷 ok' }], 8);
    expectFits(lines, 8);
    expect(texts(lines).join(' ').replace(/\s+/g, ' ')).toContain('e\u0301lan');
    expect(texts(lines).some((l) => l.includes('👩‍💻'))).toBe(true);
  });

  it('carries styles across breaks and keeps a hanging indent after a prefix', () => {
    const lines = wrapSpans([{ text: 'alpha beta ' }, { text: 'gamma delta', style: { bold: true } }], 12, { first: [{ text: '- ' }] });
    expect(texts(lines)).toEqual(['- alpha beta', '  gamma', '  delta']);
    expect(toAnsi(lines[1], 1)).toBe('  \u001b[1mgamma\u001b[22m');
  });

  it('wraps raw text with list markers hanging, and keeps blank lines', () => {
    expect(texts(wrapPlain('- alpha beta gamma delta', 12))).toEqual(['- alpha beta', '  gamma', '  delta']);
    expect(texts(wrapPlain('   ', 10))).toEqual(['']);
  });

  it('cuts a code line into width-sized pieces without reflowing it', () => {
    expect(cutCodeLine([{ text: '  return  x + 中文;' }], 8).map((p) => p.map((s) => s.text).join(''))).toEqual(['  return', '  x + 中', '文;']);
  });
});

describe('sanitize', () => {
  it('strips terminal escapes a model might emit, keeping text and newlines', () => {
    expect(sanitize('a\u001b[31mred\u001b[0m\u001b]0;title\u0007b\r\nc\u0007\td')).toBe('aredb\nc    d');
  });
});
