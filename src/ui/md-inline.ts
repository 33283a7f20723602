/**
 * Markdown inline tokens (marked's lexer output) as styled spans: emphasis, code spans, links,
 * strike-through, line breaks. Links show their address after the text, dimmed, rather than as a
 * terminal hyperlink: a model must not be able to plant an OSC 8 link whose text and target differ.
 */
import type { Token, Tokens } from 'marked';
import { mergeStyle, type Span, type Style } from './styled.js';

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'" };

/** The few HTML entities models write in prose, decoded; anything else is shown as written. */
export const decodeEntities = (s: string): string => (s.includes('&') ? s.replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_, e: string) => ENTITY[e]) : s);

export const CODE_SPAN: Style = { color: 'yellow' };
const LINK: Style = { color: 'blue', underline: true };
const URL: Style = { dim: true };

/** A hard line break inside a paragraph: the wrapper starts a new line at this span. */
export const BREAK = '\n';

/**
 * Inline tokens as spans under `style`. Soft line breaks become spaces (Markdown joins them);
 * hard breaks (`br`, two trailing spaces) become a BREAK span the caller splits on.
 */
export function inlineSpans(tokens: readonly Token[] | undefined, style?: Style): Span[] {
  const out: Span[] = [];
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'text': {
        const tt = t as Tokens.Text;
        if (tt.tokens?.length) out.push(...inlineSpans(tt.tokens, style));
        else out.push({ text: decodeEntities(tt.text).replace(/\n/g, ' '), style });
        break;
      }
      case 'escape':
        out.push({ text: (t as Tokens.Escape).text, style });
        break;
      case 'strong':
        out.push(...inlineSpans((t as Tokens.Strong).tokens, mergeStyle(style, { bold: true })));
        break;
      case 'em':
        out.push(...inlineSpans((t as Tokens.Em).tokens, mergeStyle(style, { italic: true })));
        break;
      case 'del':
        out.push(...inlineSpans((t as Tokens.Del).tokens, mergeStyle(style, { strike: true })));
        break;
      case 'codespan':
        out.push({ text: decodeEntities((t as Tokens.Codespan).text).replace(/\n/g, ' '), style: mergeStyle(style, CODE_SPAN) });
        break;
      case 'br':
        out.push({ text: BREAK });
        break;
      case 'link': {
        const l = t as Tokens.Link;
        const inner = inlineSpans(l.tokens, mergeStyle(style, LINK));
        out.push(...inner);
        const shown = inner.map((s) => s.text).join('');
        // An autolink or a bare URL already shows where it goes.
        if (l.href && shown !== l.href && `mailto:${shown}` !== l.href) out.push({ text: ` (${l.href})`, style: mergeStyle(style, URL) });
        break;
      }
      case 'image': {
        const i = t as Tokens.Image;
        out.push({ text: `[image: ${i.text || i.href}]`, style: mergeStyle(style, URL) });
        break;
      }
      case 'html':
        // Inline HTML is shown as the text it is; a terminal cannot render it.
        out.push({ text: (t as Tokens.HTML).text.replace(/\n/g, ' '), style: mergeStyle(style, { dim: true }) });
        break;
      case 'checkbox':
        break;
      default:
        if ('text' in t && typeof t.text === 'string') out.push({ text: t.text.replace(/\n/g, ' '), style });
    }
  }
  return out;
}

/** Spans split at hard breaks, one group per line of the paragraph. */
export function splitBreaks(spans: Span[]): Span[][] {
  const groups: Span[][] = [[]];
  for (const s of spans) {
    if (s.text === BREAK) groups.push([]);
    else groups[groups.length - 1].push(s);
  }
  return groups;
}
