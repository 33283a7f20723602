/**
 * "Did you mean" for config keys and provider ids. Typos in a config file are the commonest
 * config error, and naming the right key fixes them in one read.
 */

/** Lowercase without `_`/`-`, so `max_tokens` and `MaxTokens` both meet `maxTokens`. */
function fold(s: string): string {
  return s.toLowerCase().replace(/[_-]/g, '');
}

/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string alignment):
 * `fsat` → `fast` is one typo, not two. Inputs are short keys, so the full table is fine.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate within a typo's distance, or undefined when nothing is close. */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  const f = fold(input);
  const exactFold = candidates.find((c) => fold(c) === f);
  if (exactFold) return exactFold;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(f, fold(c));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(f.length / 3)));
  return bestD <= limit ? best : undefined;
}

/** ` (did you mean "x"?)` or empty, ready to append to a message. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const s = suggest(input, candidates);
  return s ? ` (did you mean "${s}"?)` : '';
}
