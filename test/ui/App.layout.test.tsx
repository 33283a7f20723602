import { afterEach, describe, expect, it } from 'vitest';
import { delta, fail, finish, waitFor } from './helpers.js';
import { lineWith, MODELS, mountApp, PROMPT } from './app-fixture.js';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

const topBorders = (frame: string) => frame.split('\n').filter((l) => l.includes('╭')).map((l) => l.split('╭').length - 1);

describe('App layout', () => {
  it.each([100, 160])('puts the three columns side by side at %i columns', async (columns) => {
    const m = await mountApp({}, { columns, rows: 30 });
    cleanup = m.ui.unmount;
    const f = m.ui.lastFrame();
    expect(topBorders(f)).toEqual([3]);
    const header = lineWith(f, '1 openai:gpt-4o-mini');
    // Where a header is narrow the provider is shortened first: the model's name tells columns apart.
    expect(header).toMatch(columns >= 160 ? /2 anthropic:claude-haiku-4-5/ : /2 (an\S*…:)?claude-haiku-4-5/);
    expect(header).toContain('qwen2.5-coder');
    for (const line of f.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(columns);
  });

  it('shows one column at a time with a tab bar at 60 columns, and Tab moves between them', async () => {
    const m = await mountApp({}, { columns: 60, rows: 30 });
    cleanup = m.ui.unmount;
    let f = m.ui.lastFrame();
    expect(topBorders(f)).toEqual([1]);
    expect(f).toContain('1 openai:gpt-4o-mini');
    const tabs = lineWith(f, '1 … gpt-4o-mini');
    // Tabs keep the model's name, not the provider's (`anthropi…`).
    expect(tabs).toContain('2 … claude-haiku-…');
    expect(tabs).toContain('3 … qwen2.5-coder');
    for (const line of f.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(60);
    await m.ui.type('\t');
    f = m.ui.lastFrame();
    expect(lineWith(f, '╭').length).toBeGreaterThan(0);
    expect(f).toMatch(/│ 2 anthropic:claude-haiku-4-5/);
    expect(f).not.toMatch(/│ 1 openai/);
  });

  it('stacks two columns at 60 columns when the terminal is tall enough', async () => {
    const m = await mountApp({ models: MODELS.slice(0, 2) }, { columns: 60, rows: 40 });
    cleanup = m.ui.unmount;
    expect(topBorders(m.ui.lastFrame())).toEqual([1, 1]);
  });

  it('re-lays out when the terminal is resized', async () => {
    const m = await mountApp({}, { columns: 160, rows: 30 });
    cleanup = m.ui.unmount;
    expect(topBorders(m.ui.lastFrame())).toEqual([3]);
    m.ui.resize(60);
    await waitFor(m.ui.lastFrame, (f) => f.includes('1 … gpt-4o-mini'));
    expect(topBorders(m.ui.lastFrame())).toEqual([1]);
    m.ui.resize(120);
    await waitFor(m.ui.lastFrame, (f) => topBorders(f)[0] === 3);
  });

  it('shows the prompt, the routing note and the comparison cost on the top line', async () => {
    const m = await mountApp();
    cleanup = m.ui.unmount;
    m.queue().push(delta(0, MODELS[0].id, 'hi'), finish(0, MODELS[0].id, { cost: 0.002 }), finish(1, MODELS[1].id, { cost: 0.0021 }), fail(2, MODELS[2].id, 'down'));
    const top = (await waitFor(m.ui.lastFrame, (f) => f.includes('$0.0041'))).split('\n')[0];
    expect(top).toContain(PROMPT);
    expect(top).toContain('rule: sql → 3 models');
    expect(top).toContain('$0.0041');
  });
});

describe('App height', () => {
  it('never outgrows the terminal (Ink would clear and redraw the whole screen every frame)', async () => {
    const rows = 26;
    const m = await mountApp({}, { columns: 100, rows });
    cleanup = m.ui.unmount;
    const height = () => m.ui.lastFrame().replace(/\n$/, '').split('\n').length;
    const long = Array.from({ length: 80 }, (_, i) => `line ${i}`).join('\n');
    m.queue().push(delta(0, MODELS[0].id, long), finish(0, MODELS[0].id, { reason: 'length' }), fail(1, MODELS[1].id, 'x'.repeat(300), 'y'.repeat(200)));
    await waitFor(m.ui.lastFrame, (f) => f.includes('cut short'));
    expect(height()).toBeLessThan(rows);
    await m.ui.type('1');
    expect(m.ui.lastFrame()).toContain('Save a routing rule');
    expect(height()).toBeLessThan(rows);
    await m.ui.type('\u0015', '\r');
    expect(m.ui.lastFrame()).toContain('✖ the rule needs a name');
    expect(height()).toBeLessThan(rows);
    // Each key waits for what it opens: keys typed into a panel before it is drawn go nowhere.
    await m.ui.type('\u001b');
    await waitFor(m.ui.lastFrame, (f) => !f.includes('Save a routing rule'));
    await m.ui.type('n');
    await waitFor(m.ui.lastFrame, (f) => f.includes('new prompt ›'));
    await m.ui.type('a very long prompt '.repeat(20));
    expect(height()).toBeLessThan(rows);
    expect(m.ui.lastFrame()).toContain('a very long prompt');
    await m.ui.type('\u001b');
    await waitFor(m.ui.lastFrame, (f) => !f.includes('new prompt ›'));
    await m.ui.type('?');
    expect(height()).toBeLessThan(rows);
    await m.ui.type('?');
    await waitFor(m.ui.lastFrame, (f) => f.includes('1-9 pick'));
    await m.ui.type('e');
    expect(height()).toBeLessThan(rows);
    expect(height()).toBeGreaterThan(rows - 3);
  });
});

describe('App column states', () => {
  it('waiting, streaming, done, failed and cut short each read clearly', async () => {
    const m = await mountApp({ models: [...MODELS, { id: 'gemini:gemini-2.5-flash', alias: 'flash' }] }, { columns: 160, rows: 30 });
    cleanup = m.ui.unmount;
    let f = m.ui.lastFrame();
    expect(lineWith(f, '1 openai')).toContain('waiting');
    expect(f).toContain('waiting for the first token');

    const q = m.queue();
    q.push(delta(0, MODELS[0].id, 'SELECT 1;'), finish(0, MODELS[0].id, { out: 184 }));
    q.push(delta(1, MODELS[1].id, 'Here is a query'));
    q.push(fail(2, MODELS[2].id, 'connection refused at 127.0.0.1:11434', 'is Ollama running? (`ollama serve`)'));
    q.push(delta(3, 'gemini:gemini-2.5-flash', 'SELECT name FROM'), finish(3, 'gemini:gemini-2.5-flash', { reason: 'length', cost: null }));
    f = await waitFor(m.ui.lastFrame, (x) => x.includes('cut short (max tokens)') && x.includes('✖ failed'));

    const headers = lineWith(f, '1 openai');
    expect(headers).toMatch(/1 openai:gpt-4o-mini\s+✔ done/);
    expect(headers).toMatch(/2 an\S*:claude-haiku-4-5.*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] streaming/);
    expect(headers).toMatch(/3 ollama:qwen2.5-coder\s+✖ failed/);
    expect(headers).toMatch(/4 flash\s+⚠ cut short/);
    // done: the shared stats line (ttft, latency, tokens, tok/s, cost)
    expect(f).toContain('ttft 400ms');
    expect(f).toContain('12→184 tok');
    expect(f).toContain('184 tok/s');
    expect(f).toContain('$0.00012');
    // failed: its error and hint in its own column, a way out in the footer
    expect(f).toContain('✖ connection refused at');
    expect(f).toContain('is Ollama running?');
    expect(f).toContain('r retry');
    // cut short: the warning, and an unknown price said as such
    expect(f).toContain('price unknown');
    expect(f).toContain('streaming · 15 chars');
  });

  it('scrolls the focused column with the arrow keys and says what is hidden', async () => {
    const m = await mountApp({}, { columns: 120, rows: 24 });
    cleanup = m.ui.unmount;
    const long = Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\n');
    m.queue().push(delta(0, MODELS[0].id, long), finish(0, MODELS[0].id));
    let f = await waitFor(m.ui.lastFrame, (x) => x.includes('more'));
    expect(f).toContain('│ line 0 ');
    await m.ui.type('\u001b[B', '\u001b[B');
    f = m.ui.lastFrame();
    expect(f).not.toContain('│ line 0 ');
    expect(f).toContain('│ line 2 ');
    expect(f).toContain('↑2');
    await m.ui.type('\u001b[6~');
    expect(m.ui.lastFrame()).not.toContain('│ line 2 ');
  });
});
