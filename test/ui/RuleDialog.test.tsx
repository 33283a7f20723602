import { afterEach, describe, expect, it, vi } from 'vitest';
import { RuleDialog, parseKeywords, ruleProblem } from '../../src/ui/RuleDialog.js';
import type { RuleProposal } from '../../src/ui/types.js';
import { delta, finish, KEY, renderAt, tick, waitFor } from './helpers.js';
import { MODELS, mountApp } from './app-fixture.js';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

const proposal: RuleProposal = { name: 'sql-query', keywords: ['sql', 'query'], category: 'code', use: 'anthropic:claude-haiku-4-5' };

function mountDialog(onSave: (r: RuleProposal) => Promise<{ file: string }>) {
  const done: (string | null)[] = [];
  const ui = renderAt(<RuleDialog proposal={proposal} winnerLabel="anthropic:claude-haiku-4-5" file="./.routerrc.yaml" onSave={onSave} onDone={(m) => done.push(m)} interactive />, { columns: 100, rows: 20 });
  cleanup = ui.unmount;
  return { ui, done };
}

describe('RuleDialog', () => {
  it('shows the proposal and the file it will be written to', async () => {
    const { ui } = mountDialog(async () => ({ file: 'x' }));
    await tick(20);
    const f = ui.lastFrame();
    expect(f).toContain('✔ anthropic:claude-haiku-4-5 wins. Save a routing rule?');
    expect(f).toContain('› name:      sql-query');
    expect(f).toContain('keywords:  any [sql, query]');
    expect(f).toContain('category:  code');
    expect(f).toContain('use:       anthropic:claude-haiku-4-5');
    expect(f).toContain('file:      ./.routerrc.yaml');
  });

  it('Tab moves to the keywords, typing edits them, Enter saves the edited rule', async () => {
    const onSave = vi.fn(async () => ({ file: '/home/me/project/.routerrc.yaml' }));
    const { ui, done } = mountDialog(onSave);
    await tick(20);
    await ui.type(KEY.tab, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, ' customers');
    expect(ui.lastFrame()).toContain('any [sql, customers');
    await ui.type(KEY.enter);
    expect(onSave).toHaveBeenCalledWith({ name: 'sql-query', keywords: ['sql', 'customers'], category: 'code', use: 'anthropic:claude-haiku-4-5' });
    await waitFor(() => String(done.length), (n) => n === '1');
    expect(done).toEqual(['✔ rule "sql-query" saved to /home/me/project/.routerrc.yaml']);
  });

  it('Esc skips without saving', async () => {
    const onSave = vi.fn(async () => ({ file: 'x' }));
    const { ui, done } = mountDialog(onSave);
    await tick(20);
    await ui.type(KEY.esc);
    expect(onSave).not.toHaveBeenCalled();
    expect(done).toEqual([null]);
  });

  it('shows a save failure and stays open so the user can fix it or skip', async () => {
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

  it('refuses a rule with no condition (it would route every prompt)', async () => {
    const onSave = vi.fn(async () => ({ file: 'x' }));
    const { ui } = mountDialog(onSave);
    await tick(20);
    await ui.type(KEY.tab, KEY.ctrlU, KEY.tab, KEY.ctrlU, KEY.enter);
    expect(onSave).not.toHaveBeenCalled();
    expect(ui.lastFrame()).toContain('add a keyword or a category');
  });
});

describe('rule helpers', () => {
  it('parses a keyword list leniently', () => {
    expect(parseKeywords(' sql,, query , ')).toEqual(['sql', 'query']);
  });
  it('names what is missing', () => {
    expect(ruleProblem({ ...proposal, name: ' ' })).toContain('name');
    expect(ruleProblem({ ...proposal, use: '' })).toContain('model');
    expect(ruleProblem(proposal)).toBeNull();
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
    expect(m.saveRule).toHaveBeenCalledWith({ name: 'sql-query', keywords: ['sql', 'query', 'revenue'], category: 'code', use: 'anthropic:claude-haiku-4-5' });
    const f = await waitFor(m.ui.lastFrame, (x) => x.includes('saved to ./.routerrc.yaml'));
    expect(f).not.toContain('Save a routing rule?');
    expect(m.votes.map((v) => v.winner)).toEqual(['anthropic:claude-haiku-4-5']);
  });

  it('Esc skips the rule; the vote is still logged', async () => {
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
