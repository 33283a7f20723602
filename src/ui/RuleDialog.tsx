import { useRef, useState, type MutableRefObject } from 'react';
import { Box, Text, useInput } from 'ink';
import type { KeyHandler } from './use-keys.js';
import { editText } from './edit.js';
import { useLatest } from './use-latest.js';
import type { RuleProposal } from './types.js';

export interface RuleDialogProps {
  proposal: RuleProposal;
  /** The winner as the user should read it (revealed in blind mode). */
  winnerLabel: string;
  /** Where the rule will be written, e.g. `./.routerrc.yaml`. */
  file: string;
  onSave(rule: RuleProposal): Promise<{ file: string }>;
  /** Closes the dialog: with a message after a save, null when skipped. */
  onDone(message: string | null): void;
  interactive: boolean;
  /** Inside the App, keys come through its router (see use-keys.ts) instead of a subscription of our own. */
  keys?: MutableRefObject<KeyHandler | null>;
}

type Field = 'name' | 'keywords' | 'category' | 'use';
const FIELDS: Field[] = ['name', 'keywords', 'category', 'use'];
const LABEL: Record<Field, string> = { name: 'name', keywords: 'keywords', category: 'category', use: 'use' };

/** `sql, query,  customers,` → ['sql', 'query', 'customers'] */
export const parseKeywords = (s: string) =>
  s
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);

/** What is wrong with the edited rule, or null when it can be saved. */
export function ruleProblem(r: RuleProposal): string | null {
  if (!r.name.trim()) return 'the rule needs a name';
  if (!r.use.trim()) return 'the rule needs a model to use';
  // A rule with no condition would route every prompt to one model.
  if (r.keywords.length === 0 && !r.category) return 'add a keyword or a category (or esc to skip)';
  return null;
}

/** After a pick: the proposed rule, editable in place; Enter saves, Esc skips. */
export function RuleDialog(p: RuleDialogProps) {
  const [values, setValues] = useState<Record<Field, string>>({
    name: p.proposal.name,
    keywords: p.proposal.keywords.join(', '),
    category: p.proposal.category ?? '',
    use: p.proposal.use,
  });
  const [field, setFieldState] = useState(0);
  // Keys can arrive faster than React re-renders; handlers read the latest field from here.
  const fieldRef = useRef(0);
  const setField = (f: number) => {
    fieldRef.current = f;
    setFieldState(f);
  };
  const valuesRef = useRef(values);
  valuesRef.current = values;
  const [error, setError] = useState<string | null>(null);
  const saving = useRef(false);
  const props = useLatest(p);
  const [busy, setBusy] = useState(false);

  const rule = (): RuleProposal => {
    const v = valuesRef.current;
    const category = v.category.trim();
    return { name: v.name.trim(), keywords: parseKeywords(v.keywords), ...(category ? { category } : {}), use: v.use.trim() };
  };

  const save = async () => {
    const r = rule();
    const problem = ruleProblem(r);
    if (problem) return setError(problem);
    saving.current = true;
    setBusy(true);
    try {
      const { file } = await props.current.onSave(r);
      props.current.onDone(`✔ rule "${r.name}" saved to ${file}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      saving.current = false;
      setBusy(false);
    }
  };

  const handle: KeyHandler = (input, key) => {
    if (saving.current) return; // one save at a time; the result decides what happens next
    if (key.escape) return props.current.onDone(null);
    if (key.return) return void save();
    if (key.tab || key.downArrow || key.upArrow) {
      const step = (key.tab && key.shift) || key.upArrow ? -1 : 1;
      return setField((fieldRef.current + step + FIELDS.length) % FIELDS.length);
    }
    const name = FIELDS[fieldRef.current];
    const next = editText(valuesRef.current[name], input, key);
    if (next === null) return;
    valuesRef.current = { ...valuesRef.current, [name]: next };
    setValues(valuesRef.current);
    setError(null);
  };
  if (p.keys) p.keys.current = handle;
  useInput(handle, { isActive: p.interactive && !p.keys });

  return (
    <Box flexDirection="column" borderStyle="round" borderColor="green" paddingX={1}>
      <Text>
        <Text color="green">✔ {p.winnerLabel}</Text> wins. Save a routing rule?
      </Text>
      {FIELDS.map((f, i) => (
        <Text key={f} wrap="truncate-end">
          <Text color={i === field ? 'cyan' : undefined} bold={i === field}>
            {i === field ? '› ' : '  '}
            {`${LABEL[f]}:`.padEnd(11)}
          </Text>
          {f === 'keywords' ? <Text dimColor>any [</Text> : null}
          {values[f] || (i === field ? '' : <Text dimColor>{f === 'category' ? '(none)' : '(empty)'}</Text>)}
          {i === field ? <Text inverse> </Text> : null}
          {f === 'keywords' ? <Text dimColor>]</Text> : null}
        </Text>
      ))}
      <Text wrap="truncate-end">
        {'  '}
        {'file:'.padEnd(11)}
        {p.file}
      </Text>
      {error ? <Text color="red">✖ {error}</Text> : null}
      <Text dimColor>{busy ? 'saving…' : 'enter save · tab next field · type to edit (ctrl-u clears) · esc skip'}</Text>
    </Box>
  );
}
