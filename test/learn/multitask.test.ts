import { describe, expect, it } from 'vitest';
import { rng } from '../../src/learn/dataset.js';
import { fitLinear, scores, sigmoid, type LinearModel, type Row } from '../../src/learn/linear.js';
import { fitShared } from '../../src/learn/multitask.js';

const F = 30;
const M = 12;

/** Rows of 3 active features out of F; every model's logit = its own offset + a shared θ·x (+ its own part, `own` times as large). */
function world(seed: number, own = 0) {
  const r = rng(seed);
  const theta = Array.from({ length: F }, () => (r() - 0.5) * 4);
  const offset = Array.from({ length: M }, () => (r() - 0.5) * 2);
  const mine = Array.from({ length: M }, () => Float64Array.from({ length: F }, () => (own ? (r() - 0.5) * 4 * own : 0)));
  const draw = (n: number) => {
    const rows: Row[] = [];
    const Y = new Float64Array(n * M);
    const P = new Float64Array(n * M);
    for (let i = 0; i < n; i++) {
      const cols = new Set<number>();
      while (cols.size < 3) cols.add(Math.floor(r() * F));
      const sorted = Int32Array.from([...cols].sort((a, b) => a - b));
      rows.push({ cols: sorted, vals: new Float32Array(3).fill(1 / Math.sqrt(3)) });
      let z = 0;
      for (const c of sorted) z += theta[c] / Math.sqrt(3);
      for (let m = 0; m < M; m++) {
        let zm = z;
        for (const c of sorted) zm += mine[m][c] / Math.sqrt(3);
        P[i * M + m] = sigmoid(offset[m] + zm);
        Y[i * M + m] = r() < P[i * M + m] ? 1 : 0;
      }
    }
    return { rows, Y, P };
  };
  return draw;
}

/** Mean squared error of the predicted probabilities against the true ones. */
function error(model: LinearModel, rows: Row[], P: Float64Array): number {
  const z = new Float64Array(M);
  let s = 0;
  rows.forEach((row, i) => {
    scores(model, row, z);
    for (let m = 0; m < M; m++) s += (sigmoid(z[m]) - P[i * M + m]) ** 2;
  });
  return s / (rows.length * M);
}

describe('models fitted as related tasks', () => {
  it('learn what makes a prompt hard for all of them from all their outcomes: closer to the truth than separate fits on few prompts', () => {
    for (const seed of [1, 2, 3]) {
      const draw = world(seed);
      const train = draw(40);
      const test = draw(2000);
      const apart = fitLinear(train.rows, train.Y, M, F, 'logistic', new Array(M).fill(0.03));
      const shared = fitShared(train.rows, train.Y, M, F, 'logistic', new Array(M).fill(0.03), { shared: 1, differences: 3 });
      expect(error(shared, test.rows, test.P)).toBeLessThan(error(apart, test.rows, test.P) * 0.8);
    }
  });

  it('the differences penalised without bound leave every model the same weights (their intercepts apart); a warm start gives the same fit', () => {
    const draw = world(4);
    const train = draw(200);
    const tied = fitShared(train.rows, train.Y, M, F, 'logistic', new Array(M).fill(0.01), { shared: 1, differences: 1e6 }, undefined, 200);
    for (let m = 1; m < M; m++) for (let c = 0; c < F; c++) expect(tied.W[m * (F + 1) + c]).toBeCloseTo(tied.W[c], 3);
    const intercepts = Array.from({ length: M }, (_, m) => tied.W[m * (F + 1) + F]);
    expect(Math.max(...intercepts) - Math.min(...intercepts)).toBeGreaterThan(0.5);
    const cold = fitShared(train.rows, train.Y, M, F, 'logistic', new Array(M).fill(0.01), { shared: 1, differences: 3 }, undefined, 200);
    const warm = fitShared(train.rows, train.Y, M, F, 'logistic', new Array(M).fill(0.01), { shared: 1, differences: 3 }, tied, 200);
    for (let j = 0; j < cold.W.length; j++) expect(warm.W[j]).toBeCloseTo(cold.W[j], 2);
  });

  it('leaves unobserved outcomes out of the loss: a model with none keeps the shared weights and a neutral intercept', () => {
    const draw = world(5);
    const train = draw(120);
    const holes = Float64Array.from(train.Y, (y, k) => (k % M === 0 ? NaN : y));
    const fit = fitShared(train.rows, holes, M, F, 'logistic', new Array(M).fill(0.03), { shared: 1, differences: 3 }, undefined, 300);
    const mean = (c: number) => Array.from({ length: M - 1 }, (_, m) => fit.W[(m + 1) * (F + 1) + c]).reduce((a, b) => a + b) / (M - 1);
    expect(fit.W[F]).toBe(0);
    // Model 0's difference is never pulled away from zero, so its weights are w0. At the optimum
    // λ·w0 = 3λ·Σ d_m over the others, so their mean weights are w0 · (1 + 1 / (3 (M − 1))).
    for (let c = 0; c < F; c++) expect(fit.W[c]).toBeCloseTo(mean(c) / (1 + 1 / (3 * (M - 1))), 2);
    expect(fit.W.slice(0, F).some((w) => Math.abs(w) > 0.1)).toBe(true);
  });

  it('each model\'s difference is penalised at its own strength: a model held hard keeps to what the others share', () => {
    const train = world(6, 1)(400);
    const lambda = new Array(M).fill(0.01);
    lambda[0] = 1e4;
    const fit = fitShared(train.rows, train.Y, M, F, 'logistic', lambda, { shared: 1, differences: 3 }, undefined, 300);
    const even = fitShared(train.rows, train.Y, M, F, 'logistic', new Array(M).fill(0.01), { shared: 1, differences: 3 }, undefined, 300);
    // How far model m's weights are from the mean of models 2…M−1 (which neither fit treats specially).
    const offMean = (W: Float64Array, m: number) => {
      let s = 0;
      for (let c = 0; c < F; c++) {
        let mean = 0;
        for (let k = 2; k < M; k++) mean += W[k * (F + 1) + c] / (M - 2);
        s += (W[m * (F + 1) + c] - mean) ** 2;
      }
      return Math.sqrt(s);
    };
    // At one strength for all, model 0 keeps its own part as model 1 does; held hard, it gives most
    // of it up and sits near what the others share.
    expect(offMean(even.W, 0)).toBeGreaterThan(offMean(even.W, 1) / 2);
    expect(offMean(fit.W, 0)).toBeLessThan(offMean(even.W, 0) / 2);
  });
});
