// The streaming hot path: one long answer (STREAM_KB of text in 4-character deltas, OpenAI SSE)
// from mmr's local provider server, read by `mmr ask` to a pipe (plain text and --json), versus a
// plain node fetch client reading the same body without parsing it. Reports wall time, the ratio
// to that baseline, and mmr's peak RSS.
import path from 'node:path';
import { root, bin, interleave, report, timeRun } from './lib.mjs';

const { startMockServer } = await import(path.join(root, 'dist/mock-server/index.js'));
const rounds = Number(process.env.ROUNDS ?? 5);
const kb = Number(process.env.STREAM_KB ?? 512);
const text = 'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil((kb * 1024) / 45)).slice(0, kb * 1024);
const server = await startMockServer({ reply: () => ({ text, usage: { input: 12, output: text.length / 4 } }) });
const env = { ...process.env, OPENAI_BASE_URL: server.baseUrls.openai, OPENAI_API_KEY: 'bench', NO_COLOR: '1', CI: '1' };
const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
const plain = `const r = await fetch(${JSON.stringify(server.baseUrls.openai + '/chat/completions')}, {method:'POST', headers:{'content-type':'application/json', authorization:'Bearer bench'}, body:${JSON.stringify(body)}}); let n=0; for await (const c of r.body) n+=c.length; process.stdout.write(String(n));`;
const rssHook = `data:text/javascript,process.on('exit',()=>process.stderr.write('MAXRSS '+process.resourceUsage().maxRSS+'\\n'))`;

const rss = [];
const mmr = (flags) => async () => {
  const r = await timeRun(process.execPath, ['--import', rssHook, bin, 'ask', ...flags, '-m', 'openai:gpt-4o-mini', 'hi'], { env });
  if (r.code !== 0) throw new Error(`mmr exited ${r.code}: ${r.err}`);
  if (!flags.includes('--json') && r.out !== `${text}\n`) throw new Error(`mmr printed ${r.out.length} chars, expected ${text.length + 1}`);
  rss.push(Number(/MAXRSS (\d+)/.exec(r.err)?.[1] ?? 0) / 1024);
  return r.ms;
};
const baseline = async () => (await timeRun(process.execPath, ['--input-type=module', '-e', plain])).ms;

console.log(`one answer of ${kb} KB in ${Math.ceil((kb * 1024) / 4)} deltas (OpenAI SSE), ${rounds} rounds`);
const results = [];
for (const [name, flags] of [['ask, plain text to a pipe', []], ['ask --json', ['--json']]]) {
  rss.length = 0;
  results.push(report(`${name} vs fetch reading the body`, await interleave(rounds, baseline, mmr(flags)), { budgetRatio: 2.5 }));
  console.log(`  peak RSS of mmr: median ${rss.sort((a, b) => a - b)[rss.length >> 1].toFixed(0)} MB`);
}
await server.close();
export default results;
