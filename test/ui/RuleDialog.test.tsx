import { afterEach, describe, expect, it, vi } from 'vitest';
import { RuleDialog, describeRule, parseKeywords, ruleProblem } from '../../src/ui/RuleDialog.js';
import type { RuleCheck, RuleDraft } from '../../src/ui/types.js';
import { compileRules } from '../../src/config/rules.js';
import { checkPlacement } from '../../src/config/shadow.js';
import { ruleFromDraft } from '../../src/commands/interactive.js';
import { delta, finish, KEY, plain, renderAt, tick, waitFor } from './helpers.js';
import { MODELS, mountApp, winnerOf } from './app-fixture.js';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

const draft: RuleDraft = { name: 'sql-query', keywords: ['sql', 'query'], match: 'any', category: 'code', use: 'anthropic:claude-haiku-4-5' };
const PROMPT = 'Write a SQL query for the top 5 customers by revenue';

function mountDialog(onSave: (r: RuleDraft) => Promise<{ file: string }>, over: { draft?: RuleDraft; check?: (d: RuleDraft, p: string) => RuleCheck } = {}) {
  const done: (string | null)[] = [];
  const ui = renderAt(
    <RuleDialog draft={over.draft ?? draft} prompt={PROMPT} check={over.check} winnerLabel="anthropic:claude-haiku-4-5" file="./.routerrc.yaml" onSave={onSave} onDone={(m) => done.push(m)} interactive width={100} colorLevel={0} />,
    { columns: 100, rows: 24 },
  );
  cleanup = ui.unmount;
  return { ui, done, frame: () => plain(ui.lastFrame()) };
}

/** The checks `mmr ask` runs: the real rule compiler and router, with these rules loaded before the new one. */
function realCheck(existing: unknown[]) {
  const rules = compileRules(existing);
  return (d: RuleDraft, prompt: string): RuleCheck => {
    try {
      return checkPlacement(rules, compileRules([ruleFromDraft(d)])[0], prompt, d.before);
    } catch (err) {
      return { matchesPrompt: true, problem: String((err as Error).message) };
    }
  };
}

describe('RuleDialog shows exactly what it saves', () => {
  it('shows every field, the file, and the rule in one sentence', async () => {
    const { frame } = mountDialog(async () => ({ file: 'x' }));
    await tick(20);
    const f = frame();
    expect(f).toContain('✔ anthropic:claude-haiku-4-5 wins. Save a routing rule?');
    expect(f).toContain('› name:      sql-query');
    expect(f).toContain('keywords:  sql, query');
    expect(f).toContain('match:     any of the keywords');
    expect(f).toContain('category:  [x] code');
    expect(f).toContain('use:       anthropic:claude-haiku-4-5');
    expect(f).toContain('file:      ./.routerrc.yaml');
    expect(f).toContain('saves: when keywords any [sql, query] and category code → use anthropic:claude-haiku-4-5');
  });

  it('keywords any/all is a choice; typing `all [process, thread]` sets it instead of saving brackets', async () => {
    const onSave = vi.fn(async (_r: RuleDraft) => ({ file: "f" }));
    const { ui, frame } = mountDialog(onSave);
    await tick(20);
    await ui.type(KEY.tab, KEY.ctrlU, 'all [process, thread]');
    expect(frame()).toContain('match:     all of the keywords');
    expect(frame()).toContain('saves: when keywords all [process, thread] and category code');
    await ui.type(KEY.tab, ' ');
    expect(frame()).toContain('match:     any of the keywords');
    await ui.type(' ', KEY.enter);
    expect(onSave).toHaveBeenCalledWith({ ...draft, keywords: ['process', 'thread'], match: 'all' });
    expect(ruleFromDraft(onSave.mock.calls[0][0])).toEqual({ name: 'sql-query', when: { keywords: { all: ['process', 'thread'] }, category: 'code' }, use: 'anthropic:claude-haiku-4-5' });
  });

  it('the category is a condition the user turns on or off (and can change), and off means it is not saved', async () => {
    const onSave = vi.fn(async (_r: RuleDraft) => ({ file: "f" }));
    const { ui, frame } = mountDialog(onSave, { draft: { ...draft, category: null } });
    await tick(20);
    await ui.type(KEY.tab, KEY.tab, KEY.tab);
    expect(frame()).toMatch(/› category: +\[ \] chat \(not a condition\)/);
    expect(frame()).toContain('saves: when keywords any [sql, query] → use');
    await ui.type(' ');
    expect(frame()).toContain('category:  [x] chat');
    await ui.type(KEY.right);
    expect(frame()).toMatch(/category: +\[x\] (?!chat)\w+/);
    await ui.type(' ', KEY.enter);
    expect(onSave).toHaveBeenCalledWith({ ...draft, category: null });
    expect(ruleFromDraft(onSave.mock.calls[0][0]).when).toEqual({ keywords: { any: ['sql', 'query'] } });
  });

  it('warns when an earlier rule would catch the prompt first, and inserts above it when asked', async () => {
    const onSave = vi.fn(async (_r: RuleDraft) => ({ file: "f" }));
    const check = realCheck([
      { name: 'docs', when: { keywords: ['readme'] }, use: 'openai:gpt-4o-mini' },
      { name: 'all-code', when: { category: 'code' }, use: 'openai:gpt-4o-mini' },
    ]);
    const { ui, frame } = mountDialog(onSave, { check });
    await tick(20);
    expect(frame()).toContain('⚠ rule "all-code" comes first and matches this prompt');
    expect(frame()).toContain('position:  [ ] insert above "all-code"');
    // The position field is the last one.
    await ui.type(KEY.up, ' ');
    expect(frame()).toContain('position:  [x] insert above "all-code"');
    expect(frame()).toContain('inserted above rule "all-code"');
    expect(frame()).not.toContain('comes first and matches');
    await ui.type(KEY.enter);
    expect(onSave).toHaveBeenCalledWith({ ...draft, before: 'all-code' });
  });

  it('warns when, inserted above a rule, the new rule would silence it for good', async () => {
    const onSave = vi.fn(async (_r: RuleDraft) => ({ file: 'f' }));
    const check = realCheck([
      { name: 'rust', when: { category: 'code', keywords: ['rust'] }, use: 'openai:gpt-4o-mini' },
      { name: 'all-code', when: { category: 'code' }, use: 'openai:gpt-4o-mini' },
    ]);
    const { ui, frame } = mountDialog(onSave, { check, draft: { ...draft, name: 'code-haiku', keywords: [] } });
    await tick(20);
    expect(frame()).toContain('position:  [ ] insert above "all-code"');
    expect(frame()).not.toContain('never apply again');
    await ui.type(KEY.up, ' ');
    expect(frame()).toContain('position:  [x] insert above "all-code"');
    expect(frame()).toContain('⚠ inserted here it matches every prompt "all-code" does: that rule would never apply again');
    // Narrow it again with a keyword: the broad rule keeps its prompts, the warning goes.
    await ui.type(KEY.tab, KEY.tab, 'sql');
    expect(frame()).not.toContain('never apply again');
  });

  it('says when the rule as written would not match the prompt voted on', async () => {
    const { ui, frame } = mountDialog(async () => ({ file: 'f' }), { check: realCheck([]), draft: { ...draft, category: null } });
    await tick(20);
    expect(frame()).not.toContain('does not match');
    await ui.type(KEY.tab, KEY.ctrlU, 'kubernetes');
    expect(frame()).toContain('⚠ as written, this rule does not match the prompt you voted on');
  });

  it('Esc skips without saving; a save failure stays open with the error', async () => {
    const onSave = vi.fn(async () => {
      throw new Error('.routerrc.yaml does not parse (line 3); fix it by hand first');
    });
    const { ui, done } = mountDialog(onSave);
    await tick(20);
    await ui.type(KEY.enter);
    await waitFor(ui.lastFrame, (f) => f.includes('✖ .routerrc.yaml does not parse'));
    expect(done).toEqual([]);
    await ui.type(KEY.esc);
    expect(done).toEqual([null]);
  });

  it('refuses a rule with no condition (it would route every prompt), and a name the compiler refuses', async () => {
    const onSave = vi.fn(async () => ({ file: 'x' }));
    const { ui, frame } = mountDialog(onSave, { draft: { ...draft, category: null }, check: realCheck([]) });
    await tick(20);
    await ui.type(KEY.tab, KEY.ctrlU, KEY.enter);
    expect(onSave).not.toHaveBeenCalled();
    expect(frame()).toContain('add a keyword or turn the category on');
  });
});

describe('rule helpers', () => {
  it('parses keywords leniently, with an optional any/all prefix', () => {
    expect(parseKeywords(' sql,, query , ')).toEqual({ keywords: ['sql', 'query'] });
    expect(parseKeywords('all [process, thread]')).toEqual({ keywords: ['process', 'thread'], match: 'all' });
    expect(parseKeywords('ANY of [a]')).toEqual({ keywords: ['a'], match: 'any' });
    expect(parseKeywords('[x, "y"]')).toEqual({ keywords: ['x', 'y'] });
  });
  it('names what is missing and describes the rule', () => {
    expect(ruleProblem({ ...draft, name: ' ' })).toContain('name');
    expect(ruleProblem({ ...draft, use: '' })).toContain('model');
    expect(ruleProblem(draft)).toBeNull();
    expect(describeRule({ ...draft, before: 'x' })).toBe('when keywords any [sql, query] and category code → use anthropic:claude-haiku-4-5, inserted above rule "x"');
  });
});

describe('rule dialog inside the App', () => {
  it('after a pick, Enter saves the edited rule and the status line says where', async () => {
    const m = await mountApp();
    cleanup = m.ui.unmount;
    m.queue().push(delta(1, MODELS[1].id, 'WITH revenue AS'), finish(1, MODELS[1].id));
    await waitFor(m.ui.lastFrame, (f) => f.includes('✔ done'));
    await m.ui.type('2');
    await m.ui.type(KEY.tab, ', revenue', KEY.enter);
    expect(m.saveRule).toHaveBeenCalledWith({ name: 'sql-query', keywords: ['sql', 'query', 'revenue'], match: 'any', category: 'code', use: 'anthropic:claude-haiku-4-5' });
    const f = await waitFor(m.ui.lastFrame, (x) => x.includes('saved to ./.routerrc.yaml'));
    expect(f).not.toContain('Save a routing rule?');
    expect(m.votes.map(winnerOf)).toEqual(['anthropic:claude-haiku-4-5']);
  });

  it('Esc skips the rule; the vote is still recorded', async () => {
    const m = await mountApp();
    cleanup = m.ui.unmount;
    m.queue().push(delta(0, MODELS[0].id, 'x'), finish(0, MODELS[0].id));
    await waitFor(m.ui.lastFrame, (f) => f.includes('✔ done'));
    await m.ui.type('1', KEY.esc);
    expect(m.saveRule).not.toHaveBeenCalled();
    expect(m.votes).toHaveLength(1);
    expect(m.ui.lastFrame()).toContain('rule skipped');
    expect(m.ui.lastFrame()).not.toContain('Save a routing rule?');
  });
});

describe('RuleDialog fits its width: long sentences wrap, whole, under their label', () => {
  const long: RuleDraft = { name: 'sql-revenue', keywords: ['sql', 'query', 'customers', 'revenue', 'ranking', 'top-five'], match: 'all', category: 'code', use: 'anthropic:claude-haiku-4-5-20251001' };
  const shadowed = (): RuleCheck => ({ matchesPrompt: true, shadowedBy: 'catch-all-database-questions' });
  /** The dialog's text rows without the border, and those rows joined back into one text. */
  const inside = (frame: string) => {
    const rows = plain(frame).split('\n').filter((l) => l.startsWith('│'));
    return { rows, text: rows.map((l) => l.slice(1, -1).trim()).join(' ').replace(/ {2,}/g, ' ') };
  };

  for (const columns of [80, 140]) {
    it(`at ${columns} columns every sentence is on screen in full and no row is wider than the dialog`, async () => {
      const heights: number[] = [];
      const ui = renderAt(
        <RuleDialog draft={long} prompt={PROMPT} check={shadowed} winnerLabel="anthropic:claude-haiku-4-5-20251001" file="/home/someone/projects/warehouse/.routerrc.yaml" onSave={async () => ({ file: 'x' })} onDone={() => {}} onRows={(n) => heights.push(n)} interactive width={columns} colorLevel={0} />,
        { columns, rows: 40 },
      );
      cleanup = ui.unmount;
      await tick(20);
      const frame = plain(ui.lastFrame());
      const { rows, text } = inside(frame);
      for (const l of frame.split('\n')) expect(l.length, l).toBeLessThanOrEqual(columns);
      for (const r of rows) expect(r.endsWith('│'), r).toBe(true);
      expect(text).toContain(`saves: ${describeRule(long)}`);
      expect(describeRule(long)).toMatch(/, added after the existing rules$/);
      expect(text).toContain('⚠ rule "catch-all-database-questions" comes first and matches this prompt: this rule would never apply to it');
      expect(text).toContain('file: /home/someone/projects/warehouse/.routerrc.yaml');
      expect(text).toContain('enter save · tab/↑/↓ next field · ctrl-u clears · esc skip');
      // Continuation rows of the sentence start under its text, not at the border.
      const savesRow = rows.findIndex((r) => r.includes('saves: '));
      const next = rows[savesRow + 1];
      if (!next.includes('⚠')) expect(next).toMatch(/^│ {10}\S/);
      // What the App reserves is the frame's real height.
      expect(heights.at(-1)).toBe(frame.replace(/\n$/, '').split('\n').length);
    });
  }

  it('the sentence wraps at 80 columns and is one row at 140; inserting above a rule says so in full', async () => {
    const rowsAt = async (columns: number, d: RuleDraft) => {
      const ui = renderAt(<RuleDialog draft={d} prompt={PROMPT} check={shadowed} winnerLabel="w" file="./.routerrc.yaml" onSave={async () => ({ file: 'x' })} onDone={() => {}} interactive width={columns} colorLevel={0} />, { columns, rows: 40 });
      await tick(20);
      const r = inside(ui.lastFrame());
      ui.unmount();
      return r;
    };
    const short = { ...long, keywords: ['sql'], use: 'anthropic:claude-haiku-4-5' };
    const at80 = await rowsAt(80, short);
    const at140 = await rowsAt(140, short);
    expect(at80.rows.filter((r) => /saves: /.test(r) || /^│ {10}\S/.test(r)).length).toBe(2);
    expect(at140.rows.filter((r) => r.includes(`saves: ${describeRule(short)}`))).toHaveLength(1);
    const above = { ...long, before: 'catch-all-database-questions' };
    expect((await rowsAt(80, above)).text).toContain(`saves: ${describeRule(above)}`);
    expect(describeRule(above)).toMatch(/, inserted above rule "catch-all-database-questions"$/);
  });

  it('a field longer than its row, while edited, marks the text scrolled out of sight with …', async () => {
    const many = { ...long, keywords: Array.from({ length: 20 }, (_, i) => `keyword${i}`) };
    const ui = renderAt(<RuleDialog draft={many} prompt={PROMPT} winnerLabel="w" file="f" onSave={async () => ({ file: 'x' })} onDone={() => {}} interactive width={80} colorLevel={0} />, { columns: 80, rows: 40 });
    cleanup = ui.unmount;
    await tick(20);
    const row = () => plain(ui.lastFrame()).split('\n').find((l) => l.includes('keywords:'))!;
    expect(row()).toMatch(/keywords: +keyword0, .*…\s*│$/); // not focused: Ink's truncation mark
    await ui.type(KEY.tab, KEY.end);
    expect(row()).toMatch(/keywords: +….*keyword19/);
  });
});
