/**
 * Batch jobs outlive the process that started them: Ctrl-C while polling leaves them running,
 * the state file (0600) names them, and the same `mmr bench --batch` (or `mmr batch resume`)
 * collects them without submitting again; `mmr batch status` and `cancel` talk to the provider;
 * an expired or cancelled job's unrun requests are rows saying so. Built binary, local server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../src/mock-server/index.js';
import { bin, isolatedEnv, mmr } from '../helpers/cli.js';

let server: MockServer;
const batchOptions = { msPerRequest: 150 };
beforeAll(async () => {
  server = await startMockServer({ reply: (req) => ({ text: `answer to ${req.body.messages.at(-1).content}`, usage: { input: 10, output: 4 } }), batch: batchOptions });
});
afterAll(() => server.close());

async function setup(n: number) {
  const { env, home } = await isolatedEnv({ OPENAI_API_KEY: 'sk-test-openai-key', OPENAI_BASE_URL: server.baseUrls.openai });
  env.XDG_CACHE_HOME = path.join(home, '.cache');
  const file = path.join(home, 'cases.jsonl');
  writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify({ id: `c${i}`, prompt: `question ${i}`, expect: [{ type: 'contains', value: 'answer' }] })).join('\n') + '\n');
  return { env, home, file, out: path.join(home, 'rows.jsonl'), state: path.join(env.XDG_CACHE_HOME, 'mmr', 'batches.json') };
}
const rowsOf = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
async function until(what: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('batch jobs across processes', () => {
  it('Ctrl-C while polling leaves the job running; the same command later collects it without submitting again', async () => {
    const { env, file, out, state } = await setup(20);
    const args = ['bench', file, '-m', 'openai:gpt-4o-mini', '--batch', '--poll-interval', '50ms', '--json', '--out', out];
    writeFileSync(out, '{"old":"rows stay"}\n');
    const child = execa(process.execPath, [bin, ...args], { env, extendEnv: false, reject: false, stdin: 'ignore', cwd: env.HOME });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await until(() => /wave 1: 20 requests in 1 batch job/.test(stderr));
    const jobs = () => [...new Set(server.requests.filter((r) => r.batch).map((r) => r.batch))];
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(stderr).toMatch(/left 1 batch job running at the provider: batch_\w+ \(openai:gpt-4o-mini\)\. Run the same mmr bench --batch again \(or mmr batch resume\)/);
    // The rows file of the last run was not touched: no row was made.
    expect(readFileSync(out, 'utf8')).toBe('{"old":"rows stay"}\n');
    expect(statSync(state).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(state, 'utf8'));
    expect(saved.runs).toHaveLength(1);
    expect(saved.runs[0].jobs).toHaveLength(1);
    const jobId = saved.runs[0].jobs[0].id;
    // No key and no prompt in the state file.
    expect(readFileSync(state, 'utf8')).not.toMatch(/sk-test|question \d/);

    const status = await mmr(['batch', 'status'], { env });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain(jobId);
    expect(status.stdout).toMatch(/(running|validating|completed): \d+\/20 done, 0 failed/);

    const again = await mmr(args, { env, timeout: 60_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('resuming 1 batch job of this run');
    // Every answered request belongs to the first job: a second submission would show its own id.
    // (A count taken before the re-run raced the mock, which answers a job's requests as it is polled.)
    expect(jobs()).toEqual([jobId]);
    const rows = rowsOf(out);
    expect(rows).toHaveLength(20);
    expect(rows.every((x) => x.batch === true && x.cached === false && x.pass === true)).toBe(true);
    // This run collected the answers its first process paid for: they count as spent now.
    expect(JSON.parse(again.stdout).spentUsd).toBeGreaterThan(0);
    expect(existsSync(state)).toBe(false);
  });

  it('mmr batch resume runs the command again; cancel stops a job and its unrun requests become rows that say so', async () => {
    const { env, file, out, state } = await setup(30);
    const args = ['bench', file, '-m', 'openai:gpt-4o-mini', '--batch', '--poll-interval', '50ms', '--json', '--out', out];
    const child = execa(process.execPath, [bin, ...args], { env, extendEnv: false, reject: false, stdin: 'ignore', cwd: env.HOME });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await until(() => /wave 1/.test(stderr));
    child.kill('SIGINT');
    await child;
    const jobId = JSON.parse(readFileSync(state, 'utf8')).runs[0].jobs[0].id;
    const none = await mmr(['batch', 'cancel'], { env });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('name the jobs to cancel');
    const cancel = await mmr(['batch', 'cancel', jobId], { env });
    expect(cancel.exitCode, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(new RegExp(`${jobId}  (cancelling|cancelled) \\(\\d+ of 30 had run\\)`));
    const resumed = await mmr(['batch', 'resume'], { env, timeout: 60_000 });
    expect(resumed.exitCode).toBe(4); // some rows errored: the cancelled ones
    expect(resumed.stderr).toContain('mmr: resuming mmr bench');
    const rows = rowsOf(out);
    expect(rows).toHaveLength(30);
    const cancelled = rows.filter((x) => x.error);
    expect(cancelled.length).toBeGreaterThan(0);
    expect(cancelled.length).toBeLessThan(30);
    expect(cancelled[0].error).toMatchObject({ kind: 'aborted', message: `batch job ${jobId} was cancelled before this request ran` });
    expect(rows.filter((x) => !x.error).every((x) => x.pass)).toBe(true);
    expect(existsSync(state)).toBe(false);
  });

  it('a job that expires: what it answered is kept, the rest are rows with a timeout error, and the next run asks only those', async () => {
    batchOptions.msPerRequest = 100;
    Object.assign(batchOptions, { expireAfterMs: 450 });
    try {
      const { env, file, out } = await setup(12);
      const r = await mmr(['bench', file, '-m', 'openai:gpt-4o-mini', '--batch', '--poll-interval', '50ms', '--json', '--out', out], { env, timeout: 60_000 });
      expect(r.exitCode, r.stderr).toBe(4);
      const rows = rowsOf(out);
      const expired = rows.filter((x) => x.error);
      expect(expired.length).toBeGreaterThan(0);
      expect(expired.length).toBeLessThan(12);
      expect(expired[0].error.kind).toBe('timeout');
      expect(expired[0].error.message).toMatch(/expired before this request ran/);
      delete (batchOptions as { expireAfterMs?: number }).expireAfterMs;
      batchOptions.msPerRequest = 0;
      const before = server.requests.length;
      const again = await mmr(['bench', file, '-m', 'openai:gpt-4o-mini', '--batch', '--poll-interval', '50ms', '--json', '--out', out], { env, timeout: 60_000 });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(server.requests.length - before).toBe(expired.length);
    } finally {
      delete (batchOptions as { expireAfterMs?: number }).expireAfterMs;
      batchOptions.msPerRequest = 150;
    }
  });
});
