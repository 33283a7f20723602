// `mmr ask --json -m X` against mmr's local provider server, versus a plain node fetch client
// making the same streaming request (both are fresh processes, so both pay node's start-up).
// Also: fan-out to 8 models that each take 300 ms, against one model taking 300 ms.
import path from 'node:path';
import { root, bin, interleave, report, timeRun } from './lib.mjs';

const { startMockServer } = await import(path.join(root, 'dist/mock-server/index.js'));
const rounds = Number(process.env.ROUNDS ?? 20);
const node = process.execPath;
const text = 'The quick brown fox jumps over the lazy dog. '.repeat(8);
let latencyMs = 0;
const server = await startMockServer({ reply: () => ({ text, usage: { input: 12, output: 90 }, headerDelayMs: latencyMs }) });
const env = { ...process.env, OPENAI_BASE_URL: server.baseUrls.openai, OPENAI_API_KEY: 'bench', NO_COLOR: '1', CI: '1' };
const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
const plain = `const r = await fetch(${JSON.stringify(server.baseUrls.openai + '/chat/completions')}, {method:'POST', headers:{'content-type':'application/json', authorization:'Bearer bench'}, body:${JSON.stringify(body)}}); let n=0; for await (const c of r.body) n+=c.length; process.stdout.write(String(n));`;

const results = [];
const mmr = (models) => async () => {
  const r = await timeRun(node, [bin, 'ask', '--json', ...models.flatMap((m) => ['-m', m]), 'hi'], { env });
  if (r.code !== 0) throw new Error(`mmr exited ${r.code}: ${r.err}`);
  return r.ms;
};
results.push(report('ask --json (1 model) vs plain fetch client', await interleave(rounds, async () => (await timeRun(node, ['--input-type=module', '-e', plain])).ms, mmr(['openai:gpt-4o-mini'])), { budgetMs: 60 }));

// A shell loop of 100 `mmr ask` calls (pipe mode, one model), as a script would run it.
{
  const loop = async (cmd) => (await timeRun('bash', ['-c', `for i in $(seq 100); do ${cmd} > /dev/null; done`], { env })).ms;
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  const plainLoop = await loop(`${node} --input-type=module -e ${q(plain)}`);
  const mmrLoop = await loop(`${node} ${bin} ask -m openai:gpt-4o-mini hi`);
  results.push(report('100 × mmr ask in a shell loop (total)', { baseline: [plainLoop], subject: [mmrLoop] }, { budgetMs: 6000 }));
}

latencyMs = 300;
const eight = Array.from({ length: 8 }, (_, i) => `openai:model-${i}`);
results.push(report('fan-out 8 × 300 ms vs 1 × 300 ms', await interleave(Math.ceil(rounds / 2), mmr(['openai:model-0']), mmr(eight)), { budgetRatio: 1.1 }));
await server.close();
export default results;
