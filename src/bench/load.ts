/**
 * Prompt files → cases. YAML / JSON: a list of cases, or `{cases: [...], defaults: {...}}`, or
 * `{dataset: FILE, defaults: {...}}` whose records (dataset.ts) become cases through the
 * templates in `defaults`; JSONL: one case per line; CSV: a header row (prompt, id, tags,
 * expect_<type>, expect as JSON, any other column is a template var); plain text: one prompt per
 * block (blocks split on `---` lines when the file has any, else on blank lines). JSONL and CSV
 * (and CSV or JSONL datasets) are read as streams. Errors name the file and line.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleCase } from './case-fast.js';
import { CaseError } from './case-error.js';
import { hasKeys, normalizeCase } from './normalize.js';
import type { CsvRecord } from './csv.js';
import { imageAttacher } from './case-images.js';
import { openDataset } from './dataset.js';
import { readCsv, readLineBatches } from './lines.js';
import type { BenchCase } from './types.js';

type Raw = { value: unknown; line?: number; where?: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Doc = { items: Raw[]; defaults: Record<string, unknown>; dataset?: unknown; variants?: unknown };

function fromDocument(doc: unknown, file: string, lines: (i: number) => number | undefined): Doc {
  if (Array.isArray(doc)) return { items: doc.map((value, i) => ({ value, line: lines(i) })), defaults: {} };
  if (isObj(doc)) {
    const list = doc.cases ?? doc.tests ?? doc.prompts;
    const defaults = isObj(doc.defaults) ? doc.defaults : {};
    if (doc.defaults !== undefined && !isObj(doc.defaults)) throw new CaseError(file, '"defaults" must be a mapping');
    const variants = doc.variants;
    if (doc.dataset !== undefined) {
      if (list !== undefined && !Array.isArray(list)) throw new CaseError(file, '"cases" must be a list');
      return { items: Array.isArray(list) ? list.map((value, i) => ({ value, line: lines(i) })) : [], defaults, dataset: doc.dataset, variants };
    }
    if (Array.isArray(list)) return { items: list.map((value, i) => ({ value, line: lines(i) })), defaults, variants };
    if ('prompt' in doc || 'messages' in doc || 'turns' in doc) return { items: [{ value: doc, line: 1 }], defaults: {} };
  }
  throw new CaseError(file, 'expected a list of cases, a mapping with a "cases" list, or a "dataset" with templates in "defaults"');
}

async function yamlItems(text: string, file: string) {
  const { yamlDocument } = await import('./yaml-doc.js');
  const { value, lines } = yamlDocument(text, file);
  return fromDocument(value, file, lines);
}

/** One CSV record → a raw case: prompt, id, system, tags, expect columns; the rest are vars. */
function csvCase(cols: string[], r: CsvRecord, file: string): Raw {
  const c: Record<string, unknown> = { vars: {} as Record<string, string> };
  const expect: unknown[] = [];
  cols.forEach((name, i) => {
    const v = r.fields[i] ?? '';
    if (name === 'prompt' || name === 'id' || name === 'system') c[name] = v;
    else if (name === 'tags') c.tags = v.split(/[;|,]/).map((t) => t.trim()).filter(Boolean);
    else if (name === 'expect') {
      if (v.trim() === '') return;
      try {
        const parsed: unknown = JSON.parse(v);
        expect.push(...(Array.isArray(parsed) ? parsed : [parsed]));
      } catch {
        throw new CaseError(`${file}:${r.line}`, 'the "expect" column must hold JSON (a check or a list of checks)');
      }
    } else if (name.startsWith('expect_') || name.startsWith('expect.')) {
      if (v !== '') expect.push({ type: name.slice(7).replace(/_/g, '-'), value: v });
    } else (c.vars as Record<string, string>)[name] = v;
  });
  c.expect = expect;
  return { value: c, line: r.line };
}

/** JSONL: one case per line (blank lines and `//` comments skipped), streamed a batch of lines at a time. */
async function* jsonlItems(file: string, display: string): AsyncGenerator<Raw[]> {
  for await (const lines of readLineBatches(file, display)) {
    const out: Raw[] = [];
    for (const { text, line } of lines) {
      const l = text.trim();
      if (!l || l.startsWith('//')) continue;
      let value: unknown;
      try {
        value = JSON.parse(l);
      } catch (err) {
        // The lines before it are still cases (the second pass over a file changed under the run).
        if (out.length) yield out;
        throw new CaseError(`${display}:${line}`, `invalid JSON: ${(err as Error).message}`);
      }
      out.push({ value, line });
    }
    if (out.length) yield out;
  }
}

/** CSV: a header row, then one case per record, streamed. */
async function* csvItems(file: string, display: string): AsyncGenerator<Raw> {
  let cols: string[] | null = null;
  for await (const r of readCsv(file, display)) {
    if (!cols) {
      cols = r.fields.map((h) => h.trim());
      if (!cols.includes('prompt')) throw new CaseError(`${display}:1`, 'a CSV prompt file needs a "prompt" column');
      continue;
    }
    yield csvCase(cols, r, display);
  }
}

function textItems(text: string): Raw[] {
  const lines = text.split(/\r?\n/);
  const dashed = lines.some((l) => /^-{3,}\s*$/.test(l));
  const out: Raw[] = [];
  let block: string[] = [];
  let start = 1;
  const flush = (i: number) => {
    const body = block.join('\n').trim();
    if (body) out.push({ value: { prompt: body }, line: start });
    block = [];
    start = i + 2;
  };
  lines.forEach((l, i) => {
    if (dashed ? /^-{3,}\s*$/.test(l) : l.trim() === '') flush(i);
    else {
      if (block.length === 0) start = i + 1;
      block.push(l);
    }
  });
  flush(lines.length);
  return out;
}

/** A whole-document format (YAML, JSON, text): parsed at once, its cases still handed out one by one. */
async function wholeDocument(file: string, display: string, ext: string): Promise<Doc> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CaseError(display, `cannot read the prompt file (${err.code ?? err.message})`);
  });
  if (ext === '.yaml' || ext === '.yml') return yamlItems(text, display);
  if (ext === '.json') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new CaseError(display, `invalid JSON: ${(err as Error).message}`);
    }
    return fromDocument(doc, display, () => undefined);
  }
  return { items: textItems(text), defaults: {} };
}

/** A prompt file's `variants:` mapping, as found (checked by bench/variants.ts). */
export interface FileVariants {
  file: string;
  display: string;
  value: unknown;
}

/**
 * The cases of one prompt file, in order, as they are read: JSONL and CSV files (and CSV or
 * JSONL datasets) stream, so memory does not grow with the file. `display` is how the file is
 * named in messages (relative to cwd); `onVariants` hears the file's `variants:` before its
 * first case. Handed out in batches (a JSONL file's lines MAX_BATCH_LINES at a time, a document's cases), so a case costs
 * no promise of its own unless it has images to read; a bad case ends its batch early, after
 * the good cases before it.
 */
export async function* caseBatchesOf(file: string, display = file, onVariants?: (v: FileVariants) => void): AsyncGenerator<BenchCase[]> {
  const ext = path.extname(file).toLowerCase();
  const base = path.basename(file, ext);
  const attach = imageAttacher(path.dirname(file));
  let batches: AsyncIterable<Raw[]> | Iterable<Raw[]>;
  let defaults: Record<string, unknown> = {};
  if (ext === '.jsonl' || ext === '.ndjson') batches = jsonlItems(file, display);
  else if (ext === '.csv') batches = oneByOne(csvItems(file, display));
  else {
    const doc = await wholeDocument(file, display, ext);
    batches = [doc.items];
    defaults = doc.defaults;
    if (doc.variants !== undefined) onVariants?.({ file, display, value: doc.variants });
    if (doc.dataset !== undefined) {
      const ds = await openDataset(doc.dataset, file, display);
      const dbase = path.basename(ds.file, path.extname(ds.file));
      let i = 0;
      // Each record's fields are the template vars; the file's own `defaults.vars` sit under them.
      for await (const r of ds.records) yield [await attach(normalizeCase({ vars: r.vars }, r.where, `${dbase}#${++i}`, defaults))];
    }
  }
  let i = 0;
  // A file without defaults: its cases of the common shape take the fast path (case-fast.ts).
  const fast = !hasKeys(defaults);
  for await (const items of batches) {
    const out: BenchCase[] = [];
    try {
      for (const it of items) {
        i++;
        const where = it.line ? `${display}:${it.line}` : `${display} case ${i}`;
        const c = (fast ? simpleCase(it.value, where, base, i) : undefined) ?? normalizeCase(it.value, where, `${base}#${i}`, defaults);
        out.push(c.imageFiles ? await attach(c) : c);
      }
    } catch (err) {
      if (out.length) yield out;
      throw err;
    }
    yield out;
  }
}

async function* oneByOne<T>(items: AsyncIterable<T>): AsyncGenerator<T[]> {
  for await (const it of items) yield [it];
}

const shown = (f: string, cwd: string) => {
  const rel = path.relative(cwd, f);
  return rel && !rel.startsWith('..') ? rel : f;
};

/**
 * Every case of several files, in order, in batches; case ids must be unique across them (rows
 * and the cache are keyed by them): a repeated id is an error naming both places (after the
 * cases before it).
 */
export async function* caseBatchesOfFiles(files: string[], cwd = process.cwd(), checkIds = true, onVariants?: (v: FileVariants) => void): AsyncGenerator<BenchCase[]> {
  const seen = checkIds ? new Map<string, string>() : null;
  for (const f of files) {
    for await (const batch of caseBatchesOf(f, shown(f, cwd), onVariants)) {
      if (seen) {
        for (let i = 0; i < batch.length; i++) {
          const c = batch[i];
          const prev = seen.get(c.id);
          if (prev) {
            if (i) yield batch.slice(0, i);
            throw new CaseError(c.where, `case id "${c.id}" is also used at ${prev}; ids must be unique`);
          }
          seen.set(c.id, c.where);
        }
      }
      yield batch;
    }
  }
}

/** Loads one prompt file whole. */
export async function loadPromptFile(file: string, display = file): Promise<BenchCase[]> {
  const out: BenchCase[] = [];
  for await (const batch of caseBatchesOf(file, display)) for (const c of batch) out.push(c);
  return out;
}

/** Loads several files whole (ids checked). */
export async function loadPromptFiles(files: string[], cwd = process.cwd()): Promise<BenchCase[]> {
  const out: BenchCase[] = [];
  for await (const batch of caseBatchesOfFiles(files, cwd)) for (const c of batch) out.push(c);
  return out;
}
