/**
 * Prompt features for the learned router, computed locally in microseconds: hashed word
 * unigrams and bigrams (CJK characters count as words, and so does each symbol, so code and
 * formulas have a shape), hashed character trigrams of words, and a few dense signals (length,
 * digits, lines, code, the classifier's category scores and the script). Feature hashing
 * (Weinberger et al., 2009) needs no vocabulary at prediction time, so a router file holds only
 * the weights of the hashed ids it saw in training.
 */
import { CATEGORIES, scanPrompt, type Classification } from '../core/classify.js';

/** Hashed space size (a power of two). Stored in the router file; changing it changes the format. */
export const HASH_BITS = 20;
const MASK = (1 << HASH_BITS) - 1;
/** Dense features live above the hashed space. */
export const DENSE_BASE = 1 << HASH_BITS;
const SCRIPTS = ['latin', 'cjk', 'cyrillic', 'other'] as const;
export const DENSE_NAMES = ['length', 'digits', 'lines', 'code', 'numbers', 'sentences', 'words', 'question', 'longest number', ...CATEGORIES.map((c) => `category:${c}`), ...SCRIPTS.map((s) => `script:${s}`)];
/** Features only read this much of a prompt (UTF-16 code units). */
export const FEATURE_CHARS = 16 * 1024;

/** A sparse, L2-normalised feature vector: parallel arrays of ids and values, ids ascending. */
export interface SparseVec {
  idx: Int32Array;
  val: Float32Array;
}

/** FNV-1a over s[from, to), seeded so unigrams, bigrams and trigrams do not collide by design. */
function hash(s: string, from: number, to: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
/** A bigram's id from its two words' hashes (no string is built). */
const pair = (a: number, b: number) => (Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) ^ 0x2545f491) >>> 0;

/** Every id a prompt produces goes here; sorting and run-length counting beats a Map ~3×. */
let scratch = new Int32Array(8192);

// Words (letters/digits/underscore runs), single CJK characters, or single symbols.
const TOKEN_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

function scriptOf(text: string): (typeof SCRIPTS)[number] {
  let latin = 0, cjk = 0, cyr = 0, other = 0;
  const n = Math.min(text.length, 2048);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) latin += (c | 32) >= 97 && (c | 32) <= 122 ? 1 : 0;
    else if (c <= 0x24f) latin++;
    else if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af)) cjk += 3;
    else if (c >= 0x400 && c <= 0x4ff) cyr++;
    else if (c >= 0x370) other++;
  }
  const best = Math.max(latin, cjk, cyr, other);
  return best === 0 || best === latin ? 'latin' : best === cjk ? 'cjk' : best === cyr ? 'cyrillic' : 'other';
}

/** The feature vector of a prompt. Deterministic; ~20–60 µs for 2 KB (bench/learned.ts). */
export function featurize(prompt: string, classification?: Classification): SparseVec {
  const text = prompt.length > FEATURE_CHARS ? prompt.slice(0, FEATURE_CHARS) : prompt;
  const lower = text.toLowerCase();
  let n = 0;
  const add = (id: number) => {
    if (n === scratch.length) {
      const bigger = new Int32Array(n * 2);
      bigger.set(scratch);
      scratch = bigger;
    }
    scratch[n++] = id;
  };
  let prev = 0;
  let words = 0;
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(lower); m; m = TOKEN_RE.exec(lower)) {
    words++;
    const start = m.index;
    const end = start + Math.min(m[0].length, 24);
    const h = hash(lower, start, end, 1);
    add(h & MASK);
    if (prev) add(pair(prev, h) & MASK);
    if (end - start >= 5) for (let i = start; i + 3 <= end; i++) add(hash(lower, i, i + 3, 3) & MASK);
    prev = h || 1;
  }
  const c = classification ?? scanPrompt(text).classification;
  // Each classifier signal that fired is a word of its own (`§code-syntax`), so signals count as evidence too.
  for (const sig of c.signals) {
    const name = `§${sig.replace(/\(.*$/, '')}`;
    add(hash(name, 0, name.length, 1) & MASK);
  }
  // Sublinear counts, then unit length: long prompts do not drown short ones.
  const sorted = scratch.subarray(0, n).sort();
  const idList: number[] = [];
  const valList: number[] = [];
  let sq = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const v = 1 + Math.log(j - i);
    idList.push(sorted[i]);
    valList.push(v);
    sq += v * v;
    i = j;
  }
  const ids = idList;
  const vals = valList;
  const norm = Math.sqrt(sq) || 1;
  const digits = (text.match(/\d/g)?.length ?? 0) / Math.max(1, text.length);
  const lines = text.split('\n').length;
  const numbers = text.match(/\d+(?:[.,]\d+)*/g) ?? [];
  const sentences = text.split(/[.!?。！？]+\s/).length;
  const dense = [
    Math.log1p(prompt.length) / 8,
    Math.min(1, digits * 5),
    Math.log1p(lines) / 4,
    c.hasCode ? 1 : 0,
    Math.log1p(numbers.length) / 4,
    Math.log1p(sentences) / 4,
    Math.log1p(words) / 8,
    /\?\s*$/.test(text) ? 1 : 0,
    Math.min(1, Math.max(0, ...numbers.map((x) => x.length)) / 10),
    ...CATEGORIES.map((k) => Math.min(1, c.scores[k] / 6)),
    ...SCRIPTS.map((s) => (s === scriptOf(text) ? 1 : 0)),
  ];
  const idx = new Int32Array(ids.length + dense.length);
  const val = new Float32Array(ids.length + dense.length);
  ids.forEach((id, i) => {
    idx[i] = id;
    val[i] = vals[i] / norm;
  });
  dense.forEach((v, j) => {
    idx[ids.length + j] = DENSE_BASE + j;
    val[ids.length + j] = v;
  });
  return { idx, val };
}

/** Cosine similarity of two hashed parts (dense features excluded), both sorted by id. */
export function cosine(a: SparseVec, b: SparseVec): number {
  let i = 0, j = 0, s = 0;
  while (i < a.idx.length && j < b.idx.length) {
    const x = a.idx[i], y = b.idx[j];
    if (x >= DENSE_BASE || y >= DENSE_BASE) break;
    if (x === y) s += a.val[i++] * b.val[j++];
    else if (x < y) i++;
    else j++;
  }
  return s;
}
