import { describe, expect, it } from 'vitest';
import { commandAdapter, commandArgv } from '../../src/providers/command.js';
import type { ProviderEvent } from '../../src/core/types.js';
import type { ProviderSpec } from '../../src/providers/provider.js';

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
