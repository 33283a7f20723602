/**
 * Interval estimates for pass rates. A bench pass rate is a proportion over cases, so it gets a
 * Wilson score interval (good at 0% and 100% and for small n, unlike the normal approximation).
 * Under `--repeat N` the samples of one case are not independent, so the interval uses the
 * effective sample size from the spread of per-case pass rates (a cluster-robust variance):
 * between the number of cases (samples fully correlated) and the number of samples (independent).
 */

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/** Wilson score interval for `p` observed over `n` independent trials, as [low, high] in 0–1. */
export function wilson(p: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * pass@1 and its 95% interval from per-case results: `cells[i] = [passed, samples]`.
 * pass@1 is the mean over all samples (every case has the same number of samples in a run).
 */
export function passAt1(cells: [number, number][]): { rate: number; low: number; high: number } | null {
  const k = cells.length;
  if (k === 0) return null;
  let passed = 0;
  let samples = 0;
  for (const [p, n] of cells) {
    passed += p;
    samples += n;
  }
  if (samples === 0) return null;
  const rate = passed / samples;
  let nEff = samples;
  if (samples > k) {
    // Variance of the per-case rates around the pooled rate → standard error of the mean over cases.
    let ss = 0;
    for (const [p, n] of cells) ss += (p / n - rate) ** 2;
    const se2 = k > 1 ? ss / (k - 1) / k : 0;
    if (rate === 0 || rate === 1) nEff = k;
    else if (se2 > 0) nEff = Math.min(samples, Math.max(k, (rate * (1 - rate)) / se2));
  }
  const [low, high] = wilson(rate, nEff);
  return { rate, low, high };
}

/**
 * pass@1 as `passAt1` computes it, from sums folded cell by cell (summary-parts.ts ClusterSums):
 * the summary need not keep every cell.
 */
export function passAt1FromSums(c: { cells: number; passed: number; samples: number; spread(rate: number): number }): { rate: number; low: number; high: number } | null {
  const k = c.cells;
  if (k === 0 || c.samples === 0) return null;
  const rate = c.passed / c.samples;
  let nEff = c.samples;
  if (c.samples > k) {
    const se2 = k > 1 ? c.spread(rate) / (k - 1) / k : 0;
    if (rate === 0 || rate === 1) nEff = k;
    else if (se2 > 0) nEff = Math.min(c.samples, Math.max(k, (rate * (1 - rate)) / se2));
  }
  const [low, high] = wilson(rate, nEff);
  return { rate, low, high };
}
