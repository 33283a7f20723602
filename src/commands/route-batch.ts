/**
 * `mmr route --batch FILE.jsonl`: one decision per `{id, prompt}` line, as `route --json` makes it,
 * in input order, written as they are made. The routing setup (config, rules, router file) is loaded
 * once for the batch, while the file is read.
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

/** Output is written in pieces of about this many UTF-16 code units, so it is never held whole. */
const CHUNK_CHARS = 256 * 1024;

export async function runBatch(file: string, flags: RouteFlags, deps: RoutingDeps): Promise<number> {
  const abs = path.resolve(deps.cwd ?? process.cwd(), file);
  const st = await stat(abs).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`--batch ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 'pass a JSONL file of {"id": ..., "prompt": "..."} lines');
  });
  if (!st.isFile()) throw new UsageError(`--batch ${file}: not a regular file`, 'pass a JSONL file of {"id": ..., "prompt": "..."} lines');
  if (st.size > MAX_BATCH_BYTES) throw new UsageError(`--batch ${file}: ${st.size} bytes is more than ${MAX_BATCH_BYTES}`, 'split it into smaller files');
  const [text, r] = await Promise.all([readFile(abs, 'utf8'), routerFor(flags, deps)]);
  const stdout = deps.stdout ?? process.stdout;
  // Prompts and model names are outside text: escaped for a terminal, byte-exact JSON for a pipe.
  const tty = (stdout as { isTTY?: boolean }).isTTY === true;
  let out = '';
  const flush = () => {
    if (out) stdout.write(tty ? escapeJsonControls(out) : out);
    out = '';
  };
  let skipped = 0;
  let decided = 0;
  // Line by line: each decision is made, serialised and dropped, so memory stays flat however long the file.
  for (let start = 0, line = 1; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end);
    start = end + 1;
    if (!raw.trim()) continue;
    let v: { id?: unknown; prompt?: unknown };
    try {
      v = JSON.parse(raw) as typeof v;
    } catch {
      v = {};
    }
    if (typeof v !== 'object' || v === null || typeof v.prompt !== 'string') {
      if (skipped++ < 5) process.stderr.write(`mmr: ${file}:${line}: skipped: each line must be a JSON object with a string "prompt" (and an "id")\n`);
      continue;
    }
    const { decision, classification } = r.decideOne(v.prompt);
    out += `${JSON.stringify({ id: v.id ?? line, ...decision, classification })}\n`;
    decided++;
    if (out.length >= CHUNK_CHARS) flush();
  }
  flush();
  if (skipped > 5) process.stderr.write(`mmr: ${file}: ${skipped} lines skipped in all\n`);
  return decided;
}
