/**
 * CSV through csv-parse (RFC 4180: quoted fields may hold commas, quotes and newlines; a BOM is
 * dropped; an unclosed quote is an error, not the rest of the file swallowed). Loaded on the
 * first CSV file.
 */
import { CaseError } from './case-error.js';

export interface CsvRecord {
  /** 1-based line where the record starts (for error messages). */
  line: number;
  fields: string[];
}

export async function parseCsv(text: string, file: string): Promise<CsvRecord[]> {
  const { parse } = await import('csv-parse/sync');
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { bom: true, skip_empty_lines: true, info: true, relax_column_count: true }) as never;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new CaseError(`${file}${e.lines ? `:${e.lines}` : ''}`, `invalid CSV: ${e.message.replace(/^[A-Za-z ]+: /, '').split('\n')[0]}`);
  }
  return parsed.map(({ record, info }) => {
    // info.lines is where the record ends; quoted newlines inside it moved the end down.
    const inside = record.reduce((a, f) => a + (f.match(/\n/g)?.length ?? 0), 0);
    return { line: info.lines - inside, fields: record };
  });
}
