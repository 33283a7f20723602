/**
 * Regexes in routing rules: compiled once at load, and refused when their shape can make V8's
 * backtracking engine hang on a long prompt. Kept apart from the router because the safety
 * check is a small regex parser of its own.
 */

import { REGEX_SCAN_CHARS } from '../core/router.js';

export { REGEX_SCAN_CHARS };

/** `pattern` → case-insensitive; `/pattern/flags` → those flags. Returns the RegExp, or why not. */
export function compileRegex(written: string): RegExp | string {
  const lit = /^\/(.+)\/([a-z]*)$/s.exec(written);
  const [source, flags] = lit ? [lit[1], lit[2]] : [written, 'i'];
  const badFlag = [...flags].find((f) => !'imsu'.includes(f));
  if (badFlag) return `flag "${badFlag}" is not supported in /${source}/${flags}; use i, m, s or u`;
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    return `invalid regex: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  const hazard = regexHazard(source, flags);
  return hazard ? `regex /${source}/ is unsafe: ${hazard}` : re;
}

/** One parsed piece of a pattern: a character-ish atom or a group, with its repeat. */
interface Atom {
  /** The pattern text, quantifier included (for messages). */
  src: string;
  /** Groups: the alternatives, each a sequence. */
  inner?: Atom[][];
  /** Which sample characters it can consume (groups: any character inside). */
  all: boolean[];
  /** Which sample characters a match can start with. */
  first: boolean[];
  min: number;
  max: number;
  /** Anchors, \b and lookarounds: they consume nothing. */
  zero: boolean;
  /** How many different lengths it can match, capped at REGEX_SCAN_CHARS (1 = fixed length). */
  span: number;
}

const N = REGEX_SCAN_CHARS;
const overlap = (a: boolean[], b: boolean[]) => a.some((x, i) => x && b[i]);
const union = (a: boolean[], b: boolean[]) => a.map((x, i) => x || b[i]);

/** Whether the atom can match some non-empty text made only of `mask` characters. */
function fits(a: Atom, mask: boolean[]): boolean {
  if (a.zero) return true;
  if (!a.inner) return overlap(a.all, mask);
  return a.inner.some((seq) => seq.some((x) => !x.zero) && seq.every((x) => x.min === 0 || fits(x, mask)));
}

/**
 * Two variable-length pieces that can both eat the same run of text, with nothing between them
 * that stops either, make the engine try every split: n starts × span × span steps. One
 * unbounded repeat (n²) is allowed; a second overlapping one, or bounded ones whose spans
 * multiply past n, are refused (`.*a.*x`, `\d+\d+`, `\w+\s*\w+`, `.{0,200}x.{0,200}`).
 */
function checkSequence(seq: Atom[], flag: (msg: string) => void): void {
  const varying = seq.map((a, k) => ({ a, k })).filter(({ a }) => !a.zero && a.span > 1);
  for (let x = 0; x < varying.length; x++) {
    for (let y = x + 1; y < varying.length; y++) {
      const [p, q] = [varying[x].a, varying[y].a];
      if ((p.span - 1) * (q.span - 1) <= N) continue;
      const between = seq.slice(varying[x].k + 1, varying[y].k).filter((b) => !b.zero && b.min > 0);
      if (fits(p, q.all) && fits(q, p.all) && between.every((b) => fits(b, p.all) && fits(b, q.all))) {
        flag(`"${p.src}" and "${q.src}" can consume the same text, which takes polynomial time on a long prompt; make one of them unable to match what the other does, or bound both, e.g. .{0,80}`);
      }
    }
  }
}

/** A repeated group is exponential when its rounds can split the text in many ways. */
function checkRepeat(atom: Atom, flag: (msg: string) => void): void {
  const inner = atom.inner;
  if (!inner || atom.max <= 1) return;
  if (inner.length > 1) {
    const firsts = inner.map((seq) => seq.find((a) => !a.zero)?.first ?? []);
    if (firsts.some((f, k) => firsts.slice(k + 1).some((g) => overlap(f, g)))) {
      flag(`"${atom.src}" repeats alternatives that can start with the same character, which can take exponential time; make them distinct or drop the repeat`);
    }
  }
  // A variable piece followed by something that can take the same characters (wrapping round to
  // the next round's start when the rest is optional) lets rounds split the text in many ways:
  // `(a+)+`, `(\w+\s?)*`, `((a)*[ab])+`. `(\d+,)*` and `(ab+)*` are fine.
  for (const seq of inner) {
    const real = seq.filter((a) => !a.zero);
    real.forEach((v, k) => {
      if (v.span <= 1) return;
      let follow = atom.first.map(() => false);
      let wraps = true;
      for (const next of real.slice(k + 1)) {
        follow = union(follow, next.first);
        if (next.min > 0) {
          wraps = false;
          break;
        }
      }
      if (wraps) follow = union(follow, atom.first);
      if (overlap(v.all, follow)) {
        flag(`"${atom.src}" repeats a group whose parts can take the same characters ("${v.src}"), which can take exponential time; e.g. write (a+)+ as a+`);
      }
    });
  }
}

const SAMPLE = "\t\n\r !\"#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~éßж中\u00a0";

/**
 * Why a pattern can backtrack catastrophically, or null. Character sets are compared by
 * testing a sample alphabet (plus the pattern's own characters) against each atom, so
 * classes, escapes and the i flag are judged by V8 itself rather than re-implemented here.
 */
export function regexHazard(source: string, flags: string): string | null {
  const f = flags.replace(/[gy]/g, '');
  const sample = [...new Set([...SAMPLE, ...source])];
  const none = () => sample.map(() => false);
  const maskOf = (piece: string): boolean[] => {
    try {
      const re = new RegExp(`^(?:${piece})$`, f);
      return sample.map((ch) => re.test(ch));
    } catch {
      return sample.map(() => true);
    }
  };
  let hazard: string | null = null;
  const flag = (msg: string) => void (hazard ??= msg);
  let i = 0;

  const parseGroupBody = (): Atom => {
    const look = /^(?:\?(?:<?[=!]|:|<[^>]*>))?/.exec(source.slice(i))![0];
    i += look.length;
    const inner = parseAlts();
    i++; // ')'
    let first = none();
    let all = none();
    let span = 0;
    for (const seq of inner) {
      let lengths = 1;
      let leading = true;
      for (const a of seq) {
        if (a.zero) continue;
        all = union(all, a.all);
        if (leading) first = union(first, a.first);
        if (a.min > 0) leading = false;
        lengths = Math.min(N, lengths * a.span);
      }
      span = Math.min(N, span + lengths);
    }
    inner.forEach((seq) => checkSequence(seq, flag));
    return { src: '', inner, all, first, min: 1, max: 1, zero: /[=!]$/.test(look), span: Math.max(1, span) };
  };

  const parseAlts = (): Atom[][] => {
    const alts: Atom[][] = [[]];
    while (i < source.length && source[i] !== ')') {
      const start = i;
      const c = source[i];
      if (c === '|') {
        alts.push([]);
        i++;
        continue;
      }
      let atom: Atom;
      if (c === '(') {
        i++;
        atom = parseGroupBody();
      } else if (c === '^' || c === '$') {
        i++;
        atom = { src: c, all: none(), first: none(), min: 1, max: 1, zero: true, span: 1 };
      } else {
        if (c === '[') {
          i += source[i + 1] === '^' ? 2 : 1;
          while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
          i++;
        } else if (c === '\\') {
          i += /^\\(?:[upP]\{[^}]*\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|c[A-Za-z]|k<[^>]*>|[1-9]\d*|[\s\S])/.exec(source.slice(i))![0].length;
        } else i++;
        const piece = source.slice(start, i);
        const zero = piece === '\\b' || piece === '\\B';
        const backref = /^\\([1-9]|k<)/.test(piece);
        const mask = zero ? none() : backref ? sample.map(() => true) : maskOf(piece);
        atom = { src: piece, all: mask, first: mask, min: 1, max: 1, zero, span: backref ? N : 1 };
      }
      const q = /^(?:[*+?]|\{(\d+)(?:(,)(\d*))?\})\??/.exec(source.slice(i));
      if (q) {
        i += q[0].length;
        const t = q[0][0];
        atom.min = t === '+' ? 1 : t === '{' ? Number(q[1]) : 0;
        atom.max = t === '?' ? 1 : t === '{' ? (q[2] ? (q[3] ? Number(q[3]) : Infinity) : Number(q[1])) : Infinity;
        const rounds = atom.max === Infinity ? N : Math.min(N, atom.max - atom.min + 1);
        atom.span = atom.span === 1 ? rounds : Math.min(N, atom.span * (atom.max === Infinity ? N : Math.max(1, atom.max)));
      }
      atom.src = source.slice(start, i);
      if (q) checkRepeat(atom, flag);
      alts[alts.length - 1].push(atom);
    }
    return alts;
  };

  parseAlts().forEach((seq) => checkSequence(seq, flag));
  return hazard;
}
