/**
 * Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search:
 * small, deterministic and enough for the smooth, convex losses the router fits (regularised
 * logistic and squared loss). No dependency: the whole learner stays a few hundred lines.
 */

/** Returns the loss at `x` and writes its gradient into `g`. */
export type Objective = (x: Float64Array, g: Float64Array) => number;

export interface LbfgsOptions {
  /** Most iterations (default 60). */
  maxIter?: number;
  /** Stop when the relative loss decrease per iteration falls below this (default 1e-6). */
  tol?: number;
  /** Correction pairs kept (default 7). */
  memory?: number;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Minimise `f` from `x` (updated in place); returns the final loss. */
export function lbfgs(f: Objective, x: Float64Array, opts: LbfgsOptions = {}): number {
  const n = x.length;
  const maxIter = opts.maxIter ?? 60;
  const tol = opts.tol ?? 1e-6;
  const m = opts.memory ?? 7;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let g = new Float64Array(n);
  let fx = f(x, g);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  const alpha = new Array<number>(m);
  for (let iter = 0; iter < maxIter; iter++) {
    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], d);
      for (let i = 0; i < n; i++) d[i] -= alpha[k] * Y[k][i];
    }
    if (S.length) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    } else {
      const gn = Math.sqrt(dot(g, g)) || 1;
      for (let i = 0; i < n; i++) d[i] /= gn;
    }
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], d);
      for (let i = 0; i < n; i++) d[i] += S[k][i] * (alpha[k] - beta);
    }
    let slope = dot(g, d);
    if (slope >= 0) {
      // Not a descent direction (curvature went bad): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = -dot(g, g);
    }
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= fx)) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (S.length === m) (S.shift(), Y.shift(), rho.shift());
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    x.set(xNew);
    [g, gNew] = [gNew, g];
    const done = Math.abs(fx - fNew) <= tol * Math.max(1, Math.abs(fx));
    fx = fNew;
    if (done) break;
  }
  return fx;
}
