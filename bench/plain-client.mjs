// The baseline of bench/scale.mjs: a plain Node client making the same streaming requests mmr
// bench makes (OpenAI chat/completions, stream with usage), N cases × the models, at -j J, each
// body read to its end. No retries, checks, cache or rows: the floor mmr is measured against.
//   node bench/plain-client.mjs <base-url> <cases> <models,comma,separated> <concurrency>
const [base, casesArg, modelsArg, jArg] = process.argv.slice(2);
const cases = Number(casesArg);
const models = modelsArg.split(',');
const url = `${base}/chat/completions`;
const total = cases * models.length;
let next = 0;
let bytes = 0;
let failed = 0;
async function worker() {
  for (;;) {
    const i = next++;
    if (i >= total) return;
    const c = Math.floor(i / models.length);
    const model = models[i % models.length];
    const body = JSON.stringify({ model, messages: [{ role: 'user', content: `Question ${c}: ${'x'.repeat(c % 50)} what is the number?` }], stream: true, stream_options: { include_usage: true } });
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer bench' }, body });
      for await (const chunk of res.body) bytes += chunk.length;
      if (!res.ok) failed++;
    } catch {
      failed++;
    }
  }
}
await Promise.all(Array.from({ length: Number(jArg) }, worker));
process.stdout.write(JSON.stringify({ requests: total, bytes, failed }));
