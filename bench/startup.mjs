// `mmr --version` and `mmr --help` against `node -e 0`: the entry must load nothing but commander.
// `mmr route` from a directory 8 levels below HOME, with a project config at the top: the config
// search (every level probed, the file checked, read, parsed) runs on every model-calling command.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bin, interleave, report, timeRun } from './lib.mjs';

const rounds = Number(process.env.ROUNDS ?? 30);
const node = process.execPath;
const base = async () => (await timeRun(node, ['-e', '0'])).ms;
const results = [];
results.push(report('mmr --version vs node -e 0', await interleave(rounds, base, async () => (await timeRun(node, [bin, '--version'])).ms), { budgetMs: 30 }));
results.push(report('mmr --help vs node -e 0', await interleave(rounds, base, async () => (await timeRun(node, [bin, '--help'])).ms), { budgetMs: 30 }));

const home = mkdtempSync(path.join(tmpdir(), 'mmr-bench-startup-'));
try {
  const deep = path.join(home, ...'abcdefgh'.split(''));
  mkdirSync(deep, { recursive: true });
  writeFileSync(path.join(home, '.routerrc.yaml'), 'aliases:\n  fast: openai:gpt-4o-mini\ndefault: [fast]\nrules:\n  - name: sql\n    when: {keywords: [sql]}\n    use: fast\n');
  const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), NO_COLOR: '1' };
  const route = async () => {
    const r = await timeRun(node, [bin, 'route', 'a', 'sql', 'query'], { env });
    if (r.code !== 0) throw new Error(`mmr route exited ${r.code}: ${r.err}`);
    return r.ms;
  };
  // Same process start, no config search: the difference is the search and the config load.
  const version = async () => (await timeRun(node, [bin, '--version'], { env })).ms;
  results.push(report('mmr route: 8-level search + config vs --version', await interleave(rounds, version, route), { budgetMs: 80 }));

  // The largest config mmr accepts (1 MB of aliases): parsing must stay linear in its size.
  const big = path.join(home, 'big');
  mkdirSync(big);
  let text = 'aliases:\n';
  for (let i = 0; text.length < 1000 * 1024; i++) text += `  alias-number-${i}: openai:gpt-4o-mini-${i}\n`;
  writeFileSync(path.join(big, '.routerrc.yaml'), `${text}default: [alias-number-0]\n`);
  const routeBig = async () => {
    const r = await timeRun(node, [bin, '--config', path.join(big, '.routerrc.yaml'), 'route', 'hi'], { env });
    if (r.code !== 0) throw new Error(`mmr route (1 MB config) exited ${r.code}: ${r.err}`);
    return r.ms;
  };
  results.push(report('mmr route: 1 MB config (24k aliases) vs --version', await interleave(Math.ceil(rounds / 3), version, routeBig), { budgetMs: 1000 }));
} finally {
  rmSync(home, { recursive: true, force: true });
}
export default results;
