/**
 * YAML/JSON text → plain value plus a line locator. Both go through `yaml`'s parseDocument
 * (JSON is YAML 1.2 flow syntax), so a problem anywhere can point at its line. A side effect:
 * a `.json` file with a trailing comma is accepted, which costs nobody anything.
 */
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigProblem } from '../core/errors.js';
import type { PathSeg } from './checks.js';
import type { Locate } from './walker.js';

export type ParseResult =
  | {
      ok: true;
      /** The config value (for package.json: its field), undefined when the file/field is empty. */
      value: unknown;
      /** For package.json: whether the field exists at all (search skips files without it). */
      present: boolean;
      locate: Locate;
    }
  | { ok: false; problems: ConfigProblem[] };

type Step = { node: unknown; keyNode?: Node };

/** Walk the AST by path; map keys compare as strings because toJS() turns keys into strings. */
function walk(root: unknown, path: readonly PathSeg[]): Step[] {
  const steps: Step[] = [{ node: root }];
  let node = root;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      node = pair.value;
      steps.push({ node, keyNode: isNode(pair.key) ? pair.key : undefined });
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      steps.push({ node });
    } else break;
  }
  return steps;
}

function makeLocator(doc: Document, lc: LineCounter, prefix: readonly PathSeg[]): Locate {
  const lineAt = (n: unknown): number | undefined =>
    isNode(n) && n.range ? lc.linePos(n.range[0]).line : undefined;
  return (path, key = false) => {
    const full = [...prefix, ...path];
    const steps = walk(doc.contents, full);
    const complete = steps.length === full.length + 1;
    const last = steps[steps.length - 1];
    if (complete && key && last.keyNode) return lineAt(last.keyNode);
    // Deepest node that exists: a missing field is reported where its parent is.
    for (let i = steps.length - 1; i >= 0; i--) {
      const line = lineAt(steps[i].node) ?? lineAt(steps[i].keyNode);
      if (line !== undefined) return line;
    }
    return undefined;
  };
}

/**
 * Parse a config file's text. `field` picks a top-level key (package.json's `router`).
 * Parse errors come back as problems with the parser's line, never as a throw.
 */
export function parseConfigText(text: string, file: string, field?: string): ParseResult {
  const lc = new LineCounter();
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // prettyErrors off: the pretty form quotes the source line, which could be a pasted key.
  const doc = parseDocument(src, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return { file, path: '', line: pos.line, message: `does not parse: ${e.message} (column ${pos.col})` };
      }),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, problems: [{ file, path: '', message: `does not parse: ${(err as Error).message}` }] };
  }
  const prefix: PathSeg[] = [];
  let present = true;
  if (field !== undefined) {
    const isObj = typeof value === 'object' && value !== null && !Array.isArray(value);
    present = isObj && Object.prototype.hasOwnProperty.call(value, field);
    value = present ? (value as Record<string, unknown>)[field] : undefined;
    prefix.push(field);
  }
  return { ok: true, value: value ?? undefined, present, locate: makeLocator(doc, lc, prefix) };
}
