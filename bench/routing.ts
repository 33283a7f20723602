// Routing speed: the median time of one decision (classifier + 100 rules) for a 2 KB prompt,
// against the 50 µs budget, and `mmr route` start-up when the built CLI has the command.
// Run: npx tsx bench/routing.ts   (ITER=20000 ROUNDS=15 to change the sample sizes)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classify } from '../src/core/classify.js';
import { route } from '../src/core/router.js';
import { compileRules, type RuleConfig } from '../src/config/rules.js';

const BIN = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../bin/mmr.js');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** Wall time of one process run in ms, with its exit code and stdout. */
function timeRun(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t, code, out }));
  });
}

const BUDGET_US = 50;
const ITER = Number(process.env.ITER ?? 20_000);

/** 100 rules shaped like real ones; none matches before the last, so every rule is evaluated. */
export function benchRules(): RuleConfig[] {
  const rules: RuleConfig[] = [];
  const topics = ['kubernetes', 'terraform', 'invoice', 'recipe', 'poetry', 'legal', 'medical', 'tax', 'travel', 'chess'];
  for (let i = 0; i < 60; i++) {
    const t = topics[i % topics.length];
    rules.push({ name: `kw-${i}`, when: { keywords: [`${t}${i}`, `${t} plan ${i}`, `zz${i}`] }, use: 'openai:gpt-4o-mini' });
  }
  for (let i = 0; i < 15; i++) {
    rules.push({ name: `cat-${i}`, when: { category: i % 2 ? 'math' : 'translation', keywords: { any: [`topic${i}`, 'refund'] } }, use: 'anthropic:claude-haiku-4-5' });
  }
  for (let i = 0; i < 10; i++) {
    rules.push({ name: `re-${i}`, when: { regex: [`\\bTICKET-${i}\\d{3,}\\b`, `^/cmd${i}\\b`] }, use: 'gemini:gemini-2.5-flash', fallback: ['openai:gpt-4o-mini'] });
  }
  for (let i = 0; i < 14; i++) {
    rules.push({ name: `shape-${i}`, when: { language: ['fr', 'de'][i % 2], minTokens: 100 + i, hasCode: true }, use: 'mistral:mistral-small-latest', maxCostUsd: 0.01 });
  }
  rules.push({ name: 'code-review', when: { category: 'code', keywords: { all: ['review', 'function'] }, regex: '\\bdef \\w+\\(' }, use: 'anthropic:claude-haiku-4-5' });
  return rules;
}

/** About 2 KB: a review request with a Python snippet. */
export function benchPrompt(): string {
  const intro = 'Please review this function and tell me why it is slow on large inputs. I call it from a web handler and the latency grows with the number of orders. ';
  const code = '```python\ndef top_customers(orders, n=5):\n    totals = {}\n    for o in orders:\n        totals[o.customer] = totals.get(o.customer, 0) + o.total\n    return sorted(totals.items(), key=lambda kv: -kv[1])[:n]\n```\n';
  let p = intro + code;
  while (p.length < 2048) p += 'The orders table has about two million rows and I would like a faster version. ';
  return p.slice(0, 2048);
}

function sample(fn: () => unknown): number[] {
  for (let i = 0; i < 2000; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < ITER; i++) {
    const t = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return out;
}

const prompt = benchPrompt();
const specs = benchRules();
const t0 = performance.now();
const rules = compileRules(specs, { file: 'bench' });
const compileMs = performance.now() - t0;
const check = route(rules, prompt, { defaults: ['openai:gpt-4o-mini'] });
if (check.rule !== 'code-review') throw new Error(`bench setup: expected rule code-review, got ${check.rule ?? check.source}`);

const classifyUs = sample(() => classify(prompt));
const c = classify(prompt);
const rulesUs = sample(() => route(rules, prompt, { defaults: [], classification: c }));
const decisionUs = sample(() => route(rules, prompt, { defaults: [] }));
const line = (name: string, xs: number[]) =>
  console.log(`${name.padEnd(34)} median ${median(xs).toFixed(1).padStart(6)} µs  p95 ${pct(xs, 95).toFixed(1).padStart(6)} µs`);
console.log(`prompt ${prompt.length} chars, ${rules.length} rules (compiled in ${compileMs.toFixed(1)} ms), ${ITER} decisions each`);
line('classify', classifyUs);
line('100 rules (classification given)', rulesUs);
line('decision (classify + 100 rules)', decisionUs);
const m = median(decisionUs);
console.log(`decision median ${m.toFixed(1)} µs = ${((m / BUDGET_US) * 100).toFixed(0)}% of the ${BUDGET_US} µs budget (×${(m / BUDGET_US).toFixed(2)}) ${m <= BUDGET_US ? 'OK' : 'OVER'}`);

// Start-up of the real command beside the decision time, when the built CLI has it.
const help = existsSync(BIN) ? await timeRun([BIN, '--help']) : undefined;
if (help && /^\s+route\b/m.test(help.out)) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mmr-bench-'));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg') };
  const base: number[] = [];
  const subject: number[] = [];
  for (let i = 0; i < Number(process.env.ROUNDS ?? 15); i++) {
    base.push((await timeRun(['-e', '0'], env)).ms); // interleaved: these machines are noisy
    subject.push((await timeRun([BIN, 'route', 'Write a SQL query for the top 5 customers by revenue'], env)).ms);
  }
  const [b, r] = [median(base), median(subject)];
  console.log(`mmr route start-up: median ${r.toFixed(1)} ms (node -e 0: ${b.toFixed(1)} ms, +${(r - b).toFixed(1)} ms)`);
} else {
  console.log('mmr route start-up: skipped (register routing in src/cli.ts, then npm run build)');
}
