/**
 * The HTML bench report in a real headless browser (Debian's chromium, driven by
 * playwright-core): loaded from file:// with every other request refused, asserting on the
 * rendered page, and that it asked for nothing but itself. Skips when chromium is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { isolatedEnv, mmr, root } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const fixtures = path.join(root, 'fixtures/bench');
const CAPITALS: Record<string, string> = { France: 'Paris', Japan: 'Tokyo', Kenya: 'Nairobi', Peru: 'Lima' };

describe.skipIf(!existsSync(CHROMIUM))('the HTML report in headless chromium', () => {
  let server: MockServer;
  let context: BrowserContext;
  let dir: string;
  let report: string;
  let compared: string;
  let caseIds: string[];

  beforeAll(async () => {
    server = await startMockServer({
      reply: (req) => {
        const q: string = req.body.messages.at(-1).content;
        const country = /capital of (\w+)/.exec(q)?.[1];
        if (req.model === 'down') return { status: 401, errorMessage: 'Incorrect API key provided' };
        // Markup in an answer must show as text, never run or load anything.
        if (req.model === 'gpt-4.1-nano') return { text: country === 'Peru' ? '<img src="http://127.0.0.1:9/x.png"><script>window.pwned=1</script>Lima' : 'London', usage: { input: 10, output: 2 } };
        return { text: country ? CAPITALS[country] : 'apple', usage: { input: 10, output: 1 } };
      },
    });
    const { env, home } = await isolatedEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.baseUrls.openai });
    dir = home;
    const rows = path.join(home, 'rows.jsonl');
    report = path.join(home, 'report.html');
    const r = await mmr(['bench', path.join(fixtures, 'capitals.yaml'), path.join(fixtures, 'multi-turn.yaml'), '-m', 'openai:gpt-4o-mini', '-m', 'openai:gpt-4.1-nano', '-m', 'openai:down', '--retries', '0', '--no-cache', '--out', rows, '--html', report], { env });
    expect(r.exitCode).toBe(4);
    const lines = readFileSync(rows, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    caseIds = [...new Set(lines.map((x) => x.caseId as string))];
    // An earlier run in which "right" got Japan wrong and "wrong" got France right.
    const old = path.join(home, 'old.jsonl');
    writeFileSync(old, lines.map((x) => JSON.stringify(x.caseId === 'capital-jp' && x.model === 'openai:gpt-4o-mini' ? { ...x, pass: false, answer: 'Kyoto' } : x.caseId === 'capital-fr' && x.model === 'openai:gpt-4.1-nano' ? { ...x, pass: true, answer: 'Paris' } : x)).join('\n'));
    compared = path.join(home, 'compared.html');
    expect((await mmr(['report', rows, '--compare', old, '--html', compared], { env })).exitCode).toBe(0);

    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'mmr-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 1000 },
    });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  /** Opens a report with the network refused; returns the page and every URL it asked for. */
  async function open(file: string): Promise<{ page: Page; asked: string[] }> {
    const page = await context.newPage();
    const asked: string[] = [];
    const url = pathToFileURL(file).href;
    page.on('request', (req) => asked.push(req.url()));
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    return { page, asked };
  }
  const visibleRows = (page: Page) => page.locator('#grid-body tr').count();
  const shownIds = async (page: Page) => Promise.all((await page.locator('#grid-body tr').all()).map((l) => l.getAttribute('data-case')));
  // Functions, not strings: the page's CSP forbids eval, which string predicates need. No DOM types here.
  const rowsAre = (page: Page, n: number) => page.waitForFunction((want) => (globalThis as any).document.querySelectorAll('#grid-body tr').length === want, n);

  it('renders models, every case, answers and why each failed check failed, asking for nothing', async () => {
    const { page, asked } = await open(report);
    expect(asked).toEqual([pathToFileURL(report).href]);
    const text = await page.locator('body').innerText();
    for (const m of ['openai:gpt-4o-mini', 'openai:gpt-4.1-nano', 'openai:down']) expect(text).toContain(m);
    const shown = await shownIds(page);
    expect(new Set(shown)).toEqual(new Set(caseIds));
    expect(text).toContain('contains: missing "Paris"');
    expect(text).toMatch(/6 × auth \(HTTP 401\): .*Incorrect API key/);
    expect(text).toContain("2 × skipped: not sent: turn 1 failed");
    // Both charts: priced models on the cost chart, every answering model on the latency one.
    expect(await page.locator('svg').count()).toBe(2);
    expect(await page.locator('#chart-cost .dot').count()).toBe(2);
    expect(await page.locator('#chart-cost .front').count()).toBe(1);
    expect(await page.locator('#chart-cost .legend').innerText()).toBe('Pareto front: openai:gpt-4.1-nano → openai:gpt-4o-mini');
    expect(await page.locator('#chart-latency .dot.on-front').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-latency .legend').innerText()).toMatch(/^Pareto front: openai:/);
    // The answer's markup is text on the page, not elements.
    expect(text).toContain('<script>window.pwned=1</script>Lima');
    expect(await page.evaluate(() => (globalThis as any).pwned)).toBeUndefined();
    await page.screenshot({ path: path.join(dir, 'report.png'), fullPage: true });
    if (process.env.MMR_SCREENSHOT) writeFileSync(process.env.MMR_SCREENSHOT, readFileSync(path.join(dir, 'report.png')));
    await page.close();
  });

  it('filters: failed only, disagreements, tag, and search', async () => {
    const { page } = await open(report);
    const all = await visibleRows(page);
    expect(all).toBe(4 + 2 + 2); // four capitals, then two turns of each multi-turn case
    await page.check('#f-disagree');
    const dis = await shownIds(page);
    expect(dis).toContain('capital-fr');
    expect(dis.length).toBeLessThan(all);
    await page.uncheck('#f-disagree');
    await page.selectOption('#f-tag', 'asia');
    expect(await shownIds(page)).toEqual(['capital-jp']);
    await page.selectOption('#f-tag', '');
    await page.fill('#f-search', 'nairobi');
    await rowsAre(page, 1);
    expect(await page.locator('#grid-body tr').getAttribute('data-case')).toBe('capital-ke');
    await page.fill('#f-search', '');
    await rowsAre(page, all);
    await page.check('#f-failed');
    // Every row has "down" erroring, so all stay; the count line says so.
    expect(await page.locator('#count').innerText()).toBe(`${all} of ${all} cases`);
    await page.close();
  });

  it('--compare: better and worse per case, and a side-by-side diff of the answers', async () => {
    const { page, asked } = await open(compared);
    expect(asked).toEqual([pathToFileURL(compared).href]);
    await page.selectOption('#f-change', 'worse');
    expect(await shownIds(page)).toEqual(['capital-fr']);
    await page.selectOption('#f-change', 'better');
    expect(await shownIds(page)).toEqual(['capital-jp']);
    const cell = page.locator('#grid-body tr td.better');
    expect(await cell.count()).toBe(1);
    await cell.locator('details.compare summary').click();
    const diff = await cell.locator('.diff').innerText();
    expect(diff).toContain('Kyoto');
    expect(diff).toContain('Tokyo');
    await page.screenshot({ path: path.join(dir, 'compared.png'), fullPage: true });
    await page.close();
  });
});
