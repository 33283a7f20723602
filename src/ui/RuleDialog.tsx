import { useLayoutEffect, useRef, useState, type MutableRefObject } from 'react';
import { Box, Text, useInput } from 'ink';
import { CATEGORIES } from '../core/classify.js';
import type { KeyHandler } from './use-keys.js';
import { applyKey, editorAt, type EditorState } from './editor.js';
import { fieldView } from './field-view.js';
import { toAnsi, type StyledLine } from './styled.js';
import { DIALOG_CHROME_COLUMNS, itemLines, paragraph } from './rule-dialog-lines.js';
import { useLatest } from './use-latest.js';
import type { RuleCheck, RuleDraft } from './types.js';

export interface RuleDialogProps {
  draft: RuleDraft;
  /** The prompt voted on: the checks say whether the rule would catch it. */
  prompt: string;
  /** The winner as the user should read it (revealed in blind mode). */
  winnerLabel: string;
  /** Where the rule will be written, e.g. `./.routerrc.yaml`. */
  file: string;
  check?(draft: RuleDraft, prompt: string): RuleCheck;
  onSave(rule: RuleDraft): Promise<{ file: string }>;
  /** Closes the dialog: with a message after a save, null when skipped. */
  onDone(message: string | null): void;
  interactive: boolean;
  width: number;
  colorLevel: number;
  /** Inside the App, keys come through its router (see use-keys.ts) instead of a subscription of our own. */
  keys?: MutableRefObject<KeyHandler | null>;
  /** Told the rows the dialog takes whenever that changes (its sentences wrap), so the App can make room. */
  onRows?(rows: number): void;
}

type Field = 'name' | 'keywords' | 'match' | 'category' | 'use' | 'position';
const TEXT_FIELDS = new Set<Field>(['name', 'keywords', 'use']);

/** `sql, query,  customers,` → ['sql', 'query', 'customers']; `all [a, b]` also sets the match. */
export function parseKeywords(s: string): { keywords: string[]; match?: 'any' | 'all' } {
  const m = /^\s*(any|all)\s*(?:of\s*)?\[(.*)\]\s*$/i.exec(s) ?? /^\s*\[(.*)\]\s*$/.exec(s);
  const list = m ? m[m.length - 1] : s;
  const keywords = list.split(',').map((k) => k.trim().replace(/^["']|["']$/g, '')).filter(Boolean);
  return m && m.length === 3 ? { keywords, match: m[1].toLowerCase() as 'any' | 'all' } : { keywords };
}

/** What is wrong with the draft, or null when it can be saved. */
export function ruleProblem(r: RuleDraft): string | null {
  if (!r.name.trim()) return 'the rule needs a name';
  if (!r.use.trim()) return 'the rule needs a model to use';
  // A rule with no condition would route every prompt to one model.
  if (r.keywords.length === 0 && !r.category) return 'add a keyword or turn the category on (or esc to skip)';
  return null;
}

/** The rule in one sentence: exactly what will be written. */
const quoteList = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

export function describeRule(r: RuleDraft): string {
  const conds = [r.keywords.length ? `keywords ${r.match} [${r.keywords.join(', ')}]` : '', r.category ? `category ${r.category}` : ''].filter(Boolean);
  const where = r.before ? `, inserted above rule "${r.before}"` : ', added after the existing rules';
  return `when ${conds.join(' and ') || '(no condition)'} → use ${r.use}${where}`;
}

/** After a pick: the proposed rule, editable in place; what it shows is what Enter saves. */
export function RuleDialog(p: RuleDialogProps) {
  const [draft, setDraftState] = useState<RuleDraft>(p.draft);
  const draftRef = useRef(draft);
  const [editors, setEditors] = useState<Record<'name' | 'keywords' | 'use', EditorState>>(() => ({
    name: editorAt(p.draft.name),
    keywords: editorAt(p.draft.keywords.join(', ')),
    use: editorAt(p.draft.use),
  }));
  const editorsRef = useRef(editors);
  const [categoryValue, setCategoryValue] = useState(p.draft.category ?? 'chat');
  const categoryRef = useRef(categoryValue);
  const [field, setFieldState] = useState<Field>('name');
  // Keys can arrive faster than React re-renders; handlers read the latest values from refs.
  const fieldRef = useRef<Field>('name');
  const [error, setError] = useState<string | null>(null);
  const saving = useRef(false);
  const [busy, setBusy] = useState(false);
  const props = useLatest(p);

  const check = p.check?.(draft, p.prompt);
  const fields: Field[] = ['name', 'keywords', 'match', 'category', 'use', ...(check?.shadowedBy || draft.before ? (['position'] as Field[]) : [])];

  const setDraft = (d: RuleDraft) => {
    draftRef.current = d;
    setDraftState(d);
    setError(null);
  };
  const setField = (f: Field) => {
    fieldRef.current = f;
    setFieldState(f);
  };

  const save = async () => {
    const r = draftRef.current;
    const problem = ruleProblem(r) ?? props.current.check?.(r, props.current.prompt).problem ?? null;
    if (problem) return setError(problem);
    saving.current = true;
    setBusy(true);
    try {
      const { file } = await props.current.onSave(r);
      props.current.onDone(`✔ rule "${r.name}" saved to ${file}${r.before ? ` above "${r.before}"` : ''}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      saving.current = false;
      setBusy(false);
    }
  };

  const toggle = (f: Field, dir: 1 | -1 = 1) => {
    const d = draftRef.current;
    if (f === 'match') return setDraft({ ...d, match: d.match === 'any' ? 'all' : 'any' });
    if (f === 'position') {
      const shadow = props.current.check?.({ ...d, before: undefined }, props.current.prompt).shadowedBy;
      return setDraft({ ...d, before: d.before ? undefined : shadow });
    }
    if (f === 'category') {
      if (dir === 1 && d.category === null) return setDraft({ ...d, category: categoryRef.current });
      return setDraft({ ...d, category: null });
    }
  };
  const cycleCategory = (dir: 1 | -1) => {
    const i = CATEGORIES.indexOf(categoryRef.current as (typeof CATEGORIES)[number]);
    const next = CATEGORIES[(i + dir + CATEGORIES.length) % CATEGORIES.length];
    categoryRef.current = next;
    setCategoryValue(next);
    setDraft({ ...draftRef.current, category: next });
  };

  const handle: KeyHandler = (input, key) => {
    if (saving.current) return; // one save at a time; the result decides what happens next
    if (key.escape) return props.current.onDone(null);
    if (key.return && !key.meta) return void save();
    const list = fields;
    const f = fieldRef.current;
    if (key.tab || key.downArrow || key.upArrow) {
      const step = (key.tab && key.shift) || key.upArrow ? -1 : 1;
      return setField(list[(list.indexOf(f) + step + list.length) % list.length]);
    }
    if (!TEXT_FIELDS.has(f)) {
      if (f === 'category' && (key.leftArrow || key.rightArrow)) return cycleCategory(key.leftArrow ? -1 : 1);
      if (input === ' ' || key.leftArrow || key.rightArrow) return toggle(f);
      return;
    }
    const name = f as 'name' | 'keywords' | 'use';
    const r = applyKey(editorsRef.current[name], input, key, false);
    if (!r) return;
    editorsRef.current = { ...editorsRef.current, [name]: r.state };
    setEditors(editorsRef.current);
    const d = draftRef.current;
    if (name === 'keywords') {
      const parsed = parseKeywords(r.state.text);
      setDraft({ ...d, keywords: parsed.keywords, match: parsed.match ?? d.match });
    } else setDraft({ ...d, [name]: r.state.text.trim() });
  };
  if (p.keys) p.keys.current = handle;
  useInput(handle, { isActive: p.interactive && !p.keys });

  const pad = 11;
  const inner = Math.max(10, p.width - DIALOG_CHROME_COLUMNS - pad - 2);
  const room = Math.max(10, p.width - DIALOG_CHROME_COLUMNS);
  const row = (f: Field, label: string, value: React.ReactNode) => (
    <Text key={f} wrap="truncate-end">
      <Text color={field === f ? 'cyan' : undefined} bold={field === f}>
        {field === f ? '› ' : '  '}
        {`${label}:`.padEnd(pad)}
      </Text>
      {value}
    </Text>
  );
  // The field being edited shows the row around its cursor; `…` marks text scrolled out of either side.
  const editing = (f: 'name' | 'keywords' | 'use') => {
    const whole = fieldView(editors[f], inner, 1);
    if (!whole.above && !whole.below) return toAnsi(whole.lines[0], p.colorLevel);
    const v = fieldView(editors[f], inner - 2, 1);
    return `${v.above ? '…' : ''}${toAnsi(v.lines[0], p.colorLevel)}${v.below ? '…' : ''}`;
  };
  const text = (f: 'name' | 'keywords' | 'use', empty: string) => (field === f ? editing(f) : editors[f].text || <Text dimColor>{empty}</Text>);
  const hint =
    field === 'match' || field === 'position'
      ? ['space toggles']
      : field === 'category'
        ? ['space turns it on/off', '←/→ another category']
        : field === 'keywords'
          ? ['ctrl-u clears', 'keywords are comma-separated']
          : ['ctrl-u clears'];
  const yellow = { color: 'yellow' } as const;
  // Sentences wrap under their label: the whole of each is on screen at any width.
  const title = paragraph([{ text: `✔ ${p.winnerLabel}`, style: { color: 'green' } }, { text: ' wins. Save a routing rule?' }], room);
  const file = paragraph([{ text: p.file }], room, `  ${'file:'.padEnd(pad)}`);
  const saves = paragraph([{ text: describeRule(draft) }], room, '  saves: ', { dim: true });
  const notes: StyledLine[] = [
    ...(check?.shadowedBy && !draft.before ? paragraph([{ text: `rule "${check.shadowedBy}" comes first and matches this prompt: this rule would never apply to it` }], room, '⚠ ', yellow) : []),
    ...(draft.before && check?.hides?.length
      ? paragraph([{ text: `inserted here it matches every prompt ${quoteList(check.hides)} ${check.hides.length === 1 ? 'does' : 'do'}: ${check.hides.length === 1 ? 'that rule' : 'those rules'} would never apply again` }], room, '⚠ ', yellow)
      : []),
    ...(check && !check.matchesPrompt && !check.shadowedBy ? paragraph([{ text: 'as written, this rule does not match the prompt you voted on' }], room, '⚠ ', yellow) : []),
    ...(error ? paragraph([{ text: error }], room, '✖ ', { color: 'red' }) : []),
  ];
  const keyLines = busy ? paragraph([{ text: 'saving…' }], room, '', { dim: true }) : itemLines(['enter save', 'tab/↑/↓ next field', ...hint, 'esc skip'], room, { dim: true });
  const lines = (k: string, ls: StyledLine[]) =>
    ls.map((l, i) => (
      <Text key={`${k}${i}`} wrap="truncate-end">
        {toAnsi(l, p.colorLevel)}
      </Text>
    ));
  const rows = 2 + title.length + fields.length + file.length + saves.length + notes.length + keyLines.length;
  const onRows = p.onRows;
  useLayoutEffect(() => onRows?.(rows), [rows, onRows]);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="green" paddingX={1} width={p.width}>
      {lines('title', title)}
      {row('name', 'name', text('name', '(empty)'))}
      {row('keywords', 'keywords', text('keywords', '(none)'))}
      {row('match', 'match', <Text>{draft.match === 'all' ? 'all of the keywords' : 'any of the keywords'}</Text>)}
      {row('category', 'category', draft.category ? <Text>[x] {draft.category}</Text> : <Text dimColor>[ ] {categoryValue} (not a condition)</Text>)}
      {row('use', 'use', text('use', '(empty)'))}
      {fields.includes('position') ? row('position', 'position', <Text color="yellow">{draft.before ? `[x] insert above "${draft.before}"` : `[ ] insert above "${check?.shadowedBy}"`}</Text>) : null}
      {lines('file', file)}
      {lines('saves', saves)}
      {lines('note', notes)}
      {lines('keys', keyLines)}
    </Box>
  );
}

/** Rows the dialog takes when each sentence fits on one line (borders, title, six fields, file, summary, two notes, keys); it reports its real height through `onRows`. */
export const RULE_DIALOG_ROWS = 15;
