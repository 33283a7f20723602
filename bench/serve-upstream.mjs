// Child process for bench/serve.mjs: the project's local provider server as a "50 ms upstream"
// (first token after 50 ms, then 16 deltas), so its CPU can be measured apart from the clients.
import { startMockServer } from '../dist/mock-server/index.js';

const text = 'The quick brown fox jumps over the lazy dog; a stream of sixteen deltas.';
const server = await startMockServer({
  apiKey: process.env.BENCH_KEY,
  reply: () => ({ text, deltaChars: Math.ceil(text.length / 16), firstChunkDelayMs: 50, usage: { input: 20, output: 16 } }),
});
process.stdout.write(`${server.baseUrls.openai}\n`);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
