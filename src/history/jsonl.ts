/**
 * Append-only JSONL files in the user's data directory (votes, conversations): one line per
 * record, written in a single O_APPEND write so concurrent mmr processes never interleave within
 * a line, mode 0600 because they hold what the user asked. Read back line by line, so a log of
 * any size is never held in memory whole.
 */
import { createReadStream } from 'node:fs';
import { appendFile, chmod, mkdir, open } from 'node:fs/promises';
import path from 'node:path';

/** True when the file exists, is not empty, and does not end in a newline (a writer died mid-line). */
async function endsTorn(file: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const buf = Buffer.alloc(1);
    await fh.read(buf, 0, 1, size - 1);
    return buf[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

/** Appends `record` as one line; creates the directory (0700) and file (0600) as needed. */
export async function appendJsonLine(file: string, record: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // After a torn line the next record starts on a fresh line, so only the torn one is lost.
  const lead = (await endsTorn(file)) ? '\n' : '';
  await appendFile(file, `${lead}${JSON.stringify(record)}\n`, { encoding: 'utf8', mode: 0o600, flag: 'a' });
  // `mode` applies only on creation; tighten a file an older version or the user left open.
  await chmod(file, 0o600).catch(() => undefined);
}

/** A log line longer than this is no record mmr wrote: it is read as a line that is not JSON. */
export const MAX_LOG_LINE_BYTES = 64 * 1024 * 1024;

/**
 * The lines of a file (a final line without its newline included), each at most `max` bytes:
 * a longer one comes back as null without being held, so a corrupt or hostile file cannot grow
 * memory without bound. Read errors (ENOENT, EACCES) are thrown.
 */
export async function* boundedLines(file: string, max = MAX_LOG_LINE_BYTES): AsyncGenerator<string | null> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      const fits = !tooLong && size + (nl - start) <= max;
      if (fits) parts.push(chunk.subarray(start, nl));
      yield fits ? Buffer.concat(parts).toString('utf8') : null;
      parts = [];
      size = 0;
      tooLong = false;
      start = nl + 1;
    }
    const rest = chunk.length - start;
    if (!tooLong && size + rest <= max) parts.push(chunk.subarray(start));
    else (tooLong = true), (parts = []);
    size += rest;
  }
  if (size > 0) yield tooLong ? null : Buffer.concat(parts).toString('utf8');
}

/**
 * Calls `each` with every non-empty line parsed (undefined when it is not JSON, or longer than
 * MAX_LOG_LINE_BYTES) and its 1-based number. A missing file is no lines.
 */
export async function eachJsonLine(file: string, each: (value: unknown, line: number) => void): Promise<void> {
  let n = 0;
  try {
    for await (const line of boundedLines(file)) {
      n++;
      if (line !== null && !line.trim()) continue;
      let value: unknown;
      try {
        value = line === null ? undefined : JSON.parse(line.endsWith('\r') ? line.slice(0, -1) : line);
      } catch {
        value = undefined;
      }
      each(value, n);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && n === 0) return;
    throw err;
  }
}
