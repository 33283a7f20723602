/**
 * Writes the HTML report: atomically (a temp file renamed over the target, so a crash never
 * leaves half a report) and 0600, since it holds every prompt and answer.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { renderHtml, type HtmlInput } from './html.js';

export async function writeHtmlReport(file: string, input: HtmlInput): Promise<string> {
  const abs = path.resolve(file);
  const tmp = `${abs}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(abs), { recursive: true, mode: 0o700 });
    await writeFile(tmp, renderHtml(input), { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, abs);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new UsageError(`cannot write --html ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'check the path and its directory permissions');
  }
  return abs;
}
