/**
 * Prompt files → cases. YAML / JSON: a list of cases, or `{cases: [...], defaults: {...}}`, or
 * `{dataset: FILE, defaults: {...}}` whose records (dataset.ts) become cases through the
 * templates in `defaults`; JSONL: one case per line; CSV: a header row (prompt, id, tags,
 * expect_<type>, expect as JSON, any other column is a template var); plain text: one prompt per
 * block (blocks split on `---` lines when the file has any, else on blank lines). Errors name
 * the file and line.
 */
import { readFile } from 'node:fs/promises';
// Static: yaml is CommonJS, and the bundle exposes its named exports only to static imports.
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import path from 'node:path';
import { CaseError, normalizeCase } from './normalize.js';
import { parseCsv } from './csv.js';
import { loadDataset } from './dataset.js';
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

function yamlItems(text: string, file: string) {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new CaseError(`${file}:${e.linePos?.[0].line ?? '?'}`, `invalid YAML: ${e.message.split('\n')[0]}`);
  }
  let seq: unknown = doc.contents;
  if (isMap(seq)) seq = seq.get('cases', true) ?? seq.get('tests', true) ?? seq.get('prompts', true);
  const lines = (i: number) => {
    const node = isSeq(seq) ? (seq.items[i] as { range?: [number, number, number] } | undefined) : undefined;
    return node?.range ? lc.linePos(node.range[0]).line : undefined;
  };
  return fromDocument(doc.toJS(), file, lines);
}

function jsonlItems(text: string, file: string): Raw[] {
  const out: Raw[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (!l || l.startsWith('//')) continue;
    try {
      out.push({ value: JSON.parse(l), line: i + 1 });
    } catch (err) {
      throw new CaseError(`${file}:${i + 1}`, `invalid JSON: ${(err as Error).message}`);
    }
  }
  return out;
}

async function csvItems(text: string, file: string): Promise<Raw[]> {
  const [head, ...records] = await parseCsv(text, file);
  if (!head) return [];
  const cols = head.fields.map((h) => h.trim());
  if (!cols.includes('prompt')) throw new CaseError(`${file}:1`, 'a CSV prompt file needs a "prompt" column');
  return records.map((r) => {
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
  });
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

/** Loads one prompt file. `display` is how the file is named in messages (relative to cwd). */
export async function loadPromptFile(file: string, display = file): Promise<BenchCase[]> {
  return (await loadPromptFileWithVariants(file, display)).cases;
}

/** A prompt file's cases and the raw `variants:` mapping it names (checked by bench/variants.ts). */
export async function loadPromptFileWithVariants(file: string, display = file): Promise<{ cases: BenchCase[]; variants?: unknown }> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CaseError(display, `cannot read the prompt file (${err.code ?? err.message})`);
  });
  const ext = path.extname(file).toLowerCase();
  let items: Raw[];
  let defaults: Record<string, unknown> = {};
  let dataset: unknown;
  let variants: unknown;
  if (ext === '.yaml' || ext === '.yml') ({ items, defaults, dataset, variants } = yamlItems(text, display));
  else if (ext === '.jsonl' || ext === '.ndjson') items = jsonlItems(text, display);
  else if (ext === '.json') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new CaseError(display, `invalid JSON: ${(err as Error).message}`);
    }
    ({ items, defaults, dataset, variants } = fromDocument(doc, display, () => undefined));
  } else if (ext === '.csv') items = await csvItems(text, display);
  else items = textItems(text);
  const base = path.basename(file, ext);
  const cases: BenchCase[] = [];
  if (dataset !== undefined) {
    const records = await loadDataset(dataset, file, display);
    const dbase = path.basename(records.file, path.extname(records.file));
    // Each record's fields are the template vars; the file's own `defaults.vars` sit under them.
    records.items.forEach((r, i) => cases.push(normalizeCase({ vars: r.vars }, r.where, `${dbase}#${i + 1}`, defaults)));
  }
  items.forEach((it, i) => cases.push(normalizeCase(it.value, it.line ? `${display}:${it.line}` : `${display} case ${i + 1}`, `${base}#${i + 1}`, defaults)));
  if (cases.some((c) => c.imageFiles)) await attachImages(cases, path.dirname(file));
  return { cases, variants };
}

/**
 * A case's `images:` read onto its first user turn, relative to the prompt file; the same file
 * named by many cases is read once. Every problem names the case and the image.
 */
async function attachImages(cases: BenchCase[], dir: string): Promise<void> {
  const [{ readImageFile }, { imagesProblem }] = await Promise.all([import('../media/image-file.js'), import('../core/image.js')]);
  const read = new Map<string, ReturnType<typeof readImageFile>>();
  for (const c of cases) {
    if (!c.imageFiles) continue;
    const images = [];
    for (const name of c.imageFiles) {
      const abs = path.resolve(dir, name);
      if (!read.has(abs)) read.set(abs, readImageFile(abs, name));
      const found = await read.get(abs)!;
      if (found.kind === 'refused') throw new CaseError(c.where, `images: ${name}: ${found.problem} (${found.hint})`);
      if (found.kind === 'not-image') throw new CaseError(c.where, `images: ${name} is not a PNG, JPEG, GIF or WebP image (judged by its bytes)`);
      images.push(found.image);
    }
    const problem = imagesProblem(images);
    if (problem) throw new CaseError(c.where, `images: ${problem}`);
    const last = c.messages[c.messages.length - 1];
    c.messages = [...c.messages.slice(0, -1), { ...last, images }];
  }
}

/** Loads several files; case ids must be unique across them (rows and the cache are keyed by them). */
export async function loadPromptFiles(files: string[], cwd = process.cwd()): Promise<BenchCase[]> {
  return (await loadPromptFilesWithVariants(files, cwd)).cases;
}

/** Several files' cases, and each file's `variants:` (with the file it came from) for bench/variants.ts. */
export async function loadPromptFilesWithVariants(files: string[], cwd = process.cwd()): Promise<{ cases: BenchCase[]; variants: { file: string; display: string; value: unknown }[] }> {
  const all: BenchCase[] = [];
  const variants: { file: string; display: string; value: unknown }[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const rel = path.relative(cwd, f);
    const display = rel && !rel.startsWith('..') ? rel : f;
    const loaded = await loadPromptFileWithVariants(f, display);
    if (loaded.variants !== undefined) variants.push({ file: f, display, value: loaded.variants });
    for (const c of loaded.cases) {
      const prev = seen.get(c.id);
      if (prev) throw new CaseError(c.where, `case id "${c.id}" is also used at ${prev}; ids must be unique`);
      seen.set(c.id, c.where);
      all.push(c);
    }
  }
  return { cases: all, variants };
}
