import { describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { commandAdapter, commandArgv } from '../../src/providers/command.js';
import type { ProviderEvent } from '../../src/core/types.js';
import type { ProviderSpec } from '../../src/providers/provider.js';
import { groupAlive, KILL_GRACE_MS } from '../../src/providers/process-group.js';

const spec = (command: string[], over: Partial<ProviderSpec> = {}): ProviderSpec => ({
  id: 'command',
  protocol: 'command',
  baseUrl: '',
  keyEnv: [],
  needsKey: false,
  command,
  ...over,
});

async function collect(s: ProviderSpec, prompt: string, signal = new AbortController().signal, model = 'echo') {
  const events: ProviderEvent[] = [];
  for await (const ev of commandAdapter.stream(s, { model, messages: [{ role: 'user', content: prompt }], system: 'be brief' }, { signal })) events.push(ev);
  return events;
}

const node = process.execPath;

describe('command adapter', () => {
  it('sends the prompt on stdin and streams stdout as the answer', async () => {
    const script = "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{process.stdout.write(s.toUpperCase()+'|'+process.env.MMR_SYSTEM+'|'+process.env.MMR_MODEL)})";
    const events = await collect(spec([node, '-e', script]), 'héllo; $(rm -rf /) `x`', undefined, 'mymodel');
    const textOut = events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text).join('');
    // The prompt reached the program as data: no shell ever saw it.
    expect(textOut).toBe('HÉLLO; $(RM -RF /) `X`|be brief|mymodel');
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'stop' }, usage: { inputTokens: null, outputTokens: null } });
  });

  it('streams output as the program writes it, before it exits', async () => {
    const script = "process.stdout.write('one ');setTimeout(()=>process.stdout.write('two'),150)";
    const seen: number[] = [];
    const t0 = performance.now();
    for await (const ev of commandAdapter.stream(spec([node, '-e', script]), { model: 'x', messages: [{ role: 'user', content: '' }] }, { signal: new AbortController().signal })) {
      if (ev.type === 'text-delta') seen.push(performance.now() - t0);
    }
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[1] - seen[0]).toBeGreaterThan(50);
  });

  it('reports a non-zero exit with the end of stderr', async () => {
    const events = await collect(spec([node, '-e', "console.error('model not loaded');process.exit(3)"]), 'x');
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { kind: 'command', retryable: false } });
    const last = events.at(-1) as Extract<ProviderEvent, { type: 'error' }>;
    expect(last.error.message).toMatch(/exited with code 3: model not loaded/);
  });

  it('reports a missing program and a missing command clearly', async () => {
    const missing = await collect(spec(['/nonexistent/mmr-no-such-program']), 'x');
    expect((missing.at(-1) as Extract<ProviderEvent, { type: 'error' }>).error.message).toMatch(/mmr-no-such-program/);
    const none = await collect(spec([]), 'x');
    expect(none.at(-1)).toMatchObject({ type: 'error', error: { kind: 'config' } });
  });

  it('kills the program when aborted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const events = await collect(spec([node, '-e', 'setTimeout(()=>{},10000)']), 'x', ac.signal);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { kind: 'aborted' } });
  });

  it('substitutes {model} in argv', () => {
    expect(commandArgv(spec(['llm', '-m', '{model}', '--x={model}']), 'gpt')).toEqual(['llm', '-m', 'gpt', '--x=gpt']);
  });
});

/** The pid the program printed on its first line: with detached spawning it is also the group id. */
function pidFrom(events: ProviderEvent[]): number {
  const text = events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text).join('');
  return Number(/^(\d+)/.exec(text)?.[1]);
}

describe('command adapter: the process group', () => {
  // sh ignores SIGTERM, and so does its background child (an ignored signal stays ignored across exec).
  const stubborn = ['sh', '-c', 'trap "" TERM; echo $$; sleep 60 & wait'];

  it('ends the whole group on abort, SIGKILL after the grace when SIGTERM is ignored', async () => {
    const ac = new AbortController();
    const events: ProviderEvent[] = [];
    const t0 = performance.now();
    for await (const ev of commandAdapter.stream(spec(stubborn), { model: 'x', messages: [{ role: 'user', content: '' }] }, { signal: ac.signal })) {
      events.push(ev);
      if (ev.type === 'text-delta') ac.abort();
    }
    const pgid = pidFrom(events);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { kind: 'aborted' } });
    // Far below the 60 s the grandchild would have kept stdout open.
    expect(performance.now() - t0).toBeLessThan(KILL_GRACE_MS + 8000);
    expect(pgid).toBeGreaterThan(1);
    expect(groupAlive(pgid)).toBe(false);
  });

  it('does not wait for a background grandchild that holds stdout after the program exited', async () => {
    const events = await collect(spec(['sh', '-c', 'echo $$; trap "" TERM; sleep 60 & echo done']), 'x');
    expect(events.at(-1)).toMatchObject({ type: 'finish' });
    const pgid = pidFrom(events);
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text).join('')).toBe(`${pgid}\ndone\n`);
    // The leftover sleep is ended (SIGTERM ignored → SIGKILL after the grace), not left as an orphan.
    await until(() => !groupAlive(pgid), KILL_GRACE_MS + 8000);
  });

  it('stops a program whose output exceeds limits.maxAnswerBytes, and ends its group', async () => {
    const flood = "process.stdout.write(process.pid+'\\n');const b=Buffer.alloc(65536,97);(function w(){process.stdout.write(b,w)})()";
    const events = await collect(spec([node, '-e', flood], { limits: { maxAnswerBytes: 1024 * 1024 } }), 'x');
    const last = events.at(-1) as Extract<ProviderEvent, { type: 'error' }>;
    expect(last.error).toMatchObject({ kind: 'bad-response', code: 'answer-too-large', retryable: false });
    expect(last.error.message).toMatch(/exceeded 1 MiB \(limits\.maxAnswerBytes\)/);
    const shown = events.filter((e) => e.type === 'text-delta').reduce((n, e) => n + Buffer.byteLength((e as { text: string }).text), 0);
    expect(shown).toBeLessThanOrEqual(1024 * 1024);
    expect(groupAlive(pidFrom(events))).toBe(false);
  });

  it('keeps only the end of a flood of stderr', async () => {
    const script = "for(let i=0;i<20000;i++)process.stderr.write('noise line '+i+'\\n');process.stderr.write('the real reason\\n');process.exitCode=2";
    const events = await collect(spec([node, '-e', script]), 'x');
    const last = events.at(-1) as Extract<ProviderEvent, { type: 'error' }>;
    expect(last.error.message).toMatch(/exited with code 2: noise line 19996\nnoise line 19997\nnoise line 19998\nnoise line 19999\nthe real reason$/);
  });
});

