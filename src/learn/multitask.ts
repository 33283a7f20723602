/**
 * Many models fitted as related tasks (mean-regularised multi-task learning, Evgeniou & Pontil,
 * 2004): each model's weights are a shared part plus its own difference, W_m = w0 + d_m, with
 * the shared part's L2 strength λ·`shared` and each difference's λ·`differences`. What makes a prompt
 * hard for every model is then learned from all models' outcomes at once, and each model's own
 * weights only carry what sets it apart. The result is an ordinary linear model (the sums
 * W_m), so router files and decisions are unchanged.
 *
 * The fit is in the redundant parameters (w0 and every d_m), from the intercept-only start (or a
 * warm start split into its mean and the differences), for the same bounded number of L-BFGS steps
 * as a separate fit: the shared part, whose gradient sums every model's, moves
 * first, so the early stop shares more than the exact optimum would. Minimising w0 out in closed
 * form (a penalty on the W_m alone) reaches that optimum faster but routed worse on the dev splits
 * (BENCHMARKS.md, sixth pass), so this is the form that ships.
 */
import { lbfgs } from './lbfgs.js';
import { dataLoss, interceptStart, observed, type LinearModel, type Loss, type Row } from './linear.js';

export interface Sharing {
  /** L2 strength of the shared part, relative to the model's strength. */
  shared: number;
  /** L2 strength of each model's difference from it, relative to the model's strength. */
  differences: number;
}

export function fitShared(rows: readonly Row[], Y: Float64Array, M: number, F: number, loss: Loss, lambda: readonly number[], share: Sharing, warm?: LinearModel, maxIter = 40): LinearModel {
  const counts = observed(rows, Y, M);
  const P = (F + 1) * M;
  // Parameters: the differences with each model's intercept (model-major, as a LinearModel), then w0.
  const x = new Float64Array(P + F);
  if (warm) {
    // Split a warm start into its mean over the models and the differences from it.
    for (let m = 0; m < M; m++) for (let c = 0; c < F; c++) x[P + c] += warm.W[m * (F + 1) + c] / M;
    for (let m = 0; m < M; m++) for (let c = 0; c <= F; c++) x[m * (F + 1) + c] = warm.W[m * (F + 1) + c] - (c < F ? x[P + c] : 0);
  } else x.set(interceptStart(rows, Y, M, F, loss, counts));
  const data = dataLoss(rows, Y, M, F, loss, counts);
  const W = new Float64Array(P);
  const gW = new Float64Array(P);
  const sum = (w: Float64Array) => {
    for (let m = 0, base = 0; m < M; m++, base += F + 1) {
      for (let c = 0; c < F; c++) W[base + c] = w[base + c] + w[P + c];
      W[base + F] = w[base + F];
    }
    return W;
  };
  // Each model's difference at its own strength; the shared part at their geometric mean (one model
  // held hard does not hold the shared part hard).
  const ls = Math.exp(lambda.reduce((a, b) => a + Math.log(b), 0) / M) * share.shared;
  const ld = lambda.map((l) => l * share.differences);
  const objective = (w: Float64Array, g: Float64Array) => {
    let f = data(sum(w), gW);
    g.set(gW);
    g.fill(0, P);
    let sd = 0;
    for (let m = 0, base = 0; m < M; m++, base += F + 1) {
      let sm = 0;
      for (let c = 0; c < F; c++) {
        const d = w[base + c];
        sm += d * d;
        g[base + c] += ld[m] * d;
        g[P + c] += gW[base + c];
      }
      sd += ld[m] * sm;
    }
    let s0 = 0;
    for (let c = 0; c < F; c++) {
      const v = w[P + c];
      s0 += v * v;
      g[P + c] += ls * v;
    }
    f += 0.5 * (sd + ls * s0);
    return f;
  };
  lbfgs(objective, x, { maxIter, tol: 1e-6 });
  return { F, M, W: Float64Array.from(sum(x)) };
}
