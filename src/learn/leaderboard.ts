/**
 * The leaderboard: Bradley–Terry ratings (the model behind Chatbot Arena's) from pairwise games.
 * A vote makes the winner beat every other model in it; "none good" is a loss for all of them,
 * played against a fixed reference player; bench rows of the same case give a game per pair of
 * models (the higher quality wins, equal quality is half a win each). Ratings are fitted by Newton's
 * method on the penalised log-likelihood; the 95% intervals come from its inverse Hessian. Shown
 * on the Elo scale (400 · log10 odds, centred on 1000) so gaps read as win chances.
 */
import { classify } from '../core/classify.js';
import type { Outcome } from './dataset.js';

/** One game: `a` beat `b` with weight `w` (0.5 each for a tie). */
export interface Game {
  a: string;
  b: string;
  /** 1 = a won, 0.5 = tie. */
  score: number;
  prompt: string;
  blind: boolean;
  source: 'vote' | 'bench';
}

export interface Rating {
  model: string;
  /** Elo-scale rating. */
  rating: number;
  /** 95% interval on the same scale. */
  low: number;
  high: number;
  /** Games played. */
  n: number;
  /** Games won (ties count half). */
  wins: number;
  /** Of the games, how many came from blind votes. */
  blind: number;
}

/** The reference player a "none good" vote loses to; never listed. */
export const NONE_GOOD = '(none good)';
const ELO = 400 / Math.LN10;
/** Ridge on the log-strengths: keeps a model that always wins finite. */
const PRIOR = 0.05;

/** Games from one vote log line (parsed), or none. */
export function voteGames(v: { prompt: string; models: string[]; winner: string | null; blind?: boolean; results?: Array<{ model?: unknown; error?: unknown }> }): Game[] {
  const failed = new Set((v.results ?? []).filter((r) => typeof r.error === 'string' && r.error).map((r) => r.model));
  const models = [...new Set(v.models)].filter((m) => !failed.has(m) || m === v.winner);
  const blind = v.blind === true;
  if (v.winner === null) return models.map((m) => ({ a: NONE_GOOD, b: m, score: 1, prompt: v.prompt, blind, source: 'vote' as const }));
  if (!models.includes(v.winner)) return [];
  return models.filter((m) => m !== v.winner).map((m) => ({ a: v.winner!, b: m, score: 1, prompt: v.prompt, blind, source: 'vote' as const }));
}

/** Games between every pair of models that answered the same bench case. */
export function benchGames(outcomes: readonly Outcome[]): Game[] {
  const byCase = new Map<string, Outcome[]>();
  for (const o of outcomes) if (o.source === 'bench') byCase.set(o.group, [...(byCase.get(o.group) ?? []), o]);
  const games: Game[] = [];
  for (const rows of byCase.values()) {
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        const [x, y] = [rows[i], rows[j]];
        if (x.model === y.model) continue;
        const score = x.quality > y.quality ? 1 : x.quality < y.quality ? 0 : 0.5;
        games.push({ a: x.model, b: y.model, score, prompt: x.prompt, blind: false, source: 'bench' });
      }
    }
  }
  return games;
}

function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || M[c][c] === 0) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[n] / row[i]);
}

/** Bradley–Terry ratings with 95% intervals, best first. */
export function bradleyTerry(games: readonly Game[]): Rating[] {
  const players = [...new Set(games.flatMap((g) => [g.a, g.b]))].sort();
  const idx = new Map(players.map((p, i) => [p, i]));
  const n = players.length;
  let theta = new Array<number>(n).fill(0);
  let H: number[][] = [];
  for (let iter = 0; iter < 50; iter++) {
    const g = theta.map((t) => -PRIOR * t);
    H = players.map((_, i) => players.map((__, j) => (i === j ? PRIOR : 0)));
    for (const game of games) {
      const [i, j] = [idx.get(game.a)!, idx.get(game.b)!];
      const p = 1 / (1 + Math.exp(theta[j] - theta[i]));
      g[i] += game.score - p;
      g[j] -= game.score - p;
      const w = p * (1 - p);
      H[i][i] += w;
      H[j][j] += w;
      H[i][j] -= w;
      H[j][i] -= w;
    }
    const step = solve(H, g);
    theta = theta.map((t, k) => t + step[k]);
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  // Ratings are only defined up to a shift, so the interval is that of θ_k − mean(θ): with
  // C = H⁻¹ and c = e_k − 1/|R| over the real players, var = cᵀ C c.
  const real = players.map((p, k) => ({ p, k })).filter(({ p }) => p !== NONE_GOOD);
  const inR = players.map((p) => (p === NONE_GOOD ? 0 : 1 / Math.max(1, real.length)));
  const variance = players.map((_, k) => {
    const c = players.map((__, i) => (i === k ? 1 : 0) - inR[i]);
    const Cc = solve(H, c);
    return c.reduce((s, ci, i) => s + ci * Cc[i], 0);
  });
  const mean = real.reduce((s, { k }) => s + theta[k], 0) / Math.max(1, real.length);
  return real
    .map(({ p, k }) => {
      const mine = games.filter((x) => x.a === p || x.b === p);
      const half = 1.96 * Math.sqrt(Math.max(0, variance[k])) * ELO;
      const rating = 1000 + (theta[k] - mean) * ELO;
      return {
        model: p, rating, low: rating - half, high: rating + half, n: mine.length,
        wins: mine.reduce((s, x) => s + (x.a === p ? x.score : 1 - x.score), 0),
        blind: mine.filter((x) => x.blind).length,
      };
    })
    .sort((a, b) => b.rating - a.rating);
}

export interface Leaderboard {
  overall: Rating[];
  /** Per classifier category of the prompts (only categories with games). */
  categories: Record<string, Rating[]>;
  games: number;
  /** Games from votes, from blind votes, and from bench rows. */
  fromVotes: number;
  fromBlind: number;
  fromBench: number;
}

export function leaderboard(games: readonly Game[]): Leaderboard {
  const byCat = new Map<string, Game[]>();
  const memo = new Map<string, string>();
  for (const g of games) {
    let c = memo.get(g.prompt);
    if (c === undefined) memo.set(g.prompt, (c = classify(g.prompt).category));
    byCat.set(c, [...(byCat.get(c) ?? []), g]);
  }
  const categories: Record<string, Rating[]> = {};
  for (const [c, gs] of [...byCat].sort(([a], [b]) => a.localeCompare(b))) categories[c] = bradleyTerry(gs);
  return {
    overall: bradleyTerry(games), categories, games: games.length,
    fromVotes: games.filter((g) => g.source === 'vote').length, fromBlind: games.filter((g) => g.blind).length, fromBench: games.filter((g) => g.source === 'bench').length,
  };
}
