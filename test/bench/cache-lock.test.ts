/**
 * Cache maintenance when the store is missing, locked by a live compactor, left locked by a dead
 * one, or cannot be read: real directories and real processes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { LogCache } from '../../src/bench/cache-store.js';
import { compactStore } from '../../src/bench/cache-maintain.js';
import { CacheStoreError } from '../../src/bench/cache-lock.js';
import { clearStore, storeStats } from '../../src/bench/cache-stats.js';

const fresh = () => path.join(mkdtempSync(path.join(tmpdir(), 'mmr-lock-')), 'bench');
const key = (s: string) => createHash('sha256').update(s).digest('hex');
/** A store of `n` answers; returns the segment written (this process's, so pass it as alsoSealed). */
async function filled(dir: string, n: number): Promise<string> {
  const c = await LogCache.open(dir);
  for (let i = 0; i < n; i++) await c.set(key(`q${i}`), { text: `a${i}`, finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 5, ttftMs: 1, attempts: 1 });
  await c.close();
  return c.writtenFile!;
}

const tsx = createRequire(import.meta.url).resolve('tsx');
const lockUrl = new URL('../../src/bench/cache-lock.ts', import.meta.url).href;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
});

/** A process holding the store's compaction lock; resolves once it says it holds it. */
async function holder(dir: string): Promise<ChildProcess> {
  const script = path.join(path.dirname(dir), 'hold.mts');
  writeFileSync(script, `import { lockStore } from ${JSON.stringify(lockUrl)};\nconst l = await lockStore(process.argv[2]);\nprocess.stdout.write(l.state + '\\n');\nsetInterval(() => {}, 1 << 30);\n`);
  const child = spawn(process.execPath, ['--import', tsx, script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const said = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before taking the lock: ${out}`)));
  });
  expect(said).toBe('held');
  return child;
}

describe('cache maintenance edge cases', () => {
  it('a missing store is an empty cache: prune, stats and clear say so and create nothing', async () => {
    const dir = fresh();
    expect(await compactStore(dir)).toMatchObject({ missing: true, busy: false, kept: 0, merged: 0 });
    expect(await storeStats(dir)).toMatchObject({ exists: false, entries: 0, segments: 0 });
    expect(await clearStore(dir)).toEqual({ files: 0, bytes: 0 });
    expect(existsSync(dir)).toBe(false);
  });

  it('a lock held by a live process is busy (naming it); once that process is killed the lock is taken over at once', async () => {
    const dir = fresh();
    const own = await filled(dir, 20);
    const child = await holder(dir);
    expect(await compactStore(dir)).toMatchObject({ busy: true, holder: `pid ${child.pid}`, merged: 0 });
    child.kill('SIGKILL');
    await once(child, 'exit');
    // The lock directory is still there (SIGKILL runs no clean-up) and not yet stale by age.
    expect(existsSync(path.join(dir, 'compact.lock'))).toBe(true);
    expect(await compactStore(dir, { alsoSealed: [own] })).toMatchObject({ busy: false, merged: 1, kept: 20 });
    expect(existsSync(path.join(dir, 'compact.lock'))).toBe(false);
    expect(existsSync(path.join(dir, 'compact.lock.owner'))).toBe(false);
  });

  it('a lock whose holder is unknown (no owner file: another mmr has just taken it) is busy', async () => {
    const dir = fresh();
    await filled(dir, 3);
    mkdirSync(path.join(dir, 'compact.lock'));
    expect(await compactStore(dir)).toMatchObject({ busy: true, holder: null });
  });

  it('a store path that is not a directory fails naming the path', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'mmr-lock-'));
    writeFileSync(path.join(base, 'file'), 'x');
    const dir = path.join(base, 'file', 'bench');
    await expect(compactStore(dir)).rejects.toThrow(new CacheStoreError('read the cache store', dir, Object.assign(new Error(), { code: 'ENOTDIR' })).message);
    await expect(storeStats(dir)).rejects.toBeInstanceOf(CacheStoreError);
  });

  it('a lock that cannot be recorded fails naming the file, and leaves no lock behind', async () => {
    const dir = fresh();
    await filled(dir, 3);
    mkdirSync(path.join(dir, 'compact.lock.owner'));
    await expect(compactStore(dir)).rejects.toThrow(`cannot write ${path.join(dir, 'compact.lock.owner')}: `);
    expect(existsSync(path.join(dir, 'compact.lock'))).toBe(false);
  });

  it.skipIf(process.getuid?.() === 0)('a store that cannot be written fails naming the lock path, not "busy"', async () => {
    const dir = fresh();
    await filled(dir, 3);
    chmodSync(dir, 0o500);
    try {
      await expect(compactStore(dir)).rejects.toThrow(`cannot lock the cache store ${path.join(dir, 'compact.lock')}: permission denied`);
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});
