/**
 * `dataset: FILE` in a bench file: a data file whose records become cases as they are, with no
 * conversion step. FILE is relative to the bench file; CSV (header row), JSONL, JSON (a list, or
 * `{data|records|rows: [...]}`) and YAML (a list) are read (CSV and JSONL as streams), and every record must be a mapping:
 * its fields are the case's `{{vars}}`. Each record is named `data-file:line` in messages.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CaseError } from './case-error.js';
import { readCsv, readLines } from './lines.js';

export interface DatasetRecord {
  vars: Record<string, unknown>;
  /** `file:line` (or `file record n`) for messages. */
  where: string;
}

/** A JSON or YAML data file this large is not a bench dataset anyone means to load into memory at once. */
const MAX_DATASET_BYTES = 512 * 1024 * 1024;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function recordsOf(list: unknown[], display: string, at: (i: number) => string): DatasetRecord[] {
  return list.map((r, i) => {
    if (!isObj(r)) throw new CaseError(at(i), 'each dataset record must be a mapping of field → value');
    return { vars: r, where: at(i) };
  });
}

/**
 * Opens the dataset `spec` (a path, or `{path}`) named by the bench file `benchFile`: checks it
 * exists now, so a missing file is reported before any request; its records are read when
 * iterated. CSV and JSONL stream (any size); JSON and YAML are parsed whole (at most 512 MB).
 */
export async function openDataset(spec: unknown, benchFile: string, benchDisplay: string): Promise<{ file: string; records: AsyncGenerator<DatasetRecord> }> {
  const rel = typeof spec === 'string' ? spec : isObj(spec) && typeof spec.path === 'string' ? spec.path : null;
  if (!rel || rel.trim() === '') throw new CaseError(benchDisplay, '"dataset" must be a file path (relative to this file), or {path: FILE}');
  const file = path.resolve(path.dirname(benchFile), rel);
  const display = path.normalize(path.join(path.dirname(benchDisplay), rel));
  const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new CaseError(benchDisplay, `cannot read the dataset ${display} (${err.code ?? err.message})`);
  });
  if (!st.isFile()) throw new CaseError(benchDisplay, `the dataset ${display} is not a regular file`);
  const ext = path.extname(file).toLowerCase();
  if (!['.csv', '.jsonl', '.ndjson', '.json', '.yaml', '.yml'].includes(ext)) throw new CaseError(benchDisplay, `the dataset ${display} must be .csv, .jsonl, .json or .yaml`);
  const whole = ext === '.json' || ext === '.yaml' || ext === '.yml';
  if (whole && st.size > MAX_DATASET_BYTES) throw new CaseError(benchDisplay, `the dataset ${display} is ${Math.round(st.size / 1048576)} MB; at most ${MAX_DATASET_BYTES / 1048576} MB of JSON or YAML is read (CSV and JSONL stream, any size)`);
  return { file, records: datasetRecords(file, display, ext) };
}

async function* datasetRecords(file: string, display: string, ext: string): AsyncGenerator<DatasetRecord> {
  if (ext === '.csv') {
    let cols: string[] | null = null;
    for await (const r of readCsv(file, display, `dataset ${display}`)) {
      if (!cols) cols = r.fields.map((h) => h.trim());
      else yield { vars: Object.fromEntries(cols.map((c, i) => [c, r.fields[i] ?? ''])), where: `${display}:${r.line}` };
    }
    return;
  }
  if (ext === '.jsonl' || ext === '.ndjson') {
    for await (const { text, line } of readLines(file, display, `dataset ${display}`)) {
      const l = text.trim();
      if (!l) continue;
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch (err) {
        throw new CaseError(`${display}:${line}`, `invalid JSON: ${(err as Error).message}`);
      }
      yield* recordsOf([v], display, () => `${display}:${line}`);
    }
    return;
  }
  const text = await readFile(file, 'utf8');
  const parseYaml = ext === '.json' ? null : (await import('./yaml-doc.js')).parseYamlData;
  let doc: unknown;
  try {
    doc = parseYaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new CaseError(display, `invalid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(doc) ? doc : isObj(doc) ? (doc.data ?? doc.records ?? doc.rows) : undefined;
  if (!Array.isArray(list)) throw new CaseError(display, 'a JSON/YAML dataset must be a list of records (or {data: [...]})');
  yield* recordsOf(list, display, (i) => `${display} record ${i + 1}`);
}
