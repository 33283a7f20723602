/**
 * Quality–cost curves and the routing-literature figures computed from them (RouterBench, Hu et
 * al. 2024; RouteLLM, Ong et al. 2024):
 * - zero-router: the upper convex hull of the single models, i.e. the best any random mixture of
 *   single models achieves at each cost; a router is worth having only above it.
 * - AUC: area under a curve's non-decreasing upper hull over the single models' cost range,
 *   normalised to that range (so it is a mean quality, comparable across sets).
 * - PGR(c) = (Q(c) − q_cheap) / (q_best − q_cheap): how much of the gap between the cheapest model
 *   and the best one is recovered at cost c; APGR = its mean over [c_cheap, c_best]; CPT(x) = the
 *   share of that cost range needed to reach PGR ≥ x. With two models and cost = share of calls to
 *   the strong one, these are exactly RouteLLM's APGR and CPT.
 */

export interface Point {
  /** USD per prompt (or any cost unit). */
  cost: number;
  /** Mean quality, 0–1. */
  quality: number;
}

/** Upper hull, non-decreasing in quality: what can be had at each cost, mixing points at random. */
export function upperHull(points: readonly Point[]): Point[] {
  const pts = [...points].filter((p) => Number.isFinite(p.cost) && Number.isFinite(p.quality)).sort((a, b) => a.cost - b.cost || b.quality - a.quality);
  const hull: Point[] = [];
  for (const p of pts) {
    if (hull.length && p.quality <= hull[hull.length - 1].quality) continue; // dominated: costs more, no better
    while (hull.length >= 2) {
      const [a, b] = [hull[hull.length - 2], hull[hull.length - 1]];
      // b under the chord a→p: a mixture of a and p beats it.
      if ((b.quality - a.quality) * (p.cost - a.cost) <= (p.quality - a.quality) * (b.cost - a.cost)) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

/** Best quality reachable at cost ≤ c on a hull (flat beyond its last point; −∞ before its first). */
export function qualityAt(hull: readonly Point[], c: number): number {
  if (!hull.length || c < hull[0].cost - 1e-15) return -Infinity;
  for (let i = 1; i < hull.length; i++) {
    const [a, b] = [hull[i - 1], hull[i]];
    if (c <= b.cost) return b.cost === a.cost ? b.quality : a.quality + ((b.quality - a.quality) * (c - a.cost)) / (b.cost - a.cost);
  }
  return hull[hull.length - 1].quality;
}

/** Mean of Q over [lo, hi] (numeric, 400 steps); below the curve's first point counts as `floor`. */
export function meanQuality(hull: readonly Point[], lo: number, hi: number, floor: number): number {
  if (!(hi > lo)) return Math.max(floor, qualityAt(hull, hi));
  const steps = 400;
  let s = 0;
  for (let i = 0; i <= steps; i++) {
    const q = qualityAt(hull, lo + ((hi - lo) * i) / steps);
    s += (i === 0 || i === steps ? 0.5 : 1) * Math.max(floor, q);
  }
  return s / steps;
}

export interface CurveFigures {
  /** AUC of the router's hull over the single models' cost range (mean quality). */
  auc: number;
  /** The same for the zero-router. */
  zeroAuc: number;
  apgr: number;
  /** Cost share (0–1 of the cheapest→best range) to recover 50% / 80% of the gap; null if never. */
  cpt50: number | null;
  cpt80: number | null;
}

/** Figures of a router's points against the single models. */
export function curveFigures(router: readonly Point[], singles: readonly Point[]): CurveFigures {
  const zero = upperHull(singles);
  const costs = singles.map((s) => s.cost);
  const [lo, hi] = [Math.min(...costs), Math.max(...costs)];
  const cheap = singles.reduce((a, b) => (b.cost < a.cost || (b.cost === a.cost && b.quality > a.quality) ? b : a));
  const best = singles.reduce((a, b) => (b.quality > a.quality || (b.quality === a.quality && b.cost < a.cost) ? b : a));
  const hull = upperHull(router);
  const floor = cheap.quality;
  const gap = best.quality - cheap.quality;
  const pgr = (c: number) => (gap > 0 ? (Math.max(floor, qualityAt(hull, c)) - cheap.quality) / gap : 1);
  const apgr = gap > 0 ? (meanQuality(hull, cheap.cost, best.cost, floor) - cheap.quality) / gap : 1;
  const cpt = (x: number): number | null => {
    const range = best.cost - cheap.cost;
    for (let i = 0; i <= 1000; i++) {
      const c = cheap.cost + (range * i) / 1000;
      if (pgr(c) >= x - 1e-12) return range > 0 ? i / 1000 : 0;
    }
    return null;
  };
  return { auc: meanQuality(hull, lo, hi, floor), zeroAuc: meanQuality(zero, lo, hi, floor), apgr, cpt50: cpt(0.5), cpt80: cpt(0.8) };
}
