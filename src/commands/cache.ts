/**
 * `mmr cache stats|clear|prune`: the bench answer cache (bench/cache-store.ts). stats and prune
 * print their result on stdout (text, or one JSON document with --json); clear and prune say
 * what they removed on stderr unless --quiet.
 */
import { formatBytes } from '../bench/format-bytes.js';
import { benchCacheDir } from '../bench/cache.js';
import { neutralizeLine } from '../core/terminal-safe.js';

export interface CacheFlags {
  json?: boolean;
  quiet?: boolean;
  olderThan?: string;
}

const when = (t: number | null) => (t === null ? '—' : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z'));

export async function runCacheStats(flags: CacheFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { storeStats } = await import('../bench/cache-stats.js');
  const s = await storeStats(benchCacheDir(env));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return 0;
  }
  if (!s.exists) {
    process.stdout.write(`cache      ${neutralizeLine(s.dir)}\nentries    0 answers (no cache yet: mmr bench creates it)\n`);
    return 0;
  }
  const lines = [
    `cache      ${neutralizeLine(s.dir)}`,
    `entries    ${s.entries} answers (${formatBytes(s.bytes)} in ${s.segments} segment file${s.segments === 1 ? '' : 's'}${s.openSegments ? `, ${s.openSegments} being written by a running mmr` : ''})`,
    `written    ${when(s.oldestMs)} … ${when(s.newestMs)}`,
  ];
  const waste = [s.superseded ? `${s.superseded} superseded` : '', s.corrupt ? `${s.corrupt} corrupt` : '', s.torn ? `${s.torn} torn tail${s.torn === 1 ? '' : 's'}` : ''].filter(Boolean);
  if (waste.length) lines.push(`reclaimable ${waste.join(', ')} (mmr cache prune drops them)`);
  if (s.legacyFiles) lines.push(`old format ${s.legacyFiles} one-file-per-answer entries (${formatBytes(s.legacyBytes)}), still read; mmr cache prune moves them into the store`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export async function runCacheClear(flags: CacheFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { clearStore } = await import('../bench/cache-stats.js');
  const dir = benchCacheDir(env);
  const { storeExists } = await import('../bench/cache-lock.js');
  if (!(await storeExists(dir))) {
    if (!flags.quiet) process.stderr.write(`mmr: the bench cache (${neutralizeLine(dir)}) is already empty\n`);
    return 0;
  }
  const r = await clearStore(dir);
  if (!flags.quiet) process.stderr.write(`mmr: cleared the bench cache (${neutralizeLine(dir)}: ${r.files} file${r.files === 1 ? '' : 's'}, ${formatBytes(r.bytes)})\n`);
  return 0;
}

export async function runCachePrune(flags: CacheFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [{ compactStore }, { parseDuration }] = await Promise.all([import('../bench/cache-maintain.js'), import('../bench/duration.js')]);
  const olderThanMs = flags.olderThan !== undefined ? parseDuration(flags.olderThan, '--older-than') : undefined;
  const dir = benchCacheDir(env);
  const r = await compactStore(dir, { olderThanMs });
  if (r.busy) {
    process.stderr.write(`mmr: another mmr${r.holder ? ` (${r.holder})` : ''} is compacting the cache (${neutralizeLine(dir)}); try again when it is done\n`);
    return 1;
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else if (r.missing) process.stdout.write(`nothing to prune: no bench cache at ${neutralizeLine(dir)} yet\n`);
  else {
    const dropped = [flags.olderThan !== undefined ? `${r.expired} older than ${neutralizeLine(flags.olderThan)}` : '', `${r.superseded} superseded`, `${r.corrupt} corrupt`].filter(Boolean).join(', ');
    process.stdout.write(`kept ${r.kept} answers (${formatBytes(r.bytesAfter)}, was ${formatBytes(r.bytesBefore)}); dropped ${dropped}; merged ${r.merged} segment${r.merged === 1 ? '' : 's'}${r.legacyMerged ? ` and ${r.legacyMerged} old-format files` : ''}\n`);
  }
  return 0;
}
