/**
 * The bench response cache: one small JSON file per (model, request parameters, prompt), so a
 * re-run costs nothing and an interrupted run resumes where it stopped. Only successful answers
 * are stored. Files are written to a temp name and renamed, so a crash never leaves half an entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModelRequest, Usage } from '../core/types.js';

/**
 * `$XDG_CACHE_HOME/mmr` when set (absolute), else the platform's cache dir as env-paths gives
 * it. Computed from the given env because env-paths reads process.env once at import.
 */
export function userCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'mmr');
  const home = env.HOME || env.USERPROFILE || os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'mmr');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'mmr', 'Cache');
  return path.join(home, '.cache', 'mmr');
}

export const benchCacheDir = (env: NodeJS.ProcessEnv) => path.join(userCacheDir(env), 'bench');

/** What a cached answer keeps: enough to grade it again and to report its original cost and timing. */
export interface CachedAnswer {
  text: string;
  finishReason: string | null;
  usage: Pick<Usage, 'inputTokens' | 'outputTokens'> | null;
  /** USD of the original call. */
  costUsd: number | null;
  /** ms, of the original call. */
  latencyMs: number | null;
  ttftMs: number | null;
  attempts: number;
}

/** The request as sent (model name, turns, system, sampling) plus the provider: the cache key. */
export function cacheKey(modelId: string, request: ModelRequest): string {
  const { model: _name, ...params } = request;
  const canon = JSON.stringify({ v: 1, model: modelId, messages: params.messages, system: params.system ?? null, temperature: params.temperature ?? null, maxTokens: params.maxTokens ?? null, topP: params.topP ?? null, stop: params.stop ?? null });
  return createHash('sha256').update(canon).digest('hex');
}

export class BenchCache {
  constructor(readonly dir: string) {}
  private file(key: string) {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }
  async get(key: string): Promise<CachedAnswer | null> {
    try {
      return JSON.parse(await readFile(this.file(key), 'utf8')) as CachedAnswer;
    } catch {
      return null; // missing or unreadable: fetch again
    }
  }
  async set(key: string, value: CachedAnswer): Promise<void> {
    const f = this.file(key);
    const tmp = `${f}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(f), { recursive: true });
      await writeFile(tmp, JSON.stringify(value));
      await rename(tmp, f);
    } catch {
      await rm(tmp, { force: true }).catch(() => {});
      // A cache that cannot be written only costs a re-fetch next time.
    }
  }
}

export async function clearCache(env: NodeJS.ProcessEnv): Promise<string> {
  const dir = benchCacheDir(env);
  await rm(dir, { recursive: true, force: true });
  return dir;
}
