import { afterEach, describe, expect, it } from 'vitest';
import { delta, fail, finish, KEY, tick, waitFor } from './helpers.js';
import { lineWith, MODELS, mountApp, PROMPT, winnerOf } from './app-fixture.js';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

/** Mounts and finishes slot 0 and 1, fails slot 2. */
async function answered(over = {}) {
  const m = await mountApp(over);
  cleanup = m.ui.unmount;
  m.queue().push(
    delta(0, MODELS[0].id, 'SELECT id FROM customers;'),
    finish(0, MODELS[0].id),
    delta(1, MODELS[1].id, 'WITH revenue AS (...)'),
    finish(1, MODELS[1].id),
    fail(2, MODELS[2].id, 'connection refused'),
  );
  m.queue().end();
  await waitFor(m.ui.lastFrame, (f) => f.includes('✖ failed') && !f.includes('streaming'));
  return m;
}

describe('App keys', () => {
  it('1 picks the first column: the vote is logged and the rule dialog opens for that model', async () => {
    const m = await answered();
    await m.ui.type('1');
    expect(m.votes).toHaveLength(1);
    // The UI hands over what was voted on; the caller builds the log entry (commands/interactive.ts).
    expect(m.votes[0]).toMatchObject({ prompt: PROMPT, winner: 0, blind: false, turn: 1, conversation: 'conv1', history: [[], [], []] });
    expect(winnerOf(m.votes[0])).toBe('openai:gpt-4o-mini');
    expect(m.votes[0].results.map((r) => r.model)).toEqual(MODELS.map((x) => x.id));
    expect(m.votes[0].results[2]).toMatchObject({ model: 'ollama:qwen2.5-coder', error: { message: 'connection refused' }, costUsd: null });
    expect(m.votes[0].results[0]).toMatchObject({ costUsd: 0.00012, latencyMs: 1400, ttftMs: 400, usage: { outputTokens: 40 }, error: null });
    const f = m.ui.lastFrame();
    expect(f).toContain('✔ openai:gpt-4o-mini wins. Save a routing rule?');
    expect(f).toContain('file:      ./.routerrc.yaml');
  });

  it('0 logs "none good" without a rule dialog, and a second vote is refused', async () => {
    const m = await answered();
    await m.ui.type('0');
    expect(m.votes.map(winnerOf)).toEqual([null]);
    expect(m.ui.lastFrame()).not.toContain('Save a routing rule');
    expect(m.ui.lastFrame()).toContain('none was good');
    await m.ui.type('2');
    expect(m.votes).toHaveLength(1);
    expect(m.ui.lastFrame()).toContain('already voted');
  });

  it('refuses a failed column as the winner', async () => {
    const m = await answered();
    await m.ui.type('3');
    expect(m.votes).toHaveLength(0);
    expect(m.ui.lastFrame()).toContain('column 3 failed');
  });

  it('r restarts only the failed slots, and their answer lands in the right column', async () => {
    const m = await answered();
    await m.ui.type('r');
    expect(m.rec.calls).toHaveLength(2);
    expect(m.rec.calls[1].prompt).toBe(PROMPT);
    expect(m.rec.calls[1].slots).toEqual([{ id: 'ollama:qwen2.5-coder' }]);
    // The retry stream's slot 0 is the comparison's slot 2.
    m.queue().push(delta(0, 'ollama:qwen2.5-coder', 'SELECT 42;'), finish(0, 'ollama:qwen2.5-coder'));
    const f = await waitFor(m.ui.lastFrame, (x) => !x.includes('✖ failed') && x.includes('SELECT 42;'));
    expect(lineWith(f, '3 ollama')).toMatch(/3 ollama:qwen2.5-coder\s+✔ done/);
    expect(f).toContain('SELECT id FROM customers;');
  });

  it('r with nothing failed says so and starts nothing', async () => {
    const m = await mountApp();
    cleanup = m.ui.unmount;
    m.queue().push(finish(0, MODELS[0].id), finish(1, MODELS[1].id), finish(2, MODELS[2].id));
    await tick(30);
    await m.ui.type('r');
    expect(m.rec.calls).toHaveLength(1);
    expect(m.ui.lastFrame()).toContain('nothing to retry');
  });

  it('n asks a new prompt of the same models and keeps a session total', async () => {
    const m = await answered();
    await m.ui.type('n');
    expect(m.ui.lastFrame()).toContain('new prompt ›');
    await m.ui.type('Explain CTEs');
    await m.ui.type(KEY.enter);
    expect(m.rec.calls).toHaveLength(2);
    expect(m.rec.calls[0].signal.aborted).toBe(false);
    expect(m.rec.calls[1]).toMatchObject({ prompt: 'Explain CTEs', slots: MODELS.map((x) => ({ id: x.id })) });
    m.queue().push(finish(0, MODELS[0].id, { cost: 0.001 }));
    const top = (await waitFor(m.ui.lastFrame, (f) => f.includes('$0.0010 ·'))).split('\n')[0];
    expect(top).toContain('Explain CTEs');
    expect(top).toContain('$0.0010 · session $0.0012');
  });

  it('a new prompt cancels a comparison still streaming', async () => {
    const m = await mountApp();
    cleanup = m.ui.unmount;
    await m.ui.type('n', 'next', KEY.enter);
    expect(m.rec.calls[0].signal.aborted).toBe(true);
    expect(m.rec.calls[1].signal.aborted).toBe(false);
  });

  it('q quits with 0 and Ctrl-C with 130, cancelling requests in flight', async () => {
    const a = await mountApp();
    await a.ui.type('q');
    expect(a.exits).toEqual([0]);
    expect(a.rec.calls[0].signal.aborted).toBe(true);
    a.ui.unmount();
    const b = await mountApp();
    cleanup = b.ui.unmount;
    await b.ui.type('n', 'typing q is text here');
    expect(b.exits).toEqual([]);
    await b.ui.type(KEY.ctrlC);
    expect(b.exits).toEqual([130]);
    expect(b.rec.calls[0].signal.aborted).toBe(true);
  });

  it('w writes the focused answer to the proposed file', async () => {
    const m = await answered();
    await m.ui.type(KEY.right, 'w');
    expect(m.ui.lastFrame()).toContain('write to › ./mmr-answer-anthropic-claude-haiku-4-5.md');
    await m.ui.type(KEY.enter);
    expect(m.writeAnswer).toHaveBeenCalledWith('./mmr-answer-anthropic-claude-haiku-4-5.md', 'WITH revenue AS (...)');
    await waitFor(m.ui.lastFrame, (f) => f.includes('✔ wrote ./mmr-answer-anthropic-claude-haiku-4-5.md'));
  });

  it('e expands the focused answer full screen and Esc goes back; ? shows every key', async () => {
    const m = await answered();
    await m.ui.type(KEY.tab, 'e');
    let f = m.ui.lastFrame();
    expect(f).toContain('2 anthropic:claude-haiku-4-5');
    expect(f).not.toContain('1 openai:gpt-4o-mini');
    expect(f.split('\n').length).toBeGreaterThanOrEqual(26);
    await m.ui.type(KEY.esc);
    f = m.ui.lastFrame();
    expect(f).toContain('1 openai:gpt-4o-mini');
    await m.ui.type('?');
    expect(m.ui.lastFrame()).toContain('retry the models that failed');
    await m.ui.type('?');
    expect(m.ui.lastFrame()).toContain('1-9 pick');
  });

  it('without a keyboard, ends by itself once every answer is in', async () => {
    const m = await mountApp({ interactive: false });
    cleanup = m.ui.unmount;
    m.queue().push(finish(0, MODELS[0].id), finish(1, MODELS[1].id));
    await tick(30);
    expect(m.exits).toEqual([]);
    m.queue().push(fail(2, MODELS[2].id, 'x'));
    m.queue().end();
    await waitFor(() => String(m.exits.length), (n) => n === '1');
    expect(m.exits).toEqual([0]);
  });
});

describe('blind mode', () => {
  // random() = 0 makes Fisher–Yates rotate: display order is slot 1, 2, 0.
  const blind = { blind: true, random: () => 0 };

  it('hides names and shuffles columns until the vote, then reveals them', async () => {
    const m = await mountApp(blind);
    cleanup = m.ui.unmount;
    m.queue().push(delta(0, MODELS[0].id, 'answer-from-zero'), delta(1, MODELS[1].id, 'answer-from-one'), delta(2, MODELS[2].id, 'answer-from-two'));
    let f = await waitFor(m.ui.lastFrame, (x) => x.includes('answer-from-two'));
    const body = lineWith(f, 'answer-from-');
    expect(body.indexOf('answer-from-one')).toBeLessThan(body.indexOf('answer-from-two'));
    expect(body.indexOf('answer-from-two')).toBeLessThan(body.indexOf('answer-from-zero'));
    m.queue().push(finish(0, MODELS[0].id), finish(1, MODELS[1].id), fail(2, MODELS[2].id, 'connection refused at 127.0.0.1:11434', 'is Ollama running? start it with `ollama serve`'));
    f = await waitFor(m.ui.lastFrame, (x) => x.includes('✖ failed'));
    for (const { id } of MODELS) expect(f).not.toContain(id);
    expect(lineWith(f, '1 Model A')).toMatch(/1 Model A.*2 Model B.*3 Model C/);
    expect(f.split('\n')[0]).toContain('blind');
    // Nothing that gives a column away before the vote: no cost, tokens or timing, and an error
    // that names no provider, host or command.
    expect(f).not.toMatch(/\$0\.|ttft|tok\/s|→\d+ tok/);
    expect(f).toContain('cost and timing after your vote');
    expect(f).toContain('✖ network error · details after your');
    expect(f).not.toMatch(/ollama|11434/i);

    await m.ui.type('1');
    expect(m.votes[0]).toMatchObject({ blind: true });
    expect(winnerOf(m.votes[0])).toBe('anthropic:claude-haiku-4-5');
    f = m.ui.lastFrame();
    // After the vote, everything.
    expect(f).toContain('ttft 400ms');
    expect(f).toContain('is Ollama running?');
    expect(f).toContain('✔ anthropic:claude-haiku-4-5 wins');
    expect(lineWith(f, '1 (A) ')).toMatch(/1 \(A\) \S*claude-haiku.*2 \(B\) \S*qwen2\.5-.*3 \(C\) \S*gpt-4o-mi/);
  });

  it('keeps the default file name of `w` anonymous before the vote', async () => {
    const m = await mountApp(blind);
    cleanup = m.ui.unmount;
    m.queue().push(delta(1, MODELS[1].id, 'text'));
    await waitFor(m.ui.lastFrame, (x) => x.includes('text'));
    await m.ui.type('w');
    expect(m.ui.lastFrame()).toContain('./mmr-answer-model-a.md');
  });
});

describe('reasoning', () => {
  const thought = (slot: number, modelId: string, text: string) => ({ type: 'reasoning-delta' as const, text, slot, modelId });

  it('is one collapsed line beside the answer; t shows the text and hides it again', async () => {
    const m = await mountApp({}, { columns: 160, rows: 30 });
    cleanup = m.ui.unmount;
    m.queue().push(thought(0, MODELS[0].id, 'The user wants revenue per customer, so GROUP BY.'), delta(0, MODELS[0].id, 'SELECT 1;'), finish(0, MODELS[0].id));
    let f = await waitFor(m.ui.lastFrame, (x) => x.includes('SELECT 1;') && x.includes('✔ done'));
    expect(lineWith(f, '▸ reasoning')).toContain('49 chars · t to show');
    expect(f).not.toContain('GROUP BY');
    await m.ui.type('t');
    f = await waitFor(m.ui.lastFrame, (x) => x.includes('GROUP BY'));
    expect(f).toContain('▾ reasoning · t to hide');
    expect(f).toContain('SELECT 1;');
    await m.ui.type('t');
    f = await waitFor(m.ui.lastFrame, (x) => !x.includes('GROUP BY'));
    expect(f).toContain('▸ reasoning');
  });

  it('stays out of sight in blind mode until the vote', async () => {
    const m = await mountApp({ blind: true }, { columns: 160, rows: 30 });
    cleanup = m.ui.unmount;
    m.queue().push(thought(0, MODELS[0].id, 'hidden chain of thought'), delta(0, MODELS[0].id, 'answer A'), finish(0, MODELS[0].id));
    const f = await waitFor(m.ui.lastFrame, (x) => x.includes('answer A'));
    expect(f).not.toContain('reasoning');
    await m.ui.type('t');
    expect(m.ui.lastFrame()).not.toContain('hidden chain of thought');
  });
});
