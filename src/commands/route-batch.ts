/**
 * `mmr route --batch FILE.jsonl`: one decision per `{id, prompt}` line, as `route --json` makes it,
 * in input order. The routing setup (config, rules, router file) is loaded once for the batch.
 * (Splitting a batch over a worker thread was measured and lost: the second isolate's start-up and
 * warm-up cost more than the half of the work it takes, at 5,000 prompts.)
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { escapeJsonControls } from '../core/terminal-safe.js';
import { routerFor, type RouteFlags, type RoutingDeps } from './route.js';

/** Largest `--batch` file, in bytes. */
export const MAX_BATCH_BYTES = 512 * 1024 * 1024;

export interface BatchItem {
  id: unknown;
  prompt: string;
}

/** Decisions for `items`, one JSON text each. */
export async function decideAll(items: readonly BatchItem[], flags: RouteFlags, deps: RoutingDeps): Promise<string[]> {
  const r = await routerFor(flags, deps);
  return items.map(({ id, prompt }) => {
    const { decision, classification } = r.decideOne(prompt);
    return JSON.stringify({ id, ...decision, classification });
  });
}

export async function runBatch(file: string, flags: RouteFlags, deps: RoutingDeps): Promise<number> {
  const abs = path.resolve(deps.cwd ?? process.cwd(), file);
  const st = await stat(abs).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`--batch ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 'pass a JSONL file of {"id": ..., "prompt": "..."} lines');
  });
  if (!st.isFile()) throw new UsageError(`--batch ${file}: not a regular file`, 'pass a JSONL file of {"id": ..., "prompt": "..."} lines');
  if (st.size > MAX_BATCH_BYTES) throw new UsageError(`--batch ${file}: ${st.size} bytes is more than ${MAX_BATCH_BYTES}`, 'split it into smaller files');
  const items: BatchItem[] = [];
  let skipped = 0;
  (await readFile(abs, 'utf8')).split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: { id?: unknown; prompt?: unknown };
    try {
      v = JSON.parse(line) as typeof v;
    } catch {
      v = {};
    }
    if (typeof v !== 'object' || v === null || typeof v.prompt !== 'string') {
      if (skipped++ < 5) process.stderr.write(`mmr: ${file}:${i + 1}: skipped: each line must be a JSON object with a string "prompt" (and an "id")\n`);
      return;
    }
    items.push({ id: v.id ?? i + 1, prompt: v.prompt });
  });
  if (skipped > 5) process.stderr.write(`mmr: ${file}: ${skipped} lines skipped in all\n`);
  const out = await decideAll(items, flags, deps);
  const stdout = deps.stdout ?? process.stdout;
  const text = out.length ? `${out.join('\n')}\n` : '';
  // Prompts and model names are outside text: escaped for a terminal, byte-exact JSON for a pipe.
  stdout.write((stdout as { isTTY?: boolean }).isTTY ? escapeJsonControls(text) : text);
  return out.length;
}
