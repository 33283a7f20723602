/**
 * Prompt features for the learned router, computed locally in microseconds: hashed word
 * unigrams and bigrams (CJK characters count as words, and so does each symbol, so code and
 * formulas have a shape), hashed character trigrams of words, and the dense signals of
 * dense.ts (length, digits, code, category scores, script, word-problem counts). Feature hashing
 * (Weinberger et al., 2009) needs no vocabulary at prediction time, so a router file holds only
 * the weights of the hashed ids it saw in training.
 */
import { scanPrompt, type Classification } from '../core/classify.js';
import { DENSE_NAMES, denseSignals } from './dense.js';

export { DENSE_NAMES } from './dense.js';

/** Hashed space size (a power of two). Stored in the router file; changing it changes the format. */
export const HASH_BITS = 20;
const MASK = (1 << HASH_BITS) - 1;
/** Dense features live above the hashed space. */
export const DENSE_BASE = 1 << HASH_BITS;
/** Features only read this much of a prompt (UTF-16 code units). */
export const FEATURE_CHARS = 16 * 1024;

/** A sparse, L2-normalised feature vector: parallel arrays of ids and values, ids ascending. */
export interface SparseVec {
  idx: Int32Array;
  val: Float32Array;
}

const FNV_PRIME = 0x01000193;
const TRI_SEED = (0x811c9dc5 ^ 3) >>> 0;
/** FNV-1a over s[from, to), seeded so unigrams, bigrams and trigrams do not collide by design. */
function hash(s: string, from: number, to: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
/** A bigram's id from its two words' hashes (no string is built). */
const pair = (a: number, b: number) => (Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) ^ 0x2545f491) >>> 0;

/**
 * Counting without sorting: a small open-addressing table (id → count) that stays in cache, the
 * ids in order of first sight in `touched`, and each id's slot in `slots` so the table is reset
 * after every prompt by clearing only what the prompt used.
 */
let tableBits = 12;
let keys = new Int32Array(1 << tableBits).fill(-1);
let cnts = new Int32Array(1 << tableBits);
let touched = new Int32Array(1 << (tableBits - 1));
let slots = new Int32Array(1 << (tableBits - 1));
let nt = 0;
let raw = new Float64Array(touched.length);
let weights = new Float32Array(touched.length);
function add(id: number): void {
  const mask = keys.length - 1;
  let i = (Math.imul(id, 0x9e3779b1) >>> 0) >>> (32 - tableBits);
  for (let k = keys[i]; k !== id; k = keys[i]) {
    if (k === -1) {
      if (nt === touched.length) return grow(id);
      keys[i] = id;
      cnts[i] = 1;
      slots[nt] = i;
      touched[nt++] = id;
      return;
    }
    i = (i + 1) & mask;
  }
  cnts[i]++;
}
/** The table is half full: double it (rehashing what is in it), then add `id`. */
function grow(id: number): void {
  const old = { keys, cnts, n: nt, touched, slots };
  tableBits++;
  keys = new Int32Array(1 << tableBits).fill(-1);
  cnts = new Int32Array(1 << tableBits);
  touched = new Int32Array(1 << (tableBits - 1));
  slots = new Int32Array(1 << (tableBits - 1));
  raw = new Float64Array(touched.length);
  weights = new Float32Array(touched.length);
  nt = 0;
  for (let k = 0; k < old.n; k++) {
    const c = old.cnts[old.slots[k]];
    add(old.touched[k]);
    cnts[slots[nt - 1]] = c;
  }
  add(id);
}

// Words (letters/digits/underscore runs), single CJK characters, or single symbols.
const TOKEN_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Words that make arithmetic take an extra step (a fraction or multiple of a quantity, a
 * percentage), found by their unigram hash in a small open-addressing table (1 = fraction or
 * multiplier, 2 = percent): one array probe per word.
 */
const FRACTION_WORDS = ['half', 'halves', 'third', 'thirds', 'quarter', 'quarters', 'fourth', 'fourths', 'fifth', 'fifths', 'sixth', 'sixths', 'tenth', 'tenths', 'twice', 'thrice', 'double', 'doubles', 'doubled', 'triple', 'tripled', 'triples'];
const PERCENT_WORDS = ['percent', 'percentage', 'percentages'];
const WORD_KEYS = new Int32Array(256);
const WORD_KIND = new Uint8Array(256);
for (const [kind, list] of [[1, FRACTION_WORDS], [2, PERCENT_WORDS]] as const) {
  for (const w of list) {
    const h = hash(w, 0, w.length, 1) | 0;
    let i = h >>> 24;
    while (WORD_KIND[i]) i = (i + 1) & 255;
    WORD_KEYS[i] = h;
    WORD_KIND[i] = kind;
  }
}
/** 1 (fraction or multiplier), 2 (percent) or 0, for a word's unigram hash. */
function wordKind(h: number): number {
  const key = h | 0;
  for (let i = h >>> 24; WORD_KIND[i]; i = (i + 1) & 255) if (WORD_KEYS[i] === key) return WORD_KIND[i];
  return 0;
}

let prev = 0;
let words = 0;
let fractionWords = 0;
let percentWords = 0;
/** One word or symbol at lower[start, stop): its unigram, the bigram with the word before, its trigrams. */
function token(lower: string, start: number, stop: number): void {
  words++;
  const end = start + Math.min(stop - start, 24);
  const h = hash(lower, start, end, 1);
  add(h & MASK);
  if (stop - start >= 4 && stop - start <= 11) {
    const kind = wordKind(h);
    if (kind === 1) fractionWords++;
    else if (kind === 2) percentWords++;
  }
  if (prev) add(pair(prev, h) & MASK);
  // Trigrams: hash(lower, i, i + 3, 3) written out, no call per position.
  if (end - start >= 5) {
    for (let i = start; i + 3 <= end; i++) {
      const h3 = Math.imul(Math.imul(Math.imul(TRI_SEED ^ lower.charCodeAt(i), FNV_PRIME) ^ lower.charCodeAt(i + 1), FNV_PRIME) ^ lower.charCodeAt(i + 2), FNV_PRIME);
      add((h3 >>> 0) & MASK);
    }
  }
  prev = h || 1;
}

/** A prompt's features as scratch views, valid until the next scan: hashed ids (distinct) with their values, and the dense signals. */
export interface FeatureScan {
  /** Number of hashed ids. */
  n: number;
  /** ids[0, n): hashed ids, ascending when the scan was asked to sort. */
  ids: Int32Array;
  /** vals[k]: the L2-normalised value of ids[k] (float32, as a SparseVec holds it). */
  vals: Float32Array;
  /** One value per DENSE_NAMES entry; its id is DENSE_BASE + index. */
  dense: Float64Array;
}

const denseOut = new Float64Array(DENSE_NAMES.length);

/**
 * Scan a prompt into its features without building a vector: what featurize() returns, as views
 * into scratch space. `sorted`: order the ids ascending (a SparseVec needs it; a prediction does not).
 */
export function scanFeatures(prompt: string, classification: Classification | undefined, sorted: boolean): FeatureScan {
  const text = prompt.length > FEATURE_CHARS ? prompt.slice(0, FEATURE_CHARS) : prompt;
  const lower = text.toLowerCase();
  nt = 0;
  prev = 0;
  words = 0;
  fractionWords = 0;
  percentWords = 0;
  if (NON_ASCII.test(lower)) {
    TOKEN_RE.lastIndex = 0;
    for (let m = TOKEN_RE.exec(lower); m; m = TOKEN_RE.exec(lower)) token(lower, m.index, m.index + m[0].length);
  } else {
    // ASCII: the same split as TOKEN_RE by a scan over character codes (no match objects).
    for (let i = 0; i < lower.length; ) {
      const ch = lower.charCodeAt(i);
      if ((ch >= 97 && ch <= 122) || (ch >= 48 && ch <= 57) || ch === 95) {
        let j = i + 1;
        for (let d = lower.charCodeAt(j); (d >= 97 && d <= 122) || (d >= 48 && d <= 57) || d === 95; d = lower.charCodeAt(++j));
        token(lower, i, j);
        i = j;
      } else {
        if (ch !== 32 && (ch < 9 || ch > 13)) token(lower, i, i + 1);
        i++;
      }
    }
  }
  const c = classification ?? scanPrompt(text).classification;
  // Each classifier signal that fired is a word of its own (`§code-syntax`), so signals count as evidence too.
  for (const sig of c.signals) {
    const paren = sig.indexOf('(');
    const name = `§${paren < 0 ? sig : sig.slice(0, paren)}`;
    add(hash(name, 0, name.length, 1) & MASK);
  }
  // Sublinear counts, then unit length: long prompts do not drown short ones.
  let sq = 0;
  for (let k = 0; k < nt; k++) {
    const slot = slots[k];
    const cnt = cnts[slot];
    keys[slot] = -1;
    const v = cnt === 1 ? 1 : 1 + Math.log(cnt);
    raw[k] = v;
    sq += v * v;
  }
  const ids = touched.subarray(0, nt);
  if (sorted) {
    // Sort ids with their values: by id, through a permutation (ids are distinct).
    sortWith(ids, raw, nt);
  }
  const norm = Math.sqrt(sq) || 1;
  for (let k = 0; k < nt; k++) weights[k] = raw[k] / norm;
  denseSignals(prompt, text, c, words, fractionWords, percentWords, denseOut);
  return { n: nt, ids, vals: weights, dense: denseOut };
}

let order = new Float64Array(0);
/** Sort ids[0, n) ascending, permuting vals[0, n) the same way. */
function sortWith(ids: Int32Array, vals: Float64Array, n: number): void {
  // Pack (id, position) into one double: ids are < 2^21 and positions < 2^26, exact in 53 bits.
  if (order.length < n) order = new Float64Array(touched.length);
  const o = order.subarray(0, n);
  for (let k = 0; k < n; k++) o[k] = ids[k] * 67108864 + k;
  o.sort();
  const v = vals.slice(0, n);
  for (let k = 0; k < n; k++) {
    const p = o[k] % 67108864;
    ids[k] = (o[k] - p) / 67108864;
    vals[k] = v[p];
  }
}

/** The feature vector of a prompt. Deterministic; ~10–30 µs for 2 KB (bench/learned.ts). */
export function featurize(prompt: string, classification?: Classification): SparseVec {
  const { n, ids, vals, dense } = scanFeatures(prompt, classification, true);
  const idx = new Int32Array(n + dense.length);
  const val = new Float32Array(n + dense.length);
  idx.set(ids);
  val.set(vals.subarray(0, n));
  for (let j = 0; j < dense.length; j++) {
    idx[n + j] = DENSE_BASE + j;
    val[n + j] = dense[j];
  }
  return { idx, val };
}
