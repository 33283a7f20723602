import { afterEach, describe, expect, it } from 'vitest';
import { delta, fail, finish, KEY, plain, waitFor } from './helpers.js';
import { lineWith, MODELS, mountApp, PROMPT, winnerOf } from './app-fixture.js';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

type Mounted = Awaited<ReturnType<typeof mountApp>>;
/** Presses `key` and waits for what it opens, so the next keys go to it (as a person waits to see it). */
async function press(m: Mounted, key: string, shows: string) {
  await m.ui.type(key);
  await waitFor(() => plain(m.ui.lastFrame()), (f) => f.includes(shows));
}

async function firstTurn() {
  const m = await mountApp({ models: MODELS.slice(0, 2) }, { columns: 120, rows: 40 });
  cleanup = m.ui.unmount;
  m.queue().push(delta(0, MODELS[0].id, 'SELECT id FROM customers;'), finish(0, MODELS[0].id), delta(1, MODELS[1].id, 'WITH revenue AS (...)'), finish(1, MODELS[1].id));
  m.queue().end();
  await waitFor(m.ui.lastFrame, (f) => (f.match(/✔ done/g) ?? []).length === 2);
  return m;
}

describe('follow-ups', () => {
  it('f asks every model a follow-up, each with its own conversation so far', async () => {
    const m = await firstTurn();
    await m.ui.type('f');
    expect(plain(m.ui.lastFrame())).toContain('follow-up ›');
    await m.ui.type('Now only customers from Europe', KEY.enter);
    expect(m.rec.calls).toHaveLength(2);
    const call = m.rec.calls[1];
    expect(call.prompt).toBe('Now only customers from Europe');
    expect(call.slots).toEqual(MODELS.slice(0, 2).map((x) => ({ id: x.id })));
    expect(call.history).toEqual([
      [
        { role: 'user', content: PROMPT },
        { role: 'assistant', content: 'SELECT id FROM customers;' },
      ],
      [
        { role: 'user', content: PROMPT },
        { role: 'assistant', content: 'WITH revenue AS (...)' },
      ],
    ]);
  });

  it('the panes show the conversation, and a vote is per turn', async () => {
    const m = await firstTurn();
    await press(m, '2', 'Save a routing rule?');
    await press(m, KEY.esc, 'rule skipped');
    expect(m.votes.map((v) => [v.turn, winnerOf(v)])).toEqual([[1, 'anthropic:claude-haiku-4-5']]);
    await press(m, 'f', 'follow-up ›');
    await m.ui.type('And for Europe?', KEY.enter);
    m.queue().push(delta(0, MODELS[0].id, 'SELECT id FROM customers WHERE region = eu;'), finish(0, MODELS[0].id), delta(1, MODELS[1].id, 'Add WHERE region = eu.'), finish(1, MODELS[1].id));
    m.queue().end();
    const f = plain(await waitFor(m.ui.lastFrame, (x) => x.includes('Add WHERE') && (x.match(/✔ done/g) ?? []).length === 2));
    // Both turns' prompts head their answers in every pane.
    expect(lineWith(f, '› Write a SQL query')).toMatch(/› Write a SQL query.*› Write a SQL query/);
    expect(lineWith(f, '› And for Europe?')).toMatch(/› And for Europe\?.*› And for Europe\?/);
    expect(f).toContain('SELECT id FROM customers;');
    expect(f).toContain('Add WHERE region = eu.');
    expect(f.split('\n')[0]).toContain('(2) And for Europe?');
    // The second turn can be voted on too; the first stays as it was.
    await press(m, '1', 'Save a routing rule?');
    await press(m, KEY.esc, 'rule skipped');
    expect(m.votes.map((v) => [v.turn, winnerOf(v)])).toEqual([
      [1, 'anthropic:claude-haiku-4-5'],
      [2, 'openai:gpt-4o-mini'],
    ]);
    expect(m.votes[1].history[0]).toEqual([
      { role: 'user', content: PROMPT },
      { role: 'assistant', content: 'SELECT id FROM customers;' },
    ]);
    // Every finished turn is handed over for history, in one conversation.
    await waitFor(() => String(m.turns.length), (n) => n === '2');
    expect(m.turns.map((t) => [t.conversation, t.turn, t.prompt])).toEqual([
      ['conv1', 1, PROMPT],
      ['conv1', 2, 'And for Europe?'],
    ]);
  });

  it('n starts a new conversation: no history goes with it', async () => {
    const m = await firstTurn();
    await press(m, 'n', 'new prompt ›');
    await m.ui.type('Something else', KEY.enter);
    expect(m.rec.calls[1].history).toEqual([[], []]);
    m.queue().push(finish(0, MODELS[0].id), finish(1, MODELS[1].id));
    m.queue().end();
    await waitFor(() => String(m.turns.length), (n) => n === '2');
    expect(m.turns.map((t) => t.conversation)).toEqual(['conv1', 'conv2']);
  });

  it('a turn is handed over for history once, when its streams end, with its own answers (again after a retry)', async () => {
    const m = await mountApp({ models: MODELS.slice(0, 2) }, { columns: 120, rows: 40 });
    cleanup = m.ui.unmount;
    m.queue().push(delta(0, MODELS[0].id, 'first A'), finish(0, MODELS[0].id), delta(1, MODELS[1].id, 'first B'), finish(1, MODELS[1].id));
    await waitFor(m.ui.lastFrame, (f) => (f.match(/✔ done/g) ?? []).length === 2);
    // Every column shows done, but the stream has not ended: nothing is handed over yet (also not
    // after the frames a key press draws).
    await press(m, 'f', 'follow-up ›');
    expect(m.turns).toHaveLength(0);
    await m.ui.type(KEY.esc);
    m.queue().end();
    await waitFor(() => String(m.turns.length), (n) => n === '1');
    await press(m, 'f', 'follow-up ›');
    await m.ui.type('second?', KEY.enter);
    // The follow-up's turn is not handed over with the first turn's finished answers.
    expect(m.turns).toHaveLength(1);
    m.queue().push(delta(0, MODELS[0].id, 'second A'), finish(0, MODELS[0].id), fail(1, MODELS[1].id, 'overloaded'));
    m.queue().end();
    await waitFor(() => String(m.turns.length), (n) => n === '2');
    await m.ui.type('r');
    m.queue().push(delta(0, MODELS[1].id, 'second B'), finish(0, MODELS[1].id));
    m.queue().end();
    await waitFor(() => String(m.turns.length), (n) => n === '3');
    expect(m.turns.map((t) => [t.turn, t.results.map((r) => r.text)])).toEqual([
      [1, ['first A', 'first B']],
      [2, ['second A', '']],
      [2, ['second A', 'second B']],
    ]);
  });

  it('a failed model\'s unanswered prompt is joined to the next, and a follow-up waits for the answers', async () => {
    const m = await mountApp({ models: MODELS.slice(0, 2) }, { columns: 120, rows: 40 });
    cleanup = m.ui.unmount;
    m.queue().push(delta(0, MODELS[0].id, 'partial'));
    await waitFor(m.ui.lastFrame, (f) => f.includes('partial'));
    await m.ui.type('f');
    expect(m.ui.lastFrame()).toContain('wait for the answers');
    m.queue().push(finish(0, MODELS[0].id), fail(1, MODELS[1].id, 'overloaded'));
    await waitFor(m.ui.lastFrame, (f) => f.includes('✖ failed'));
    await press(m, 'f', 'follow-up ›');
    await m.ui.type('again?', KEY.enter);
    expect(m.rec.calls[1].history[1]).toEqual([{ role: 'user', content: PROMPT }]);
  });

  it('a resumed conversation shows its stored turns and the first prompt is a follow-up', async () => {
    const { emptyResult } = await import('../../src/core/results.js');
    const a = Object.assign(emptyResult(MODELS[0].id), { text: 'stored answer A', done: true });
    const b = Object.assign(emptyResult(MODELS[1].id), { text: 'stored answer B', done: true });
    const m = await mountApp({ models: MODELS.slice(0, 2), prompt: 'next question', resume: { id: 'cafe0001', turns: [{ prompt: 'old question', results: [a, b] }] } }, { columns: 120, rows: 40 });
    cleanup = m.ui.unmount;
    expect(m.rec.calls[0].history).toEqual([
      [
        { role: 'user', content: 'old question' },
        { role: 'assistant', content: 'stored answer A' },
      ],
      [
        { role: 'user', content: 'old question' },
        { role: 'assistant', content: 'stored answer B' },
      ],
    ]);
    m.queue().push(delta(0, MODELS[0].id, 'new A'), finish(0, MODELS[0].id), finish(1, MODELS[1].id));
    m.queue().end();
    const f = plain(await waitFor(m.ui.lastFrame, (x) => x.includes('new A')));
    expect(f).toContain('› old question');
    expect(f).toContain('stored answer A');
    await waitFor(() => String(m.turns.length), (n) => n === '1');
    expect(m.turns[0]).toMatchObject({ conversation: 'cafe0001', turn: 2, prompt: 'next question' });
  });
});

describe('rendered and raw Markdown', () => {
  it('m switches a pane between rendered Markdown and its source; w writes the source', async () => {
    const m = await mountApp({ models: MODELS.slice(0, 1) }, { columns: 100, rows: 30 });
    cleanup = m.ui.unmount;
    const md = '## Plan\n\n- **first** step\n- second';
    m.queue().push(delta(0, MODELS[0].id, md), finish(0, MODELS[0].id));
    let f = plain(await waitFor(m.ui.lastFrame, (x) => x.includes('✔ done')));
    expect(f).toContain('│ Plan ');
    expect(f).toContain('• first step');
    expect(f).not.toContain('**first**');
    await m.ui.type('m');
    f = plain(m.ui.lastFrame());
    expect(f).toContain('## Plan');
    expect(f).toContain('- **first** step');
    await m.ui.type('m');
    expect(plain(m.ui.lastFrame())).toContain('• first step');
    await press(m, 'w', 'write to ›');
    await m.ui.type(KEY.enter);
    expect(m.writeAnswer).toHaveBeenCalledWith('./mmr-answer-openai-gpt-4o-mini.md', md);
  });

  it('neutralises escape sequences in answers and errors before they reach the terminal', async () => {
    const m = await mountApp({ models: MODELS.slice(0, 2) }, { columns: 100, rows: 30 });
    cleanup = m.ui.unmount;
    m.queue().push(delta(0, MODELS[0].id, 'safe\u001b]52;c;ZXZpbA==\u0007 text \u001b[2J\u001b[31mred'), finish(0, MODELS[0].id), fail(1, MODELS[1].id, 'bad \u001b]0;pwned\u0007 body'));
    const f = await waitFor(m.ui.lastFrame, (x) => x.includes('✖ failed'));
    expect(f).not.toMatch(/\u001b\]|\u001b\[2J|\u0007/);
    expect(plain(f)).toContain('safe text red');
    expect(plain(f)).toContain('bad  body');
  });
});

describe('status lines', () => {
  it('clear themselves: "retrying…" once the retry is over, a write error once the rule dialog opens', async () => {
    const m = await mountApp({ models: MODELS.slice(0, 2), writeAnswer: async () => Promise.reject(new Error('disk full')) });
    cleanup = m.ui.unmount;
    m.queue().push(delta(0, MODELS[0].id, 'ok'), finish(0, MODELS[0].id), fail(1, MODELS[1].id, 'down'));
    await waitFor(m.ui.lastFrame, (f) => f.includes('✖ failed'));
    await m.ui.type('r');
    expect(m.ui.lastFrame()).toContain('retrying 1 model…');
    m.queue().push(delta(0, MODELS[1].id, 'back'), finish(0, MODELS[1].id));
    m.queue().end();
    await waitFor(m.ui.lastFrame, (f) => f.includes('back') && !f.includes('retrying'));
    await press(m, 'w', 'write to ›');
    await m.ui.type(KEY.enter);
    await waitFor(m.ui.lastFrame, (f) => f.includes('could not write'));
    await m.ui.type('1');
    const f = m.ui.lastFrame();
    expect(f).toContain('Save a routing rule?');
    expect(f).not.toContain('could not write');
  });
});
