/** The keyword matcher every rule shares: one regex, one scan per prompt. */
import { WORD_CHARS } from './classify.js';

/**
 * All keywords of all rules in one regex, so a prompt is scanned once however many rules use
 * keywords. A leading non-word character is consumed rather than looked behind for (twice as
 * fast), and the scan steps one character past each match start so overlapping keywords are seen.
 */
export class KeywordIndex {
  private readonly words = new Set<string>();
  private re: RegExp | null = null;
  /** Shorter keywords inside a longer one at word boundaries (`sql` in `sql query`). */
  private readonly inside = new Map<string, string[]>();
  add(word: string): void {
    this.words.add(word);
  }
  seal(): void {
    const list = [...this.words].sort((a, b) => b.length - a.length);
    if (list.length === 0) return;
    const body = list.map((w) => w.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&').replace(/ /g, '\\s+')).join('|');
    this.re = new RegExp(`[^${WORD_CHARS}](?:${body})(?![${WORD_CHARS}])`, 'g');
    const wordChar = new RegExp(`[${WORD_CHARS}]`);
    for (const k of list) {
      if (wordChar.test(k) && !/[^a-z0-9_\u00c0-\u024f\u0400-\u04ff]/.test(k)) continue; // one plain word holds no other
      const subs = list.filter((j) => {
        if (j.length >= k.length) return false;
        for (let at = k.indexOf(j); at >= 0; at = k.indexOf(j, at + 1)) {
          if (!wordChar.test(k[at - 1] ?? ' ') && !wordChar.test(k[at + j.length] ?? ' ')) return true;
        }
        return false;
      });
      if (subs.length) this.inside.set(k, subs);
    }
  }
  find(lower: string): Set<string> {
    const hits = new Set<string>();
    const re = this.re;
    if (!re) return hits;
    const s = ` ${lower}`;
    re.lastIndex = 0;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      let k = m[0].slice(1);
      if (/\s/.test(k)) k = k.replace(/\s+/g, ' ');
      hits.add(k);
      for (const sub of this.inside.get(k) ?? []) hits.add(sub);
      re.lastIndex = m.index + 1;
    }
    return hits;
  }
}
