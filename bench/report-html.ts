// The HTML bench report at 10,000 rows (2,500 cases × 4 models, ~400-character answers): time to
// render the file, its size, and in headless chromium the time until the grid is ready, to apply
// the "failed only" filter, and to search; the baseline is the same file with its script removed
// (what the browser needs just to read that much HTML and data), printed as a ratio. Figures, not
// assertions.
// Run: npx tsx bench/report-html.ts   (CASES=5000 for 20,000 rows)
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtml } from '../src/report/html.js';
import { reportOf } from '../src/commands/report.js';
import type { BenchRow } from '../src/bench/types.js';

const CASES = Number(process.env.CASES ?? 2500);
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5', 'gemini:gemini-2.5-flash', 'ollama:qwen2.5-coder'];
const words = 'the model answered with a reasonably long paragraph about the question asked and its reasoning'.split(' ');
const rows: BenchRow[] = [];
for (let c = 0; c < CASES; c++) {
  for (const [m, model] of MODELS.entries()) {
    // One case in five is failed by every model but the first.
    const pass = c % 5 !== 0 || m === 0;
    const answer = Array.from({ length: 70 }, (_, i) => words[(c + i * m) % words.length]).join(' ');
    rows.push({
      caseId: `case-${c}`, where: `evals/set.jsonl:${c + 1}`, tags: [`tag${c % 12}`], prompt: `Question ${c}: ${words.slice(0, 12).join(' ')}?`,
      messages: [{ role: 'user', content: `Question ${c}` }], system: null, model, answer, pass,
      checks: [{ type: 'contains', pass, detail: pass ? undefined : 'missing "expected phrase"' }], error: null,
      latencyMs: 300 + ((c * 13 + m * 101) % 900), ttftMs: 100, inputTokens: 40, outputTokens: 90, costUsd: m === 3 ? 0 : 0.0001 * (m + 1), judgeCostUsd: 0, cached: false, attempts: 1, turn: 1, sample: 1,
    });
  }
}
let t = performance.now();
const html = renderHtml({ rows, report: reportOf(rows), title: `${rows.length} rows` });
const renderMs = performance.now() - t;
const dir = mkdtempSync(path.join(os.tmpdir(), 'mmr-report-bench-'));
const file = path.join(dir, 'report.html');
writeFileSync(file, html);
console.log(`rows ${rows.length} · render ${renderMs.toFixed(0)} ms · file ${(html.length / 1048576).toFixed(1)} MB`);

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.log('chromium not installed: browser figures skipped');
} else {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'mmr-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const bare = path.join(dir, 'bare.html');
  writeFileSync(bare, html.replace(/<script>[\s\S]*?<\/script>/, '<script>document.body.setAttribute("data-ready","true")</script>'));
  const load = async (f: string) => {
    const p = await context.newPage();
    const t0 = performance.now();
    await p.goto(pathToFileURL(f).href);
    await p.waitForSelector('body[data-ready="true"]');
    const took = performance.now() - t0;
    await p.close();
    return took;
  };
  // Warm the browser once, then the median of three loads each.
  await load(bare);
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[1];
  const baseMs = med([await load(bare), await load(bare), await load(bare)]);
  const fullMs = med([await load(file), await load(file), await load(file)]);
  console.log(`chromium: open ${fullMs.toFixed(0)} ms against ${baseMs.toFixed(0)} ms for the same file without its script (×${(fullMs / baseMs).toFixed(2)})`);
  const page = await context.newPage();
  t = performance.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]');
  const readyMs = performance.now() - t;
  const before = await page.locator('#count').innerText();
  t = performance.now();
  await page.check('#f-failed');
  // Functions, not strings: the page's CSP forbids eval, which string predicates need.
  await page.waitForFunction((b) => (globalThis as any).document.getElementById('count').textContent !== b, before);
  const filterMs = performance.now() - t;
  const failedOnly = await page.locator('#count').innerText();
  await page.uncheck('#f-failed');
  t = performance.now();
  await page.fill('#f-search', 'question 1234:');
  await page.waitForFunction(() => /^1 of/.test((globalThis as any).document.getElementById('count').textContent));
  const searchMs = performance.now() - t - 120; // less the input debounce
  const heapMb = (await page.evaluate(() => (globalThis as any).performance.memory?.usedJSHeapSize ?? 0)) / 1048576;
  console.log(`failed only: ${before} → ${failedOnly}`);
  console.log(`chromium: ready ${readyMs.toFixed(0)} ms · "failed only" ${filterMs.toFixed(0)} ms · search (first, builds the index) ${searchMs.toFixed(0)} ms · JS heap ${heapMb.toFixed(0)} MB`);
  await context.close();
}
