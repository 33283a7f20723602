/**
 * YAML/JSON text → plain value plus a line locator. Both go through `yaml`'s parseDocument
 * (JSON is YAML 1.2 flow syntax), so a problem anywhere can point at its line. A side effect:
 * a `.json` file with a trailing comma is accepted, which costs nobody anything.
 */
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
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

/** A map key as toJS() will spell it: keys become strings, so `1` and `"1"` are the same key. */
const keyString = (key: unknown): string | undefined => (isScalar(key) ? String(key.value) : undefined);

/**
 * Key → pair for each map, built on first use. A lookup by `items.find` made reporting every
 * problem in a big section quadratic (one scan of the section per problem).
 */
type Index = WeakMap<YAMLMap, Map<string, Pair>>;
function pairOf(index: Index, map: YAMLMap, seg: PathSeg): Pair | undefined {
  let keys = index.get(map);
  if (!keys) {
    keys = new Map();
    for (const p of map.items) {
      const k = keyString(p.key) ?? String(p.key);
      if (!keys.has(k)) keys.set(k, p as Pair);
    }
    index.set(map, keys);
  }
  return keys.get(String(seg));
}

/** Walk the AST by path; map keys compare as strings because toJS() turns keys into strings. */
function walk(root: unknown, path: readonly PathSeg[], index: Index): Step[] {
  const steps: Step[] = [{ node: root }];
  let node = root;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairOf(index, node, seg);
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
  const index: Index = new WeakMap();
  return (path, key = false) => {
    const full = [...prefix, ...path];
    const steps = walk(doc.contents, full, index);
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
 * Keys repeated in one mapping, found in one pass with a set per mapping. yaml's own
 * `uniqueKeys` check compares each key with every earlier one: a 1.4 MB file of aliases took
 * 8 s to parse. The later key is the one reported, as yaml does.
 */
function duplicateKeys(doc: Document, lc: LineCounter, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, Node>();
      for (const pair of map.items) {
        const k = keyString(pair.key);
        if (k === undefined) continue;
        const first = seen.get(k);
        if (!first) {
          seen.set(k, pair.key as Node);
          continue;
        }
        const at = (pair.key as Node).range?.[0] ?? 0;
        const line = lc.linePos(at).line;
        const was = first.range ? ` (first at line ${lc.linePos(first.range[0]).line})` : '';
        problems.push({ file, path: '', line, message: `does not parse: duplicate key ${JSON.stringify(k.slice(0, 80))}${was}; map keys must be unique` });
      }
    },
  });
  return problems;
}

/**
 * Parse a config file's text. `field` picks a top-level key (package.json's `router`).
 * Parse errors come back as problems with the parser's line, never as a throw.
 */
export function parseConfigText(text: string, file: string, field?: string): ParseResult {
  const lc = new LineCounter();
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // prettyErrors off: the pretty form quotes the source line, which could be a pasted key.
  const doc = parseDocument(src, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return { file, path: '', line: pos.line, message: `does not parse: ${e.message} (column ${pos.col})` };
      }),
    };
  }
  const dups = duplicateKeys(doc, lc, file);
  if (dups.length) return { ok: false, problems: dups };
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
