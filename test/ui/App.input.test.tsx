import stringWidth from 'string-width';
import type { Key } from 'ink';
import { afterEach, describe, expect, it } from 'vitest';
import { applyKey, cursorPosition, editorAt } from '../../src/ui/editor.js';
import { fieldView } from '../../src/ui/field-view.js';
import { plainText } from '../../src/ui/styled.js';
import { fitTopLine } from '../../src/ui/top-line.js';
import { delta, finish, KEY, plain, waitFor } from './helpers.js';
import { MODELS, mountApp, PROMPT } from './app-fixture.js';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

const none: Key = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false } as Key;
const k = (over: Partial<Key> = {}): Key => ({ ...none, ...over });

describe('the text editor', () => {
  it('moves the cursor by grapheme and by line, and inserts where it is', () => {
    let s = editorAt('héllo 👩‍💻');
    s = applyKey(s, '', k({ leftArrow: true }))!.state;
    s = applyKey(s, '', k({ leftArrow: true }))!.state;
    s = applyKey(s, 'X', k())!.state;
    // The emoji is one step, not five code units.
    expect(s.text).toBe('hélloX 👩‍💻');
    s = applyKey(editorAt('ab\ncdef'), '', k({ upArrow: true }))!.state;
    expect(s.cursor).toBe(2);
    s = applyKey(s, '', k({ home: true }))!.state;
    s = applyKey(s, '', k({ downArrow: true }))!.state;
    expect(cursorPosition(s)).toEqual({ line: 1, column: 0 });
  });

  it('Enter submits, Alt-Enter is a newline, a paste keeps its lines and submits on a trailing newline', () => {
    expect(applyKey(editorAt('hi'), '', k({ return: true }))).toMatchObject({ submit: true });
    expect(applyKey(editorAt('hi'), '', k({ return: true, meta: true }))).toEqual({ state: { text: 'hi\n', cursor: 3 } });
    expect(applyKey(editorAt(''), 'line one\rline two', k())).toEqual({ state: { text: 'line one\nline two', cursor: 17 } });
    expect(applyKey(editorAt(''), 'pasted\r\n', k())).toEqual({ state: { text: 'pasted', cursor: 6 }, submit: true });
    // A one-line field turns newlines into spaces.
    expect(applyKey(editorAt(''), 'a\rb', k(), false)?.state.text).toBe('a b');
  });

  it('Backspace, Ctrl-U, Ctrl-W and Ctrl-K edit around the cursor', () => {
    const s = { text: 'one two three', cursor: 7 };
    expect(applyKey(s, '', k({ delete: true }))?.state).toEqual({ text: 'one tw three', cursor: 6 });
    expect(applyKey(s, 'w', k({ ctrl: true }))?.state).toEqual({ text: 'one  three', cursor: 4 });
    expect(applyKey(s, 'k', k({ ctrl: true }))?.state).toEqual({ text: 'one two', cursor: 7 });
    expect(applyKey(s, 'u', k({ ctrl: true }))?.state).toEqual({ text: '', cursor: 0 });
  });

  it('draws the cursor where it is and scrolls rows to keep it in view', () => {
    const v = fieldView({ text: 'abc\ndef\nghi\njkl', cursor: 5 }, 20, 2);
    expect(v.lines.map(plainText)).toEqual(['abc', 'def']);
    expect(v.lines[1].spans.map((s) => [s.text, !!s.style?.inverse])).toEqual([['d', false], ['e', true], ['f', false]]);
    expect(v.below).toBe(2);
    const wide = fieldView(editorAt('中文中文中文'), 7, 3);
    for (const l of wide.lines) expect(l.width).toBeLessThanOrEqual(7);
  });
});

describe('the prompt box in the App', () => {
  it('takes a multi-line paste, moves with the arrows, Alt-Enter adds a line, Enter sends it all', async () => {
    const m = await mountApp({ prompt: undefined }, { columns: 100, rows: 30 });
    cleanup = m.ui.unmount;
    await m.ui.type('Review this:\rline A\rline B');
    let f = plain(m.ui.lastFrame());
    expect(f).toContain('prompt › Review this:');
    expect(f).toContain('line A');
    expect(f).toContain('line B');
    expect(m.rec.calls).toHaveLength(0);
    await m.ui.type(KEY.up, KEY.end, '!', KEY.altEnter, 'more');
    await m.ui.type(KEY.enter);
    expect(m.rec.calls.map((c) => c.prompt)).toEqual(['Review this:\nline A!\nmore\nline B']);
  });

  it('a pasted text ending in a newline is sent', async () => {
    const m = await mountApp({ prompt: undefined });
    cleanup = m.ui.unmount;
    await m.ui.type('pasted prompt\r');
    expect(m.rec.calls.map((c) => c.prompt)).toEqual(['pasted prompt']);
  });
});

describe('widths in a real layout', () => {
  const CJK = '进程是一个独立运行的程序，拥有自己的内存空间。线程是进程内部更轻量的执行单元 👩‍💻 café e\u0301.';
  it.each([60, 100, 160])('no line is wider than %i columns with CJK, emoji and combining marks', async (columns) => {
    const m = await mountApp({ prompt: `解释 ${PROMPT} 👍🏽` }, { columns, rows: 40 });
    cleanup = m.ui.unmount;
    m.queue().push(delta(0, MODELS[0].id, `## 标题\n\n${CJK}\n\n| 列 | 值 |\n|---|---|\n| 中文 | 👩‍💻 |`), finish(0, MODELS[0].id), delta(1, MODELS[1].id, CJK), finish(1, MODELS[1].id), delta(2, MODELS[2].id, '```\n中文代码 = "值" # 注释 👍🏽\n```'), finish(2, MODELS[2].id));
    const f = await waitFor(m.ui.lastFrame, (x) => (x.match(/✔ done/g) ?? []).length >= (columns >= 100 ? 3 : 1));
    for (const line of plain(f).split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(columns);
    // Borders line up: every row of the grid ends in a border at the same column.
    const rows = plain(f).split('\n').filter((l) => /^[│╭╰]/.test(l));
    expect(new Set(rows.map((l) => stringWidth(l))).size).toBe(1);
    expect(plain(f).replace(/[\s│]/g, '')).toContain('进程是一个独立运行的程序');
  });

  it('the prompt line keeps at least half the width at 60 columns (never `W…`)', async () => {
    const m = await mountApp({ routeNote: 'rule: sql-queries-for-reports → 3 models' }, { columns: 60, rows: 30 });
    cleanup = m.ui.unmount;
    m.queue().push(finish(0, MODELS[0].id, { cost: 0.002 }));
    const top = plain(await waitFor(m.ui.lastFrame, (f) => f.includes('✔'))).split('\n')[0];
    expect(top).toMatch(/^mmr › Write a SQL query for the top 5/);
    expect(stringWidth(top)).toBeLessThanOrEqual(60);
    const fit = fitTopLine(PROMPT, [{ text: 'rule: x → 3 models', rank: 1 }, { text: '$0.0041', rank: 2 }, { text: 'session $0.01', rank: 0 }], 60);
    expect(fit.right).toBe('$0.0041');
    expect(fit.prompt.length).toBeGreaterThanOrEqual(30);
  });
});
