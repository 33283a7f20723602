/**
 * Prompt and dataset files read as streams, so a 50,000-case JSONL or CSV file is never held
 * in memory whole: lines (bounded: a line over 64 MB is an error naming it, not a heap blow-up),
 * and CSV records through csv-parse's streaming parser (same options and line numbers as
 * csv.ts). Errors name the file and line.
 */
import { createReadStream } from 'node:fs';
import { CaseError } from './case-error.js';
import type { CsvRecord } from './csv.js';

/** A prompt or dataset line longer than this is not one anyone wrote by hand or script. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** How a reader reports a problem: a prompt-file error by default (file:line: problem, exit 2). */
export type ErrorFactory = (where: string, message: string) => Error;
const caseError: ErrorFactory = (where, message) => new CaseError(where, message);

function opened(file: string, display: string, what: string, fail: ErrorFactory) {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  stream.on('error', () => {});
  const ready = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) => reject(fail(display, `cannot read the ${what} (${err.code ?? err.message})`)));
  });
  return { stream, ready };
}

type Line = { text: string; line: number };

/** Lines handed out per batch at most: one promise per this many cases, and never a chunk's worth held at once. */
export const MAX_BATCH_LINES = 256;

/**
 * Lines of a byte stream (`\r\n` and a leading BOM handled), 1-based, handed out in batches of at
 * most MAX_BATCH_LINES from one chunk (a promise per batch, not per line); a line longer than `max` bytes calls `tooLong`
 * (which throws) instead of growing without bound.
 */
export async function* splitLineBatches(source: AsyncIterable<Uint8Array>, max = MAX_LINE_BYTES, tooLong: (line: number) => Error = (n) => new Error(`line ${n} is longer than ${max} bytes`)): AsyncGenerator<Line[]> {
  let carry: Buffer[] = [];
  let carried = 0;
  let line = 0;
  // The line `buf[from, to)`, decoded straight from the chunk (no Buffer made per line).
  const emit = (buf: Buffer, from: number, to: number): Line => {
    line++;
    if (to > from && buf[to - 1] === 0x0d) to--;
    if (line === 1 && to - from >= 3 && buf[from] === 0xef && buf[from + 1] === 0xbb && buf[from + 2] === 0xbf) from += 3;
    return { text: buf.toString('utf8', from, to), line };
  };
  for await (const raw of source) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: Line[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      if (carry.length) {
        const whole = Buffer.concat([...carry, chunk.subarray(start, nl)]);
        carry = [];
        carried = 0;
        out.push(emit(whole, 0, whole.length));
      } else out.push(emit(chunk, start, nl));
      start = nl + 1;
      // A bounded batch: a 1 MB chunk of short lines is ~10,000 cases, and whatever consumes a
      // batch (normalising, planning jobs) would hold them all at once (peak RSS 289 MB at
      // 50,000 × 4 with whole chunks, 180 MB before batches).
      if (out.length === MAX_BATCH_LINES) yield out.splice(0);
    }
    if (out.length) yield out;
    if (start < chunk.length) {
      carry.push(chunk.subarray(start));
      carried += chunk.length - start;
      if (carried > max) throw tooLong(line + 1);
    }
  }
  if (carried > 0) {
    const whole = Buffer.concat(carry);
    yield [emit(whole, 0, whole.length)];
  }
}

/** Lines of a byte stream one by one (see splitLineBatches). */
export async function* splitLines(source: AsyncIterable<Uint8Array>, max = MAX_LINE_BYTES, tooLong?: (line: number) => Error): AsyncGenerator<Line> {
  for await (const batch of splitLineBatches(source, max, tooLong)) yield* batch;
}

/** The file's lines with 1-based numbers (`\r\n` and a leading BOM handled), in batches (see splitLineBatches). */
export async function* readLineBatches(file: string, display: string, what = 'prompt file', fail: ErrorFactory = caseError): AsyncGenerator<Line[]> {
  const { stream, ready } = opened(file, display, what, fail);
  await ready;
  try {
    yield* splitLineBatches(stream as AsyncIterable<Buffer>, MAX_LINE_BYTES, (n) => fail(`${display}:${n}`, `line is longer than ${MAX_LINE_BYTES / 1048576} MB`));
  } finally {
    stream.destroy();
  }
}

/** The file's lines with 1-based numbers, one by one. */
export async function* readLines(file: string, display: string, what = 'prompt file', fail: ErrorFactory = caseError): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(file, display, what, fail)) yield* batch;
}

/** CSV records, streamed; the same records and line numbers as `parseCsv` gives for the whole text. */
export async function* readCsv(file: string, display: string, what = 'prompt file'): AsyncGenerator<CsvRecord> {
  const { stream, ready } = opened(file, display, what, caseError);
  await ready;
  const { parse } = await import('csv-parse');
  const parser = stream.pipe(parse({ bom: true, skip_empty_lines: true, info: true, relax_column_count: true, max_record_size: MAX_LINE_BYTES }));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // info.lines is where the record ends; quoted newlines inside it moved the end down.
      const inside = record.reduce((a, f) => a + (f.match(/\n/g)?.length ?? 0), 0);
      yield { line: info.lines - inside, fields: record };
    }
  } catch (err) {
    if (err instanceof CaseError) throw err;
    const e = err as Error & { lines?: number };
    throw new CaseError(`${display}${e.lines ? `:${e.lines}` : ''}`, `invalid CSV: ${e.message.replace(/^[A-Za-z ]+: /, '').split('\n')[0]}`);
  } finally {
    parser.destroy();
    stream.destroy();
  }
}
