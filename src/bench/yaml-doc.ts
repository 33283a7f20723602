/**
 * YAML prompt files and datasets, in a module of its own: the parser is ~260 KB of code, and a
 * run of JSONL or CSV files (a cached re-run above all) never loads it.
 */
// Static: yaml is CommonJS, and the bundle exposes its named exports only to static imports.
import { isMap, isSeq, LineCounter, parse, parseDocument } from 'yaml';
import { CaseError } from './case-error.js';

/** A YAML prompt file's value, and the line where its `i`-th case starts (when it is a list). */
export function yamlDocument(text: string, file: string): { value: unknown; lines: (i: number) => number | undefined } {
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
  return { value: doc.toJS(), lines };
}

/** A YAML dataset's value (aliases bounded: a YAML bomb is an error, not a hang). */
export const parseYamlData = (text: string): unknown => parse(text, { maxAliasCount: 100 });
