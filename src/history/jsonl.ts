/**
 * Append-only JSONL files in the user's data directory (votes, conversations): one line per
 * record, written in a single O_APPEND write so concurrent mmr processes never interleave within
 * a line, mode 0600 because they hold what the user asked. Read back line by line, so a log of
 * any size is never held in memory whole.
 */
import { createReadStream } from 'node:fs';
import { appendFile, chmod, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

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

/**
 * Calls `each` with every non-empty line parsed (undefined when it is not JSON) and its 1-based
 * number. A missing file is no lines.
 */
export async function eachJsonLine(file: string, each: (value: unknown, line: number) => void): Promise<void> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<boolean>((resolve, reject) => {
    stream.once('open', () => resolve(true));
    stream.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? resolve(false) : reject(err)));
  });
  if (!(await opened)) return;
  let n = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    n++;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    each(value, n);
  }
}
