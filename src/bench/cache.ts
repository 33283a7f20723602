/**
 * The bench response cache, so a re-run costs nothing and an interrupted run resumes where it
 * stopped. Only successful answers are stored. The runner sees only the `BenchCache` interface;
 * the store behind it is a few append-only segment files with an index (cache-store.ts), 0600
 * in a 0700 directory since entries hold prompts and answers. This module holds what every
 * store shares: where the cache lives, the key, and the entry check (a corrupt entry is counted
 * and fetched again, never trusted), plus `DirCache`, the one-file-per-answer store of earlier
 * mmr versions, whose entries the new store still reads.
 */
import crypto, { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedModel } from '../core/model.js';
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
  /** The provider batch job that answered (`mmr bench --batch`): its cost is the batch price, and it has no per-call timing. */
  batch?: string;
}

/** Where cached answers live. The runner needs only this. */
export interface BenchCache {
  /** The entry, or null when there is none or it is not a valid entry (then counted in `corrupt`). */
  get(key: string): Promise<CachedAnswer | null>;
  /** The same answer `get` gives when it is known without I/O (null: a miss); undefined when only `get` can tell. */
  peek?(key: string): CachedAnswer | null | undefined;
  /** Best effort: a cache that cannot be written only costs a re-fetch next time. */
  set(key: string, value: CachedAnswer): Promise<void>;
  /** Entries found unreadable or invalid so far (each was fetched again). */
  readonly corrupt: number;
}

/** Bump when the key's inputs or the entry's meaning change: old entries then simply miss. */
export const CACHE_FORMAT = 2;

// crypto.hash (Node 20.12+) hashes in one call, 4-5× faster than a Hash object per key; the
// digest is the same.
const oneShot = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;
const sha = oneShot ? (s: string) => oneShot('sha256', s) : (s: string) => createHash('sha256').update(s).digest('hex');

/** The model's part of the key (protocol, endpoint, argv, headers, id), which every request shares. */
const modelParts = new WeakMap<ResolvedModel, string>();

function modelPart(model: ResolvedModel): string {
  let part = modelParts.get(model);
  if (part === undefined) {
    const spec = model.provider;
    const headers = spec.headers ? Object.keys(spec.headers).sort().map((k) => [k.toLowerCase(), sha(spec.headers![k])]) : null;
    const json = JSON.stringify({
      v: CACHE_FORMAT,
      protocol: spec.protocol,
      baseUrl: spec.protocol === 'command' ? null : spec.baseUrl,
      command: spec.protocol === 'command' ? (spec.command ?? null) : null,
      commandEnv: spec.commandEnv ? Object.keys(spec.commandEnv).sort().map((k) => [k, sha(spec.commandEnv![k])]) : null,
      headers,
      model: model.id,
    });
    part = json.slice(0, -1);
    modelParts.set(model, part);
  }
  return part;
}

/** An image counts by a hash of its bytes: the key stays small, and any changed pixel changes it. */
function keyedMessages(messages: ModelRequest['messages']): unknown {
  if (!messages.some((m) => m.images !== undefined)) return messages;
  return messages.map((m) => ({ role: m.role, content: m.content, ...(m.images?.length ? { images: m.images.map((i) => ({ mediaType: i.mediaType, sha256: sha(i.base64) })) } : {}) }));
}

/** Request fields the key names one by one; any other (a field added later) goes in its `rest`. */
const NAMED = new Set(['model', 'messages', 'system', 'temperature', 'maxTokens', 'topP', 'stop']);

/** The request's part of the key after the model's name, for the last request seen (the models of a case ask the same one). */
let lastTail: { messages: unknown; system: unknown; temperature: unknown; maxTokens: unknown; topP: unknown; stop: unknown; text: string } | null = null;

function requestTail(request: ModelRequest): string {
  const { messages, system, temperature, maxTokens, topP, stop } = request;
  let rest: Record<string, unknown> | null = null;
  for (const k in request) if (!NAMED.has(k)) (rest ??= {})[k] = (request as unknown as Record<string, unknown>)[k];
  const t = lastTail;
  if (rest === null && t && t.messages === messages && t.system === system && t.temperature === temperature && t.maxTokens === maxTokens && t.topP === topP && t.stop === stop) return t.text;
  const j = JSON.stringify;
  const text =
    `,"messages":${j(keyedMessages(messages))},"system":${j(system ?? null)},"temperature":${j(temperature ?? null)}` +
    `,"maxTokens":${j(maxTokens ?? null)},"topP":${j(topP ?? null)},"stop":${j(stop ?? null)}` +
    // Request fields added later still change the key, without a code change here.
    `,"rest":${j(rest)}`;
  // Only a request with no other fields is kept: its named fields are all the tail depends on.
  lastTail = rest === null ? { messages, system, temperature, maxTokens, topP, stop, text } : null;
  return text;
}

/**
 * Everything that decides the answer: protocol, endpoint, the command's argv (for `command`
 * providers), the model, every request field, and which `--repeat` sample this is. Secrets stay
 * out: never the API key; header names are kept and their values only as a hash. The key is
 * the SHA-256 of one JSON object; the model's fields are serialised once per model, the
 * request's once for the models that ask it one after another (the same text `JSON.stringify`
 * gives for the whole object). Messages are compared by identity: a request's are never changed
 * after it was made.
 */
export function cacheKey(model: ResolvedModel, request: ModelRequest, sample = 1): string {
  // Sample 1 is the plain run, so `--repeat 5` after a run reuses its answers.
  const canon = `${modelPart(model)},"name":${JSON.stringify(request.model)}${requestTail(request)},"sample":${sample > 1 ? String(sample) : 'null'}}`;
  return sha(canon);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown) => v === null || (isNum(v) && v >= 0);

/** The entry when every field has the type it must have, else null. */
export function validEntry(v: unknown): CachedAnswer | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const e = v as Record<string, unknown>;
  if (typeof e.text !== 'string') return null;
  if (e.finishReason !== null && typeof e.finishReason !== 'string') return null;
  if (e.usage !== null) {
    if (typeof e.usage !== 'object' || Array.isArray(e.usage)) return null;
    const u = e.usage as Record<string, unknown>;
    if (!numOrNull(u.inputTokens) || !numOrNull(u.outputTokens)) return null;
  }
  if (!numOrNull(e.costUsd) || !numOrNull(e.latencyMs) || !numOrNull(e.ttftMs)) return null;
  if (!Number.isInteger(e.attempts) || (e.attempts as number) < 1) return null;
  if (e.batch !== undefined && (typeof e.batch !== 'string' || e.batch.length > 256)) return null;
  const usage = e.usage as CachedAnswer['usage'];
  return {
    text: e.text,
    finishReason: e.finishReason as string | null,
    usage: usage ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } : null,
    costUsd: e.costUsd as number | null,
    latencyMs: e.latencyMs as number | null,
    ttftMs: e.ttftMs as number | null,
    attempts: e.attempts as number,
    ...(typeof e.batch === 'string' ? { batch: e.batch } : {}),
  };
}

/** An entry larger than this is not a bench answer someone's run wrote: skip it unread. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/** The old store: one JSON file per key under `dir/<first two hex digits>/` (read for entries written before the segment store). */
export class DirCache implements BenchCache {
  corrupt = 0;
  private made = new Set<string>();
  constructor(readonly dir: string) {}
  private file(key: string) {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }
  async get(key: string): Promise<CachedAnswer | null> {
    let text: string;
    try {
      const buf = await readFile(this.file(key));
      if (buf.length > MAX_ENTRY_BYTES) {
        this.corrupt++;
        return null;
      }
      text = buf.toString('utf8');
    } catch {
      return null; // missing or unreadable: fetch again
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const entry = validEntry(parsed);
    if (!entry) this.corrupt++;
    return entry;
  }
  async set(key: string, value: CachedAnswer): Promise<void> {
    const f = this.file(key);
    const tmp = `${f}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
    try {
      const sub = path.dirname(f);
      if (!this.made.has(sub)) {
        await mkdir(sub, { recursive: true, mode: 0o700 });
        // mkdir's mode applies only to directories it creates; tighten ones an older mmr left open.
        await Promise.all([chmod(this.dir, 0o700), chmod(sub, 0o700)]).catch(() => {});
        this.made.add(sub);
      }
      await writeFile(tmp, JSON.stringify(value), { mode: 0o600 });
      await rename(tmp, f);
    } catch {
      await rm(tmp, { force: true }).catch(() => {});
      // A cache that cannot be written only costs a re-fetch next time.
    }
  }
}
