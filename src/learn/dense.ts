/**
 * The dense prompt signals of the learned router's features (features.ts adds them after the
 * hashed n-grams): length, digits, lines, code, numbers, sentences, words, a closing question
 * mark, the longest number, the classifier's category scores, the script, and what makes a word
 * problem take more steps. One pass over the text, no allocation per prompt.
 */
import { CATEGORIES, type Classification } from '../core/classify.js';

const SCRIPTS = ['latin', 'cjk', 'cyrillic', 'other'] as const;
/**
 * The dense signals, in id order (id = DENSE_BASE + index; new ones are only ever appended, so a
 * router file's weights keep their meaning). The last five count what makes a word problem take
 * more steps: decimals, fractions and multipliers, percentages, money, distinct numbers.
 */
export const DENSE_NAMES = ['length', 'digits', 'lines', 'code', 'numbers', 'sentences', 'words', 'question', 'longest number', ...CATEGORIES.map((c) => `category:${c}`), ...SCRIPTS.map((s) => `script:${s}`), 'decimals', 'fractions', 'percent', 'money', 'distinct numbers'];

/** The script group, from the classifier's language guess (which already scanned the text). */
function scriptOf(language: string): (typeof SCRIPTS)[number] {
  if (language === 'zh' || language === 'ja' || language === 'ko') return 'cjk';
  if (language === 'ru' || language === 'uk') return 'cyrillic';
  if (['ar', 'he', 'el', 'hi', 'th'].includes(language)) return 'other';
  return 'latin';
}

/** What `\s` matches in a JS regex (NaN, past the end, is not). */
function isSpace(ch: number): boolean {
  if (ch <= 32) return ch === 32 || (ch >= 9 && ch <= 13);
  if (ch < 0xa0) return false;
  return ch === 0xa0 || ch === 0x1680 || (ch >= 0x2000 && ch <= 0x200a) || ch === 0x2028 || ch === 0x2029 || ch === 0x202f || ch === 0x205f || ch === 0x3000 || ch === 0xfeff;
}

/** /\?\s*$/.test(text), scanning back from the end. */
function endsWithQuestion(text: string): boolean {
  let i = text.length - 1;
  while (i >= 0 && isSpace(text.charCodeAt(i))) i--;
  return i >= 0 && text.charCodeAt(i) === 63;
}

/**
 * Distinct numbers of one prompt (up to 64): an open-addressing table of 128 slots whose entries
 * count only when stamped with the current prompt's generation, so nothing is cleared per prompt.
 */
const numKeys = new Float64Array(128);
const numStamp = new Int32Array(128);
let numGen = 0;
let distinct = 0;
function seeNumber(key: number): void {
  if (distinct >= 64) return;
  let i = Math.imul(key | 0, 0x9e3779b1) >>> 25;
  while (numStamp[i] === numGen) {
    if (numKeys[i] === key) return;
    i = (i + 1) & 127;
  }
  numStamp[i] = numGen;
  numKeys[i] = key;
  distinct++;
}

/**
 * The dense signals (DENSE_NAMES) into `out`: `prompt` is the whole prompt (its length counts),
 * `text` the part features read; `words`, `fractionWords` and `percentWords` are what the n-gram scan
 * counted (tokens, and words like `half` / `twice` and `percent`).
 */
export function denseSignals(prompt: string, text: string, c: Classification, words: number, fractionWords: number, percentWords: number, out: Float64Array): void {
  // One pass: digits, numbers (runs of digits), the longest number, lines, sentence ends, and for
  // word problems decimals, fractions (`3/4`), percent and currency signs, distinct numbers.
  let digitCount = 0, numbers = 0, longest = 0, run = 0, lines = 1, sentences = 1;
  let decimals = 0, fractions = 0, percent = 0, money = 0, value = 0, places = 0, point = false;
  numGen = (numGen + 1) | 0 || 1;
  distinct = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      digitCount++;
      if (run++ === 0) numbers++;
      if (run > longest) longest = run;
      value = value * 10 + (ch - 48);
      if (point) places++;
      continue;
    }
    if (run > 0) {
      // `1,250.5` is one number; `3/4` is a fraction.
      const nextDigit = (text.charCodeAt(i + 1) ^ 48) < 10;
      if ((ch === 44 || ch === 46) && nextDigit) {
        if (ch === 46 && !point) (point = true), decimals++;
        continue;
      }
      if (ch === 47 && nextDigit) fractions++;
      // By digits and decimal places: 12.5 and 125 are different numbers.
      seeNumber(value * 8 + Math.min(7, places));
      run = 0;
      value = 0;
      places = 0;
      point = false;
    }
    if (ch === 10) lines++;
    else if (ch === 37) percent++;
    else if (ch === 36 || ch === 0x20ac || ch === 0xa3 || ch === 0xa5) money++;
    else if ((ch === 46 || ch === 33 || ch === 63 || ch === 0x3002 || ch === 0xff01 || ch === 0xff1f) && isSpace(text.charCodeAt(i + 1))) sentences++;
  }
  if (run > 0) seeNumber(value * 8 + Math.min(7, places));
  const digits = digitCount / Math.max(1, text.length);
  let j = 0;
  out[j++] = Math.log1p(prompt.length) / 8;
  out[j++] = Math.min(1, digits * 5);
  out[j++] = Math.log1p(lines) / 4;
  out[j++] = c.hasCode ? 1 : 0;
  out[j++] = Math.log1p(numbers) / 4;
  out[j++] = Math.log1p(sentences) / 4;
  out[j++] = Math.log1p(words) / 8;
  out[j++] = endsWithQuestion(text) ? 1 : 0;
  out[j++] = Math.min(1, longest / 10);
  for (const k of CATEGORIES) out[j++] = Math.min(1, c.scores[k] / 6);
  const script = scriptOf(c.language);
  for (const s of SCRIPTS) out[j++] = s === script ? 1 : 0;
  out[j++] = Math.log1p(decimals) / 2;
  out[j++] = Math.log1p(fractions + fractionWords) / 2;
  out[j++] = Math.log1p(percent + percentWords) / 2;
  out[j++] = Math.log1p(money) / 2;
  out[j++] = Math.log1p(distinct) / 4;
}
