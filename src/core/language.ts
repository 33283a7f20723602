/**
 * The language of a prompt, for `language:` rule conditions and the classifier's report: the
 * dominant script of its first 1 KB (CJK, Cyrillic with Ukrainian told apart, Arabic, Hebrew,
 * Greek, Devanagari, Thai), then, for Latin script, common words and diacritics of English,
 * French, German, Spanish, Italian, Portuguese and Dutch. `und` when there is nothing to go on.
 * Pure and allocation-light: it runs on every routed prompt.
 */
const STOPWORDS: Record<string, string> = {
  en: 'the and of to is are you what how with for this that please in it on as be has have many does do my',
  fr: 'le la les des est une et vous pour dans que qui avec sur je tu cette ce pas bonjour merci peux',
  de: 'der die das und ist nicht ein eine mit für ich sie wie auf bitte danke kannst mir',
  es: 'el los las es una por para con que del como está hola gracias puedes qué muy pero',
  it: 'il gli della che è per con sono una non come anche ciao grazie puoi',
  pt: 'um uma não com para que é do da em você olá obrigado muito',
  nl: 'de het een en is van niet met voor dat op zijn je',
};
/** Letters that only some Latin-script languages use; each one counts as a common word. */
const DIACRITICS: Record<string, string> = { fr: 'çèêëàâîïôûœ', de: 'äöüß', es: 'ñ¿¡', pt: 'ãõ', it: 'ìò' };
/** Languages with common words, English first (it wins ties); counts are kept by index into this. */
const LATIN_LANGS = Object.keys(STOPWORDS);
const STOP_INDEX = new Map<string, number[]>();
for (const [lang, words] of Object.entries(STOPWORDS)) {
  for (const w of words.split(' ')) STOP_INDEX.set(w, [...(STOP_INDEX.get(w) ?? []), LATIN_LANGS.indexOf(lang)]);
}
const DIACRITIC_INDEX = new Map<string, number[]>();
for (const [lang, letters] of Object.entries(DIACRITICS)) {
  for (const ch of letters) DIACRITIC_INDEX.set(ch, [...(DIACRITIC_INDEX.get(ch) ?? []), LATIN_LANGS.indexOf(lang)]);
}
const latinCounts = new Int32Array(LATIN_LANGS.length);
const LATIN_WORD_RE = /[a-zà-ÿ]+/g;
const NON_ASCII_RE = /[^\x00-\x7f]/;
const NO_LETTER_RE = /^[^a-z]*$/i;

/** Language of a prompt: the dominant script of its first 1 KB, then common words for Latin script. */
export function guessLanguage(text: string, lower: string): string {
  const n = Math.min(text.length, 1024);
  if (!NON_ASCII_RE.test(n < text.length ? text.slice(0, n) : text)) return NO_LETTER_RE.test(text) ? 'und' : latinLanguage(lower);
  const s = { latin: 0, zh: 0, ja: 0, ko: 0, ru: 0, uk: 0, ar: 0, he: 0, el: 0, hi: 0, th: 0 };
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) s.latin += (c | 32) >= 97 && (c | 32) <= 122 ? 1 : 0;
    else if (c <= 0x024f) s.latin++;
    else if (c >= 0x4e00 && c <= 0x9fff) s.zh += 3; // a CJK character carries about a word
    else if (c >= 0x3040 && c <= 0x30ff) s.ja += 3;
    else if (c >= 0xac00 && c <= 0xd7af) s.ko += 2;
    else if (c >= 0x0400 && c <= 0x04ff) s[c === 0x456 || c === 0x457 || c === 0x454 || c === 0x491 ? 'uk' : 'ru']++;
    else if (c >= 0x0600 && c <= 0x06ff) s.ar++;
    else if (c >= 0x0590 && c <= 0x05ff) s.he++;
    else if (c >= 0x0370 && c <= 0x03ff) s.el++;
    else if (c >= 0x0900 && c <= 0x097f) s.hi++;
    else if (c >= 0x0e00 && c <= 0x0e7f) s.th++;
  }
  // Japanese text mixes kanji with kana; any kana makes the Han characters Japanese.
  if (s.ja > 0) [s.ja, s.zh] = [s.ja + s.zh, 0];
  // Ukrainian shares most letters with Russian; its own letters decide.
  if (s.uk > 0) [s.uk, s.ru] = [s.uk + s.ru, 0];
  let best: keyof typeof s = 'latin';
  for (const k of Object.keys(s) as Array<keyof typeof s>) if (s[k] > s[best]) best = k;
  if (s[best] === 0) return 'und';
  return best === 'latin' ? latinLanguage(lower) : best;
}

/** Among Latin-script languages, the one whose common words appear most in the first 300 chars. */
function latinLanguage(lower: string): string {
  const counts = latinCounts.fill(0);
  const sample = lower.slice(0, 300);
  if (NON_ASCII_RE.test(sample)) {
    for (const ch of sample) for (const l of DIACRITIC_INDEX.get(ch) ?? []) counts[l]++;
  }
  LATIN_WORD_RE.lastIndex = 0;
  for (let m = LATIN_WORD_RE.exec(sample); m; m = LATIN_WORD_RE.exec(sample)) {
    const langs = STOP_INDEX.get(m[0]);
    if (langs) for (const l of langs) counts[l]++;
  }
  LATIN_WORD_RE.lastIndex = 0;
  // English wins ties and needs no evidence: mixed prompts (code, names, variables) are mostly English.
  let lang = 0;
  for (let l = 1; l < counts.length; l++) if (counts[l] > counts[lang] && counts[l] >= 2) lang = l;
  return LATIN_LANGS[lang];
}
