import { describe, expect, it } from 'vitest';
import { sanitize, wrapAnswer, wrapProse } from '../../src/ui/wrap.js';

describe('wrapProse', () => {
  it('breaks at word boundaries within the width', () => {
    const lines = wrapProse('the quick brown fox jumps over the lazy dog', 12);
    expect(lines).toEqual(['the quick', 'brown fox', 'jumps over', 'the lazy dog']);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(12);
  });

  it('hard-breaks a word longer than the line', () => {
    expect(wrapProse('see https://example.com/very/long/path ok', 10)).toEqual(['see', 'https://ex', 'ample.com/', 'very/long/', 'path ok']);
  });

  it('keeps a hanging indent under list items', () => {
    expect(wrapProse('- alpha beta gamma delta', 12)).toEqual(['- alpha beta', '  gamma', '  delta']);
  });

  it('keeps blank lines', () => {
    expect(wrapProse('   ', 10)).toEqual(['']);
  });
});

describe('wrapAnswer', () => {
  const answer = [
    'Here is a query that ranks customers by their total revenue over all time:',
    '',
    '```sql',
    'SELECT c.id, c.name, SUM(o.total) AS revenue',
    '  FROM customers c',
    '  JOIN orders o ON o.customer_id = c.id',
    '```',
    'Done.',
  ].join('\n');

  it('keeps a fenced code block line for line, indentation intact, set apart from prose', () => {
    const lines = wrapAnswer(answer, 30);
    const code = lines.filter((l) => l.kind === 'code' && !l.cont).map((l) => l.text);
    expect(code).toEqual(['SELECT c.id, c.name, SUM(o.t', '  FROM customers c', '  JOIN orders o ON o.custome']);
    // The over-wide lines continue on marked pieces, not re-broken at spaces.
    const pieces = lines.filter((l) => l.kind === 'code').map((l) => l.text);
    expect(pieces.join('')).toBe('SELECT c.id, c.name, SUM(o.total) AS revenue  FROM customers c  JOIN orders o ON o.customer_id = c.id');
    expect(lines.filter((l) => l.cont).length).toBe(2);
    expect(lines.filter((l) => l.kind === 'fence').map((l) => l.text)).toEqual(['```sql', '```']);
    // Prose around it is wrapped; the code's double spaces survive.
    expect(lines.filter((l) => l.kind === 'prose').every((l) => l.text.length <= 30)).toBe(true);
    expect(lines[lines.length - 1]).toEqual({ text: 'Done.', kind: 'prose' });
  });

  it('leaves code lines that fit exactly as written', () => {
    const lines = wrapAnswer('```\nif (x) {\n    return  y;\n}\n```', 40);
    expect(lines.map((l) => [l.kind, l.text])).toEqual([
      ['fence', '```'],
      ['code', 'if (x) {'],
      ['code', '    return  y;'],
      ['code', '}'],
      ['fence', '```'],
    ]);
  });

  it('treats everything after an unclosed fence as code (a streaming answer mid-block)', () => {
    const lines = wrapAnswer('intro\n```py\ndef f():\n    pass', 40);
    expect(lines.slice(2).map((l) => l.kind)).toEqual(['code', 'code']);
  });

  it('does not close a ``` block on a ~~~ line', () => {
    const lines = wrapAnswer('```\n~~~\ncode\n```\nprose', 40);
    expect(lines.map((l) => l.kind)).toEqual(['fence', 'code', 'code', 'fence', 'prose']);
  });

  it('returns nothing for an empty answer', () => {
    expect(wrapAnswer('', 20)).toEqual([]);
  });
});

describe('sanitize', () => {
  it('strips terminal escapes a model might emit, keeping text and newlines', () => {
    expect(sanitize('a\u001b[31mred\u001b[0m\u001b]0;title\u0007b\r\nc\u0007\td')).toBe('aredb\nc    d');
  });
});
