/**
 * A local prompt classifier: offline, deterministic, and ~15 µs for a 2 KB prompt, so the
 * router can run it on every prompt. Categories are scored from named signals, and the names
 * are what `mmr route` prints, so users see why a prompt landed where it did.
 *
 * Signals (weights in SIGNALS; a vocabulary family counts each distinct word once):
 *   code-fence       a ``` or ~~~ fence                                           → code
 *   code-syntax      `;`/`{` at line ends, `=>`, `==`, `&&`, `.method(`, `()`, `</tag>`   → code
 *   code-words       python, function, bug, sql, regex, "write a function", …     → code
 *   math-expression  `3 + 4`, `x^2`, `4z`, `f(x)`, `58%`, √ ∑ ∫ π ≤ ≥              → math
 *   arithmetic       numbers either side of an operator: `17 * 23`, `3 times 7`, `17乘以23` → math
 *   latex-math       TeX: `$x^2+1$`, \frac, \sqrt, ^{…}, [asy] figures                   → math
 *   math-words       equation, probability, remainder, triangle, …                 → math
 *   word-problem     "how many / what is the total …", money/units or math words, with 2+ numbers (one in digits) or 3+ → math
 *   translate-into   "translate … into French", "how do you say … in German"       → translation
 *   translate-words  translate, traduire, übersetzen, 翻译, перевести, …            → translation
 *   summarize        summarize, TL;DR, recap, key points, "in one sentence"        → summarization
 *   extract-words    extract, named entities, parse, classify, …                   → extraction
 *   extract-as-json  extract/list/return … as JSON / CSV / a table / "in the format" → extraction
 *   structured-output  json, csv, yaml                                             → extraction
 *   writing-words    essay, poem, story, email, blog, rewrite, proofread, …        → writing
 *   write-verb       write, compose, draft (weak: "write a function" is code)      → writing
 *   reasoning-words  riddle, puzzle, deduce, premise, …                            → reasoning
 *   puzzle-phrase    "true, false, or uncertain", "which word does not belong", … → reasoning
 *   puzzle-question  "how many …" without the numbers of a word problem            → reasoning
 *   kinship          brother, sister, father (family-relation puzzles)             → reasoning
 *   step-by-step     "step by step", "explain your reasoning"                       → reasoning
 *   roleplay         "act as", "pretend", "you are a …" (role-play is creative writing) → writing
 *   greeting         hi, hello, thanks                                             → chat
 * The vocabularies include common words of Chinese, Japanese, Korean, Russian, Spanish, French,
 * German, Italian and Portuguese prompts (code, math, writing, question words). The highest score
 * wins; ties go to the earlier (more specific) entry of CATEGORIES; below MIN_SCORE the prompt is
 * `chat`. Tuned on MT-Bench and half of the ZeroEval prompts; measured on the other half, on GSM8K
 * and on MMLU (bench/classifier.ts; README).
 */
export const CATEGORIES = ['translation', 'summarization', 'extraction', 'code', 'math', 'reasoning', 'writing', 'chat'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Only this much of a prompt is scanned (classifier and rule regexes), in UTF-16 code units. */
export const MAX_SCAN_CHARS = 64 * 1024;
/** A category needs at least this score to beat `chat`. */
export const MIN_SCORE = 1.5;

export interface Classification {
  category: Category;
  /** Score per category: the sum of the weights of the signals that fired. */
  scores: Record<Category, number>;
  /** Signals that fired, e.g. `code-fence`, `code-words(python, function)`, `word-problem(how many, 4 numbers)`. */
  signals: string[];
  /** A fence, or enough code-like syntax (3+ matches) to call it code. */
  hasCode: boolean;
  /** ISO 639-1 guess from the script and common words (`en`, `fr`, `zh`, …); `und` when there are no letters. */
  language: string;
  /** Prompt length in UTF-16 code units (the whole prompt, not just the scanned part). */
  chars: number;
  /** Rough token count: chars/4 for alphabetic scripts, one per character for Chinese/Japanese/Korean. */
  estTokens: number;
}

/** What the router reuses so a prompt is lower-cased and scanned once per decision. */
export interface PromptScan {
  classification: Classification;
  /** The scanned part of the prompt (at most MAX_SCAN_CHARS). */
  text: string;
  /** `text` lower-cased. */
  lower: string;
}

import { SIGNALS, type Family, type Signal } from './classify-words.js';
import { guessLanguage } from './language.js';

const LEXICON = new Map<string, Family>();
for (const [name, s] of Object.entries(SIGNALS) as Array<[Family, Signal]>) {
  for (const w of s.words?.split('|') ?? []) LEXICON.set(w, name);
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
// Longest first so "blog post" wins over "blog". The leading non-word character and the
// lookahead are word boundaries that know accented and Cyrillic letters (JS's \b does not);
// CJK entries thereby match as substrings. Consuming the leading character instead of a
// lookbehind halves the scan time.
/** Lower-case letters and digits that make up words, as a regex class body (shared with rule keywords). */
export const WORD_CHARS = 'a-z0-9_\\u00c0-\\u024f\\u0400-\\u04ff';
const LEXICON_RE = new RegExp(
  `[^${WORD_CHARS}](?:${[...LEXICON.keys()].sort((a, b) => b.length - a.length).map(escape).join('|')})(?![${WORD_CHARS}])`,
  'g',
);
// Every alternative starts with punctuation, which keeps the scan at ~1 µs per 2 KB.
const CODE_RE = /[;{] *\n|=>|[=!]==?|&&|\|\||:=|<\/[a-z]+>|\.\w+\(|\(\)/g;
const OPS_RE = /[-+*/×÷^=<>%(√∑∫π≤≥≠±]/g;
const NUMBER_RE = /\d+(?:[.,]\d+)*/g;
// `17 * 23`, `12.5 / 4`, `3 times 7`, `17乘以23`: numbers on both sides of an operator (not a date or range).
const ARITHMETIC_RE = /\d+(?:[.,]\d+)?\s*(?:[+*/×÷^]|\s-\s|\s(?:times|plus|minus|divided by|multiplied by|mal|fois|por|per)\s|乘以?|除以|加上?|减去?)\s*\d+(?:[.,]\d+)?/;
// TeX math: inline `$…$` holding an operator or a command, \frac, \sqrt, ^{…}, [asy] figures.
const LATEX_RE = /\\(?:frac|dfrac|sqrt|cdot|times|le|ge|leq|geq|neq|pi|sum|int|binom|angle|triangle|circ|infty|lfloor|rfloor|pmod|mathbf|mathrm|overline)\b|[_^]\{|\$[^$\n]{1,80}[=+^<>\\][^$\n]{0,80}\$|\[asy\]/g;
const TRANSLATE_INTO_RE =
  /\b(?:translat\w*|render|put)\b[^\n]{0,120}?\b(?:into|to|in)\s+(english|french|german|spanish|italian|portuguese|dutch|russian|chinese|mandarin|japanese|korean|arabic|hindi|turkish|polish|swedish|greek|hebrew|ukrainian|vietnamese|thai|indonesian)\b|\bhow (?:do|would) (?:you|i) say\b[^?\n]{0,120}?\bin (\w+)/;
const EXTRACT_AS_RE = /\b(?:extract|identify|list|pull out|parse|return|output|give|present|format)\b[^]{0,200}?\b(json|csv|yaml|table|key-value|in the format)\b/;

function count(re: RegExp, text: string, cap: number): number {
  re.lastIndex = 0;
  let n = 0;
  while (n < cap && re.exec(text)) n++;
  re.lastIndex = 0;
  return n;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => c >= 97 && c <= 122;

/** 'n' for a number, ')' or '(' ; 'v' for a lone letter (a variable); '' for anything else. */
function operand(s: string, i: number, step: 1 | -1): string {
  if (s.charCodeAt(i) === 32) i += step;
  const c = s.charCodeAt(i);
  if (isDigit(c) || c === 40 || c === 41) return 'n';
  if (isLetter(c)) {
    if (isLetter(s.charCodeAt(i + step))) return isDigit(s.charCodeAt(i - step)) ? 'n' : ''; // `4z` is a term
    return isLetter(s.charCodeAt(i - step)) ? '' : 'v';
  }
  return '';
}

/** Arithmetic between numbers or one-letter variables, `f(x)`, `58%`, math symbols. */
function mathExpressions(lower: string, cap: number): number {
  let n = 0;
  OPS_RE.lastIndex = 0;
  for (let m = OPS_RE.exec(lower); m && n < cap; m = OPS_RE.exec(lower)) {
    const i = m.index;
    const op = m[0];
    if (op === '%') n += operand(lower, i - 1, -1) === 'n' ? 1 : 0;
    else if (op === '(') n += /^\([a-z0-9]\)/.test(lower.slice(i, i + 3)) && operand(lower, i - 1, -1) === 'v' ? 1 : 0;
    else if (op.charCodeAt(0) > 0x2000 || op === 'π') n++;
    else {
      const a = operand(lower, i - 1, -1);
      const b = operand(lower, i + 1, 1);
      // `2022-01-31` and `1-5` are dates and ranges, not subtraction (`x-ray` already fails: `ray` is a word).
      const tight = op === '-' && a === 'n' && b === 'n' && lower.charCodeAt(i - 1) !== 32 && lower.charCodeAt(i + 1) !== 32;
      if (a && b && !tight) n++;
    }
  }
  OPS_RE.lastIndex = 0;
  return n;
}

/** Classify a prompt and keep the lower-cased text for the router. */
export function scanPrompt(prompt: string): PromptScan {
  const text = prompt.length > MAX_SCAN_CHARS ? prompt.slice(0, MAX_SCAN_CHARS) : prompt;
  const lower = text.toLowerCase();
  const scores = { translation: 0, summarization: 0, extraction: 0, code: 0, math: 0, reasoning: 0, writing: 0, chat: 0 };
  const signals: string[] = [];
  const fire = (name: Family, times: number, detail?: string) => {
    const s = SIGNALS[name];
    if (s.category) scores[s.category] += Math.min(s.cap, s.weight * times);
    signals.push(detail ? `${name}(${detail})` : name);
  };

  // One pass finds the vocabulary of every family; a word counts once however often it appears.
  const hits = new Map<Family, string[]>();
  for (const hit of ` ${lower}`.match(LEXICON_RE) ?? []) {
    const m = hit.slice(1);
    const family = LEXICON.get(m)!;
    const list = hits.get(family);
    if (!list) hits.set(family, [m]);
    else if (!list.includes(m)) list.push(m);
  }
  const take = (f: Family) => {
    const words = hits.get(f) ?? [];
    hits.delete(f);
    return words;
  };

  const fence = text.includes('```') || text.includes('~~~');
  if (fence) fire('code-fence', 1);
  const syntax = count(CODE_RE, text, 20);
  if (syntax > 0) fire('code-syntax', syntax, String(syntax));
  const hasCode = fence || syntax >= 3;

  const arithmetic = ARITHMETIC_RE.exec(lower);
  if (arithmetic && !hasCode) fire('arithmetic', 1, arithmetic[0].trim());
  const latex = count(LATEX_RE, text, 10);
  if (latex > 0) fire('latex-math', latex, String(latex));
  const maths = mathExpressions(lower, 20);
  if (maths > 0 && !(hasCode && maths < 3)) fire('math-expression', maths, String(maths));
  const digits = count(NUMBER_RE, text, 50);
  const numbers = digits + take('number-words').length;
  const questions = take('question');
  const units = take('quantities');
  if (!hasCode && ((digits >= 1 && numbers >= 2) || numbers >= 3) && (questions.length > 0 || units.length >= 2 || hits.has('math-words'))) {
    fire('word-problem', 1, `${[...questions, ...units].slice(0, 3).join(', ')}; ${numbers} numbers`);
  } else if (questions.length > 0) fire('puzzle-question', 1, questions[0]);
  if (hits.has('translate-words')) {
    const into = TRANSLATE_INTO_RE.exec(lower);
    if (into) fire('translate-into', 1, into[1] ?? into[2]);
  }
  if (hits.has('structured-output') || hits.has('extract-words')) {
    const as = EXTRACT_AS_RE.exec(lower);
    if (as) fire('extract-as-json', 1, as[1]);
  }
  for (const [family, words] of hits) fire(family, words.length, words.slice(0, 4).join(', '));

  let category: Category = 'chat';
  let top = MIN_SCORE - 1e-9;
  for (const c of CATEGORIES) if (scores[c] > top) [category, top] = [c, scores[c]];
  const language = guessLanguage(text, lower);
  const chars = prompt.length;
  const estTokens = Math.ceil(language === 'zh' || language === 'ja' || language === 'ko' ? chars : chars / 4);
  return { classification: { category, scores, signals, hasCode, language, chars, estTokens }, text, lower };
}

/** Classify a prompt: category, per-category scores and the signals that fired. */
export function classify(prompt: string): Classification {
  return scanPrompt(prompt).classification;
}
