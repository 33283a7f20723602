/**
 * Syntax highlighting for fenced code in the panes: highlight.js's core with the languages models
 * write most, loaded on the first fence that names a language (never on the first frame, never in
 * a pipe), its HTML turned back into styled spans. An unknown or missing language is shown plain:
 * guessing a language is slow and often wrong.
 */
import type { Color, Span, Style } from './styled.js';

export interface Highlighter {
  /** The code as lines of styled spans, or null when the language is not known. */
  highlight(code: string, lang: string): Span[][] | null;
}

/** highlight.js scopes → styles (the first class of a span decides; sub-scopes like `title function_` use the first word). */
const SCOPE: Record<string, Style> = {};
const set = (style: Style, ...scopes: string[]) => scopes.forEach((s) => (SCOPE[s] = style));
const c = (color: Color, extra: Style = {}): Style => ({ color, ...extra });
set(c('magenta'), 'keyword', 'selector-tag', 'doctag', 'name');
set(c('green'), 'string', 'regexp', 'addition', 'template-tag', 'selector-attr', 'selector-pseudo');
set(c('yellow'), 'number', 'literal', 'symbol', 'bullet', 'attr', 'attribute', 'property', 'variable', 'template-variable');
set(c('blue'), 'title', 'function', 'section', 'selector-id', 'selector-class');
set(c('cyan'), 'built_in', 'type', 'class', 'params', 'tag');
set(c('gray', { italic: true }), 'comment', 'quote');
set(c('gray'), 'meta', 'punctuation');
set(c('red'), 'deletion', 'link');
set({ bold: true }, 'strong');
set({ italic: true }, 'emphasis');

const ENTITY: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#39;': "'" };
const decode = (s: string) => s.replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, (e) => ENTITY[e]);

/** highlight.js's HTML (only `<span class="hljs-…">`, `</span>` and five entities) as lines of spans. */
export function htmlToLines(html: string): Span[][] {
  const lines: Span[][] = [[]];
  const stack: (Style | undefined)[] = [];
  const re = /<span class="([^"]*)">|<\/span>|([^<]+)/g;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (m[1] !== undefined) {
      const scope = m[1].split(' ')[0].replace(/^hljs-/, '');
      // A scope with no style of its own keeps the enclosing one (a string inside an attribute).
      stack.push(SCOPE[scope] ?? stack[stack.length - 1]);
    } else if (m[2] !== undefined) {
      const style = stack[stack.length - 1];
      const parts = decode(m[2]).split('\n');
      parts.forEach((part, i) => {
        if (i > 0) lines.push([]);
        if (part) lines[lines.length - 1].push(style ? { text: part, style } : { text: part });
      });
    } else stack.pop();
  }
  return lines;
}

let loading: Promise<Highlighter> | undefined;

/** Loads highlight.js once (~30 languages, its own chunk); later calls share the same promise. */
export function loadHighlighter(): Promise<Highlighter> {
  loading ??= import('./highlight-langs.js').then(({ hljs }) => ({
    highlight(code: string, lang: string) {
      const name = lang.toLowerCase();
      if (!hljs.getLanguage(name)) return null;
      try {
        return htmlToLines(hljs.highlight(code, { language: name, ignoreIllegals: true }).value);
      } catch {
        return null;
      }
    },
  }));
  return loading;
}
