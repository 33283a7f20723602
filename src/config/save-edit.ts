/**
 * Text edits for the rule writer. Each plan finds where the `rules` list sits using the node
 * ranges `yaml` reports (JSON parses as YAML flow syntax, so one parser serves both) and
 * replaces only that span; the caller re-parses the result and checks it holds exactly the
 * intended rules before anything is written.
 */
import { Document, isMap, isScalar, isSeq, parseDocument, visit, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

/** One span of the text replaced by new text. */
export interface Edit {
  apply(): string;
}

/** The file's line ending: that of its first line (as editors decide), LF for a one-line or new file. */
export function eolOf(text: string): '\r\n' | '\n' {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

/** Replace text[at, end) with `insert`, whose lines take the file's line ending (a CRLF file stays CRLF). */
const splice = (text: string, at: number, end: number, insert: string): Edit => {
  const body = eolOf(text) === '\r\n' ? insert.replace(/\r?\n/g, '\r\n') : insert;
  return { apply: () => text.slice(0, at) + body + text.slice(end) };
};
const lineStart = (text: string, pos: number) => text.lastIndexOf('\n', pos - 1) + 1;
const indentAt = (text: string, pos: number) => /^[ \t]*/.exec(text.slice(lineStart(text, pos)))![0];
/** End of the line holding `pos - 1`, newline included. */
const lineEnd = (text: string, pos: number) => (pos > 0 && text[pos - 1] === '\n' ? pos : text.indexOf('\n', pos) < 0 ? text.length : text.indexOf('\n', pos) + 1);

/** The file's indentation step: a tab, or the smallest indent of an indented line (default 2). */
function indentUnit(text: string): string {
  if (/^\t/m.test(text)) return '\t';
  const sizes = [...text.matchAll(/^( +)\S/gm)].map((m) => m[1].length);
  return ' '.repeat(sizes.length ? Math.min(...sizes) : 2);
}

/** The rule as block YAML with short lists in flow style (`keywords: [sql, query]`), no trailing newline. */
function ruleYaml(rule: object): string[] {
  const doc = new Document(rule);
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd().split('\n');
}

const yamlItem = (rule: object, indent: string) => ruleYaml(rule).map((l, i) => `${indent}${i === 0 ? '- ' : '  '}${l}`).join('\n');

/** JSON like people write it: objects one key a line, short lists of scalars on one line. */
function pretty(v: unknown, unit: string, base: string): string {
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
    return `[\n${v.map((x) => base + unit + pretty(x, unit, base + unit)).join(',\n')}\n${base}]`;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    if (!entries.length) return '{}';
    return `{\n${entries.map(([k, x]) => `${base}${unit}${JSON.stringify(k)}: ${pretty(x, unit, base + unit)}`).join(',\n')}\n${base}}`;
  }
  return JSON.stringify(v);
}

/** JSON for `value` whose continuation lines start at `base`; on one line when `oneLine`. */
function json(value: unknown, unit: string, base: string, oneLine = false): string {
  if (oneLine) return JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']');
  return pretty(value, unit, base);
}

interface Located {
  doc: ReturnType<typeof parseDocument>;
  /** The mapping that holds (or will hold) `rules`: the root, or package.json's field. */
  container: YAMLMap | null;
  pair?: Pair<Node, Node | null>;
  seq?: YAMLSeq;
}

function locate(text: string, field?: string): Located {
  const doc = parseDocument(text);
  let container: unknown = doc.contents;
  if (field) container = isMap(container) ? container.get(field, true) : null;
  if (!isMap(container)) return { doc, container: null };
  const pair = container.items.find((p) => isScalar(p.key) && p.key.value === 'rules') as Pair<Node, Node | null> | undefined;
  return { doc, container, pair, seq: pair && isSeq(pair.value) ? pair.value : undefined };
}

/** Append `rule` to the rules list (creating the list, or the whole file, as needed). */
export function planInsert(text: string | undefined, field: string | undefined, rule: object, jsonFile: boolean): Edit {
  if (text === undefined || text.trim() === '') {
    const body = jsonFile
      ? `{\n  "rules": [\n    ${json(rule, '  ', '    ')}\n  ]\n}\n`
      : `# mmr config. Rules are tried in order; the first whose \`when\` holds picks the models.\nrules:\n${yamlItem(rule, '  ')}\n`;
    return splice(text ?? '', 0, (text ?? '').length, body);
  }
  const unit = indentUnit(text);
  const { doc, container, pair, seq } = locate(text, field);
  const root = doc.contents;

  if (field && !container && isMap(root) && root.flow) {
    // package.json without the field: add it as the last member.
    const last = root.items[root.items.length - 1];
    const end = (last?.value as Node | undefined)?.range?.[1] ?? root.range![0] + 1;
    const block = `"${field}": {\n${unit}${unit}"rules": [\n${unit.repeat(3)}${json(rule, unit, unit.repeat(3))}\n${unit}${unit}]\n${unit}}`;
    return splice(text, end, end, `${last ? ',' : ''}\n${unit}${block}${last ? '' : '\n'}`);
  }
  if (!container) {
    // An empty or comment-only YAML document: rules go at the end.
    return splice(text, text.length, text.length, `${text.endsWith('\n') ? '' : '\n'}rules:\n${yamlItem(rule, '  ')}\n`);
  }
  if (container.flow) {
    // JSON style.
    if (seq && seq.items.length > 0) {
      const last = seq.items[seq.items.length - 1] as Node;
      const lastText = text.slice(last.range![0], last.range![1]);
      const sameLine = !text.slice(seq.range![0], seq.range![1]).includes('\n');
      if (sameLine) return splice(text, last.range![1], last.range![1], `, ${json(rule, unit, '', true)}`);
      const base = indentAt(text, last.range![0]);
      return splice(text, last.range![1], last.range![1], `,\n${base}${json(rule, unit, base, !lastText.includes('\n'))}`);
    }
    const keyIndent = pair ? indentAt(text, pair.key.range![0]) : '';
    if (seq) {
      return splice(text, seq.range![0], seq.range![1], `[\n${keyIndent}${unit}${json(rule, unit, keyIndent + unit)}\n${keyIndent}]`);
    }
    const items = container.items;
    const last = items[items.length - 1];
    const base = last ? indentAt(text, (last.key as Node).range![0]) : indentAt(text, container.range![0]) + unit;
    const member = `"rules": [\n${base}${unit}${json(rule, unit, base + unit)}\n${base}]`;
    if (!last) return splice(text, container.range![0], container.range![1], `{\n${base}${member}\n${indentAt(text, container.range![0])}}`);
    const end = (last.value as Node | null)?.range?.[1] ?? (last.key as Node).range![1];
    return splice(text, end, end, `,\n${base}${member}`);
  }
  // Block YAML.
  if (seq && !seq.flow && seq.items.length > 0) {
    const indent = indentAt(text, seq.range![0]);
    const at = lineEnd(text, seq.range![1]);
    return splice(text, at, at, `${text[at - 1] === '\n' || at === 0 ? '' : '\n'}${yamlItem(rule, indent)}\n`);
  }
  if (seq && seq.flow && seq.items.length > 0) {
    const last = seq.items[seq.items.length - 1] as Node;
    return splice(text, last.range![1], last.range![1], `, ${json(rule, unit, '', true)}`);
  }
  if (pair) {
    // `rules:` with nothing, or `rules: []`: turn it into a block list.
    const keyIndent = indentAt(text, pair.key.range![0]);
    const end = (pair.value as Node | null)?.range?.[1] ?? pair.key.range![1];
    return splice(text, pair.key.range![1], end, `:\n${yamlItem(rule, keyIndent + unit)}`);
  }
  const keyIndent = container.items.length ? indentAt(text, (container.items[0].key as Node).range![0]) : '';
  return splice(text, text.length, text.length, `${text.endsWith('\n') ? '' : '\n'}${keyIndent}rules:\n${yamlItem(rule, keyIndent + unit)}\n`);
}

function itemAt(text: string, field: string | undefined, index: number): { seq: YAMLSeq; item: Node; flowStyle: boolean } {
  const { container, seq } = locate(text, field);
  const item = seq?.items[index] as Node | undefined;
  if (!seq || !item?.range) throw new Error(`rules[${index}] not found`);
  return { seq, item, flowStyle: Boolean(seq.flow || container?.flow) };
}

/** Replace the rule at `index` in place, in the style around it. */
export function planReplace(text: string, field: string | undefined, index: number, rule: object): Edit {
  const { seq, item, flowStyle } = itemAt(text, field, index);
  const unit = indentUnit(text);
  if (flowStyle) {
    const base = indentAt(text, item.range![0]);
    const oneLine = !text.slice(item.range![0], item.range![1]).includes('\n') && !text.slice(seq.range![0], seq.range![1]).includes('\n');
    return splice(text, item.range![0], item.range![1], json(rule, unit, base, oneLine));
  }
  const start = lineStart(text, item.range![0]);
  const end = lineEnd(text, item.range![2]);
  const indent = indentAt(text, seq.range![0]);
  return splice(text, start, end, `${yamlItem(rule, indent)}${text[end - 1] === '\n' ? '\n' : ''}`);
}

/** Insert `rule` before the rule at `index` (so it is tried first), in the style around it. */
export function planInsertBefore(text: string, field: string | undefined, index: number, rule: object): Edit {
  const { seq, item, flowStyle } = itemAt(text, field, index);
  const unit = indentUnit(text);
  if (flowStyle) {
    const base = indentAt(text, item.range![0]);
    const oneLine = !text.slice(seq.range![0], seq.range![1]).includes('\n');
    const sep = oneLine ? ', ' : `,\n${base}`;
    return splice(text, item.range![0], item.range![0], `${json(rule, unit, base, oneLine)}${sep}`);
  }
  // Comment lines right above a rule belong to it: the new rule goes above them.
  let start = lineStart(text, item.range![0]);
  while (start > 0) {
    const prev = lineStart(text, start - 1);
    if (!/^\s*#/.test(text.slice(prev, start))) break;
    start = prev;
  }
  return splice(text, start, start, `${yamlItem(rule, indentAt(text, seq.range![0]))}\n`);
}

/** Remove the rule at `index` with its separator (and its lines, in block YAML). */
export function planRemove(text: string, field: string | undefined, index: number): Edit {
  const { seq, item, flowStyle } = itemAt(text, field, index);
  if (!flowStyle) return splice(text, lineStart(text, item.range![0]), lineEnd(text, item.range![2]), '');
  const items = seq.items as Node[];
  if (items.length === 1) return splice(text, seq.range![0], seq.range![1], '[]');
  if (index > 0) return splice(text, items[index - 1].range![1], item.range![1], '');
  return splice(text, item.range![0], items[1].range![0], '');
}
