import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServeStats, formatStats } from '../../src/serve/stats.js';
import { ServeLog, readServeLog, type ServeLogRow } from '../../src/serve/log.js';

const row = (over: Partial<ServeLogRow>): ServeLogRow => ({
  v: 1, kind: 'serve', time: '2026-01-01T00:00:00.000Z', id: 'req_x', protocol: 'openai', stream: false, path: 'engine', requested: 'mmr/auto',
  model: 'openai:a', route: 'rule:r', fallbackFrom: [], status: 200, finishReason: 'stop', inputTokens: 10, outputTokens: 5, cachedInputTokens: 0,
  costUsd: 0.001, ttftMs: 10, latencyMs: 100, wallMs: 110, error: null, ...over,
});

describe('serve stats', () => {
  it('nearest-rank p50/p95 per model and per route; failures count as errors and stay out of latency; unknown cost is counted, not summed as $0', () => {
    const s = new ServeStats();
    for (let i = 1; i <= 100; i++) s.add(row({ latencyMs: i, model: i % 2 ? 'openai:a' : 'anthropic:b' }));
    s.add(row({ status: 429, error: 'rate limited', latencyMs: 99999, costUsd: null }));
    s.add(row({ costUsd: null, route: 'default', latencyMs: 50 }));
    const j = s.json();
    expect(j.total).toMatchObject({ requests: 102, errors: 1, costUnknown: 1, latencyP50Ms: 50, latencyP95Ms: 95 });
    expect(j.total.costUsd).toBeCloseTo(0.1, 10);
    expect(j.byRoute['rule:r'].requests).toBe(101);
    expect(j.byRoute.default).toMatchObject({ requests: 1, costUnknown: 1 });
    expect(j.byModel['anthropic:b'].latencyP50Ms).toBe(50);
    const table = formatStats(j);
    expect(table).toMatch(/^openai:a\s+52\s+1\s/m);
    expect(table).toMatch(/^total\s+102\s+1\s+50ms\s+95ms/m);
  });
});

describe('serve log', () => {
  it('appends rows after a torn last line without merging them, 0600, and the reader skips and counts bad lines', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mmr-serve-log-'));
    const file = path.join(dir, 'mmr', 'serve.jsonl');
    const first = await ServeLog.open(file);
    first.write(row({ id: 'a' }));
    await first.close();
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"kind":"serve","torn`, { flag: 'w' });
    const second = await ServeLog.open(file);
    second.write(row({ id: 'b' }));
    await second.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const ids: string[] = [];
    const { rows, skipped } = await readServeLog(file, (r) => ids.push(r.id));
    expect({ rows, skipped, ids }).toEqual({ rows: 2, skipped: 1, ids: ['a', 'b'] });
  });
});
