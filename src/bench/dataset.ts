/**
 * `dataset: FILE` in a bench file: a data file whose records become cases as they are, with no
 * conversion step. FILE is relative to the bench file; CSV (header row), JSONL, JSON (a list, or
 * `{data|records|rows: [...]}`) and YAML (a list) are read, and every record must be a mapping:
 * its fields are the case's `{{vars}}`. Each record is named `data-file:line` in messages.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CaseError } from './normalize.js';
import { parseCsv } from './csv.js';

export interface DatasetRecord {
  vars: Record<string, unknown>;
  /** `file:line` (or `file record n`) for messages. */
  where: string;
}

/** A data file this large is not a bench dataset anyone means to load into memory at once. */
const MAX_DATASET_BYTES = 512 * 1024 * 1024;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function recordsOf(list: unknown[], display: string, at: (i: number) => string): DatasetRecord[] {
  return list.map((r, i) => {
    if (!isObj(r)) throw new CaseError(at(i), 'each dataset record must be a mapping of field → value');
    return { vars: r, where: at(i) };
  });
}

/** Reads the records of `spec` (a path, or `{path}`) named by the bench file `benchFile`. */
export async function loadDataset(spec: unknown, benchFile: string, benchDisplay: string): Promise<{ file: string; items: DatasetRecord[] }> {
  const rel = typeof spec === 'string' ? spec : isObj(spec) && typeof spec.path === 'string' ? spec.path : null;
  if (!rel || rel.trim() === '') throw new CaseError(benchDisplay, '"dataset" must be a file path (relative to this file), or {path: FILE}');
  const file = path.resolve(path.dirname(benchFile), rel);
  const display = path.normalize(path.join(path.dirname(benchDisplay), rel));
  const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new CaseError(benchDisplay, `cannot read the dataset ${display} (${err.code ?? err.message})`);
  });
  if (!st.isFile()) throw new CaseError(benchDisplay, `the dataset ${display} is not a regular file`);
  if (st.size > MAX_DATASET_BYTES) throw new CaseError(benchDisplay, `the dataset ${display} is ${Math.round(st.size / 1048576)} MB; at most ${MAX_DATASET_BYTES / 1048576} MB is read`);
  const text = await readFile(file, 'utf8');
  const ext = path.extname(file).toLowerCase();
  let items: DatasetRecord[];
  if (ext === '.csv') {
    const [head, ...rows] = await parseCsv(text, display);
    if (!head) return { file, items: [] };
    const cols = head.fields.map((h) => h.trim());
    items = rows.map((r) => ({ vars: Object.fromEntries(cols.map((c, i) => [c, r.fields[i] ?? ''])), where: `${display}:${r.line}` }));
  } else if (ext === '.jsonl' || ext === '.ndjson') {
    items = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i].trim();
      if (!l) continue;
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch (err) {
        throw new CaseError(`${display}:${i + 1}`, `invalid JSON: ${(err as Error).message}`);
      }
      items.push(...recordsOf([v], display, () => `${display}:${i + 1}`));
    }
  } else if (ext === '.json' || ext === '.yaml' || ext === '.yml') {
    let doc: unknown;
    try {
      doc = ext === '.json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
    } catch (err) {
      throw new CaseError(display, `invalid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
    }
    const list = Array.isArray(doc) ? doc : isObj(doc) ? (doc.data ?? doc.records ?? doc.rows) : undefined;
    if (!Array.isArray(list)) throw new CaseError(display, 'a JSON/YAML dataset must be a list of records (or {data: [...]})');
    items = recordsOf(list, display, (i) => `${display} record ${i + 1}`);
  } else {
    throw new CaseError(benchDisplay, `the dataset ${display} must be .csv, .jsonl, .json or .yaml`);
  }
  return { file, items };
}
