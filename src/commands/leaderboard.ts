/**
 * `mmr leaderboard [FILE...]`: Bradley–Terry ratings from the vote log (and bench rows given as
 * files), overall and per prompt category, with 95% intervals, game counts and blind votes marked.
 */
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Rating } from '../learn/leaderboard.js';

export interface LeaderboardFlags {
  json?: boolean;
  /** Leave the vote log out (only the files given). */
  votes?: boolean;
  /** Only categories with at least this many games are shown (default 10). */
  minGames?: number;
}

export interface LeaderboardDeps {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: { write(s: string): unknown };
  stderr?: { write(s: string): unknown };
}

function table(ratings: Rating[]): string {
  const w = Math.max(5, ...ratings.map((r) => r.model.length));
  let out = `  ${'#'.padStart(2)}  ${'model'.padEnd(w)}  rating  95% CI        games  won    blind\n`;
  ratings.forEach((r, i) => {
    const ci = `${Math.round(r.low)}–${Math.round(r.high)}`;
    out += `  ${String(i + 1).padStart(2)}  ${r.model.padEnd(w)}  ${String(Math.round(r.rating)).padStart(6)}  ${ci.padEnd(12)}  ${String(r.n).padStart(5)}  ${`${((r.wins / Math.max(1, r.n)) * 100).toFixed(0)}%`.padStart(4)}  ${r.blind ? `${r.blind} blind` : ''}\n`;
  });
  return out;
}

export async function runLeaderboard(files: string[], flags: LeaderboardFlags, deps: LeaderboardDeps = {}): Promise<void> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const [{ readEvidence }, { benchGames, leaderboard, voteGames }, { votesFile }, { neutralizeLine }] = await Promise.all([
    import('../learn/evidence.js'),
    import('../learn/leaderboard.js'),
    import('../history/votes.js'),
    import('../core/terminal-safe.js'),
  ]);
  const sources = files.map((f) => path.resolve(cwd, f));
  const log = votesFile({ env });
  if (flags.votes !== false) sources.push(log);
  const games = [];
  for (const file of sources) {
    const ev = await readEvidence(file).catch((err: NodeJS.ErrnoException) => {
      if (file === log && err.code === 'ENOENT') return null;
      throw new UsageError(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 'pass bench --out rows or vote logs (JSONL)');
    });
    if (!ev) continue;
    if (ev.skipped) stderr.write(`mmr: ${file}: ${ev.skipped} line${ev.skipped === 1 ? '' : 's'} skipped: not votes or bench rows (line ${ev.skippedLines.join(', ')}${ev.skipped > ev.skippedLines.length ? ', …' : ''})\n`);
    for (const v of ev.voteRecords) games.push(...voteGames(v));
    games.push(...benchGames(ev.outcomes));
  }
  if (!games.length) throw new UsageError('no games to rate: no votes and no bench cases answered by two models or more', 'vote in the terminal UI (mmr ask), or pass bench --out rows: mmr leaderboard rows.jsonl');
  const board = leaderboard(games);
  if (flags.json) {
    stdout.write(`${JSON.stringify(board, null, 2)}\n`);
    return;
  }
  const min = flags.minGames ?? 10;
  // Model names come from files anyone could have written: neutralise them for the terminal.
  const safe = (rs: Rating[]) => rs.map((r) => ({ ...r, model: neutralizeLine(r.model) }));
  let out = `Bradley–Terry ratings (Elo scale) from ${board.games} games: ${board.fromVotes} from votes (${board.fromBlind} blind), ${board.fromBench} from bench cases\n`;
  out += `overall\n${table(safe(board.overall))}`;
  for (const [cat, rs] of Object.entries(board.categories)) {
    const n = rs.reduce((s, r) => s + r.n, 0) / 2;
    if (n >= min) out += `\n${cat} (${Math.round(n)} games)\n${table(safe(rs))}`;
  }
  out += `\n"none good" counts as a loss for every model in the vote; a bench case gives one game per pair of models (equal quality: half a win each).\n`;
  stdout.write(out);
}
