/** Lines of a results body: bounded per line (a batch answer is far smaller than 64 MB). */
import { MAX_LINE_BYTES, splitLines } from '../bench/lines.js';

export async function* readLinesOf(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  for await (const { text } of splitLines(body, MAX_LINE_BYTES, (n) => new Error(`results line ${n} is longer than ${MAX_LINE_BYTES / 1048576} MB`))) {
    if (text.trim()) yield text;
  }
}
