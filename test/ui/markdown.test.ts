import { readFileSync } from 'node:fs';
import stringWidth from 'string-width';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHighlighter, htmlToLines, type Highlighter } from '../../src/ui/highlight.js';
import { MarkdownView, renderMarkdown } from '../../src/ui/markdown.js';
import { shareWidths } from '../../src/ui/md-table.js';
import { plainText, toAnsi, type StyledLine } from '../../src/ui/styled.js';

const ANSWER = `# Top customers

A **process** has *its own* memory; see [the docs](https://example.com/docs) or https://example.com.
Use \`SUM(total)\` and ~~never~~ always index.

## Steps
1. Group orders by customer and add up the totals for every one of them
2. Sort descending
   - nested point
   - [x] done task

> Note: a quote that goes on for a while and wraps onto more lines.

| Name | Revenue | Note |
|:-----|--------:|:----:|
| Ada  | 1,200 | 中文字符测试 |
| Bob  | 900 | 👩‍💻 emoji é |

---

\`\`\`sql
SELECT c.id, c.name, SUM(o.total) AS revenue -- per customer
  FROM customers c
  JOIN orders o ON o.customer_id = c.id
\`\`\`

中文段落：进程是一个独立运行的程序，拥有自己的内存空间和系统资源，线程是进程内部更轻量的执行单元。`;

let hl: Highlighter;
beforeAll(async () => {
  hl = await loadHighlighter();
});

const texts = (lines: StyledLine[]) => lines.map(plainText);
function expectFits(lines: StyledLine[], width: number) {
  for (const l of lines) {
    expect(l.width, JSON.stringify(plainText(l))).toBe(stringWidth(plainText(l)));
    expect(l.width, JSON.stringify(plainText(l))).toBeLessThanOrEqual(width);
  }
}

describe('Markdown in a pane', () => {
  it.each([30, 60, 100, 160])('renders every block within %i columns, by display width', (width) => {
    const lines = renderMarkdown(ANSWER, { width, highlighter: hl });
    expectFits(lines, width);
    const all = texts(lines).join('\n');
    // The markup is gone; the text is there.
    expect(all).not.toMatch(/\*\*|~~|^#|```|\|:?-+:?\|/m);
    // Cells and code may be cut across lines in a narrow column; the words are all there.
    const joined = all.replace(/[\s│↪]+/g, '');
    for (const word of ['Topcustomers', 'process', 'SUM(total)', 'Sortdescending', 'nestedpoint', 'Note:aquote', '中文字符', '👩‍💻', 'revenue']) {
      expect(joined).toContain(word);
    }
  });

  it('draws headings, emphasis, code spans, links and strike-through with styles, and links with their address', () => {
    const lines = renderMarkdown(ANSWER, { width: 100 });
    const ansi = lines.map((l) => toAnsi(l, 1)).join('\n');
    expect(ansi).toContain('\u001b[1m\u001b[35mTop customers');
    expect(ansi).toContain('\u001b[1mprocess\u001b[22m');
    expect(ansi).toContain('\u001b[3mits own\u001b[23m');
    expect(ansi).toContain('\u001b[33mSUM(total)\u001b[39m');
    expect(ansi).toContain('\u001b[9mnever\u001b[29m');
    expect(texts(lines).join('\n')).toContain('the docs (https://example.com/docs)');
    // A bare URL is not repeated, and nothing here plants a terminal hyperlink.
    expect(texts(lines).join('\n')).not.toContain('https://example.com (https://example.com)');
    expect(ansi).not.toContain('\u001b]8;');
  });

  it('lists keep their markers and hang their text; tables are drawn with aligned columns', () => {
    const lines = texts(renderMarkdown(ANSWER, { width: 60 }));
    expect(lines).toContain('1. Group orders by customer and add up the totals for every');
    expect(lines).toContain('   one of them');
    expect(lines).toContain('   ◦ nested point');
    expect(lines).toContain('   ☑ done task');
    expect(lines).toContain('│ Name │ Revenue │     Note     │');
    expect(lines).toContain('│ Ada  │   1,200 │ 中文字符测试 │');
    expect(lines).toContain('│ Bob  │     900 │  👩‍💻 emoji é  │');
    const quote = lines.find((l) => l.includes('Note: a quote'))!;
    expect(quote.startsWith('│ ')).toBe(true);
  });

  it('squeezes a wide table into a narrow column by wrapping cells, and reads it down as blocks when even that fails', () => {
    const table = '| Feature | Description |\n|---|---|\n| Streaming | Answers arrive token by token as the model writes them |\n| Routing | Rules pick the model |';
    const narrow = renderMarkdown(table, { width: 40 });
    expectFits(narrow, 40);
    expect(texts(narrow)[0].startsWith('┌')).toBe(true);
    expect(texts(narrow).join(' ')).toContain('token by');
    const tiny = texts(renderMarkdown(table, { width: 10 }));
    expect(tiny).toContain('Feature:');
    expect(tiny.join(' ')).toContain('Streaming');
    expect(shareWidths([4, 40, 50], 40)).toEqual([4, 18, 18]);
  });

  it('highlights fenced code once highlight.js is loaded, keeping each line as written', () => {
    const lines = renderMarkdown(ANSWER, { width: 100, highlighter: hl });
    const code = lines.filter((l) => plainText(l).startsWith('│ ') && /SELECT|FROM|JOIN/.test(plainText(l)));
    expect(code.map(plainText)).toEqual(['│ SELECT c.id, c.name, SUM(o.total) AS revenue -- per customer', '│   FROM customers c', '│   JOIN orders o ON o.customer_id = c.id']);
    const ansi = toAnsi(code[0], 1);
    expect(ansi).toMatch(/\u001b\[35mSELECT/); // keyword
    expect(ansi).toMatch(/\u001b\[3m\u001b\[90m-- per customer/); // comment
    // Too wide for the column: cut into pieces marked as continuations, not reflowed.
    const narrow = texts(renderMarkdown(ANSWER, { width: 30, highlighter: hl })).filter((l) => /^[│↪] /.test(l));
    expect(narrow.some((l) => l.startsWith('↪ '))).toBe(true);
    expect(narrow.map((l) => l.slice(2)).join('')).toContain('SELECT c.id, c.name, SUM(o.total) AS revenue -- per customer');
  });

  it('shows code plain while highlight.js loads, and asks for it only for a named language', () => {
    let asked = 0;
    renderMarkdown('```\nplain\n```', { width: 40, wantsHighlighter: () => asked++ });
    expect(asked).toBe(0);
    const lines = renderMarkdown('```python\nprint(1)\n```', { width: 40, wantsHighlighter: () => asked++ });
    expect(asked).toBe(1);
    expect(texts(lines)).toEqual(['│ print(1)']);
    expect(hl.highlight('x', 'no-such-language')).toBeNull();
  });

  it('turns highlight.js HTML into spans across lines, decoding its entities', () => {
    expect(htmlToLines('<span class="hljs-comment">/* a\nb */</span> x &lt; y &amp;&amp; z')).toEqual([
      [{ text: '/* a', style: { color: 'gray', italic: true } }],
      [{ text: 'b */', style: { color: 'gray', italic: true } }, { text: ' x < y && z' }],
    ]);
  });
});

describe('streaming Markdown', () => {
  const demo = JSON.parse(readFileSync(new URL('../../fixtures/demo/answers.json', import.meta.url), 'utf8')) as { prompts: { answers: Record<string, { text: string }> }[] };
  const answers = [ANSWER, ...demo.prompts.flatMap((p) => Object.values(p.answers).map((a) => a.text))];

  it.each([1, 4, 17])('draws the same lines incrementally as all at once (deltas of %i characters)', (step) => {
    for (const text of answers) {
      const view = new MarkdownView();
      let lines: StyledLine[] = [];
      for (let i = step; i < text.length + step; i += step) lines = view.render(text.slice(0, i), { width: 48, highlighter: hl });
      expect(texts(lines)).toEqual(texts(renderMarkdown(text, { width: 48, highlighter: hl })));
    }
  });

  it('keeps settled blocks as the same line objects frame to frame (nothing re-laid out)', () => {
    const view = new MarkdownView();
    const first = view.render('Para one.\n\nPara two is here.\n\nThird', { width: 40 });
    const second = view.render('Para one.\n\nPara two is here.\n\nThird paragraph grows', { width: 40 });
    expect(second[0]).toBe(first[0]);
    expect(second[2]).toBe(first[2]);
  });
});
