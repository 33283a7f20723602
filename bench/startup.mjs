// `mmr --version` and `mmr --help` against `node -e 0`: the entry must load nothing but commander.
import { bin, interleave, report, timeRun } from './lib.mjs';

const rounds = Number(process.env.ROUNDS ?? 30);
const node = process.execPath;
const base = async () => (await timeRun(node, ['-e', '0'])).ms;
const results = [];
results.push(report('mmr --version vs node -e 0', await interleave(rounds, base, async () => (await timeRun(node, [bin, '--version'])).ms), { budgetMs: 30 }));
results.push(report('mmr --help vs node -e 0', await interleave(rounds, base, async () => (await timeRun(node, [bin, '--help'])).ms), { budgetMs: 30 }));
export default results;
