/**
 * A short on-disk cache of models listings, so `mmr models --all` run twice in a row does not ask
 * every provider again. One file per provider and base URL, written to a temp name and renamed,
 * 0600 in a 0700 directory; nothing of the key is stored (a changed key is seen when the entry
 * expires, or with --refresh), and the base URL only as a hash (it may hold `user:pass@`). Entries are checked when read: anything that is not a fresh,
 * well-formed listing is ignored and fetched again. Only successful listings are cached.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ListedModel } from './listing.js';
import { MAX_LISTED_MODELS } from './listing.js';

/** How long a listing is reused, in ms. */
export const LISTING_TTL_MS = 15 * 60 * 1000;
/** A cache file larger than this is not one mmr wrote. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const FORMAT = 1;

export interface CachedListing {
  models: ListedModel[];
  /** When it was fetched, ms since the epoch. */
  fetchedAt: number;
}

const where = (providerId: string, baseUrl: string) => createHash('sha256').update(`${FORMAT}\n${providerId}\n${baseUrl}`).digest('hex');
const fileFor = (dir: string, providerId: string, baseUrl: string) => path.join(dir, `${where(providerId, baseUrl).slice(0, 32)}.json`);

function valid(v: unknown, providerId: string, baseUrl: string, now: number): CachedListing | null {
  if (typeof v !== 'object' || v === null) return null;
  const e = v as Record<string, unknown>;
  if (e.v !== FORMAT || e.provider !== providerId || e.where !== where(providerId, baseUrl)) return null;
  if (typeof e.fetchedAt !== 'number' || e.fetchedAt > now || now - e.fetchedAt > LISTING_TTL_MS) return null;
  if (!Array.isArray(e.models) || e.models.length > MAX_LISTED_MODELS) return null;
  const models: ListedModel[] = [];
  for (const m of e.models) {
    if (typeof m !== 'object' || m === null || typeof (m as ListedModel).id !== 'string' || (m as ListedModel).id.length > 200) return null;
    const { id, contextWindow } = m as ListedModel;
    models.push(typeof contextWindow === 'number' && contextWindow > 0 ? { id, contextWindow } : { id });
  }
  return { models, fetchedAt: e.fetchedAt };
}

export async function readCachedListing(dir: string, providerId: string, baseUrl: string, now = Date.now()): Promise<CachedListing | null> {
  try {
    const buf = await readFile(fileFor(dir, providerId, baseUrl));
    if (buf.length > MAX_FILE_BYTES) return null;
    return valid(JSON.parse(buf.toString('utf8')), providerId, baseUrl, now);
  } catch {
    return null; // missing, unreadable or not JSON: fetch again
  }
}

/** Best effort: a cache that cannot be written only costs a fetch next time. */
export async function writeCachedListing(dir: string, providerId: string, baseUrl: string, models: ListedModel[], now = Date.now()): Promise<void> {
  const file = fileFor(dir, providerId, baseUrl);
  const tmp = `${file}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700).catch(() => {});
    await writeFile(tmp, JSON.stringify({ v: FORMAT, provider: providerId, where: where(providerId, baseUrl), fetchedAt: now, models }), { mode: 0o600 });
    await rename(tmp, file);
  } catch {
    await rm(tmp, { force: true }).catch(() => {});
  }
}
