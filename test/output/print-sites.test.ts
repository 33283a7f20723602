/**
 * Every command that prints outside text (config values, vote-log lines, model names, prompts)
 * neutralises it for the terminal, and its --json stays the same JSON value with no raw controls.
 */
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyLines } from '../../src/commands/history.js';
import { formatModels, type ModelRow } from '../../src/commands/models.js';
import { runRoute, type RoutingDeps } from '../../src/commands/route.js';
import { runRulesList, runRulesTest } from '../../src/commands/rules.js';
import type { VoteEntry } from '../../src/history/votes.js';
import { sandbox, type Sandbox } from '../config/sandbox.js';

/** Anything a terminal would act on: C0 but tab/newline, DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

// YAML double-quoted escapes: \e is ESC, \a is BEL, \x9b is the 8-bit CSI.
const HOSTILE_CONFIG = `default: ["openai:gpt-4o-mini"]
aliases:
  "fast\\e]0;alias\\a": openai:gpt-4o-mini
rules:
  - name: "sql\\e]0;owned title\\a\\e[2J"
    when:
      keywords: ["sql\\x9b31m"]
    use: "openai:gpt\\e[5m"
`;

/** No piped prompt: stdin looks like a terminal, so only the arguments are read. */
const noStdin = () => Object.assign(Readable.from([]), { isTTY: true }) as unknown as NodeJS.ReadStream;

let sb: Sandbox;
let out = '';
let deps: RoutingDeps;
beforeEach(async () => {
  sb = await sandbox();
  await sb.write('home/project/.routerrc.yaml', HOSTILE_CONFIG);
  out = '';
  const stdout = { write: (s: string) => (out += s) };
  deps = { env: sb.env, cwd: sb.project, stdout, stdin: noStdin() };
});
afterEach(() => sb.cleanup());

describe('print sites that echo config values and prompts', () => {
  it('mmr route shows the rule, keywords and models without their control characters', async () => {
    const d = (await runRoute(['a sql\x9b31m question \x1b]52;c;eA==\x07'], {}, deps))!;
    expect(d.rule).toBe('sql\x1b]0;owned title\x07\x1b[2J');
    expect(out).not.toMatch(CONTROL);
    expect(out).toContain('rule     sql\n');
  });

  it('mmr route --json is the same value with DEL and C1 escaped', async () => {
    await runRoute(['a sql\x9b31m question'], { json: true }, deps);
    expect(out).not.toMatch(CONTROL);
    expect(JSON.parse(out).rule).toBe('sql\x1b]0;owned title\x07\x1b[2J');
  });

  it('mmr rules list and rules test neutralise names, conditions, models and prompts', async () => {
    await runRulesList({}, deps);
    expect(out).toMatch(/^1 +sql +/m);
    expect(out).not.toMatch(CONTROL);
    out = '';
    const cases = await sb.write('home/project/cases.yaml', '- prompt: "plain \\e]0;x\\a prompt"\n  expect: openai:other\n');
    const results = await runRulesTest(cases, {}, deps);
    expect(results[0].pass).toBe(false);
    expect(out).toContain('"plain prompt"');
    expect(out).not.toMatch(CONTROL);
  });
});

describe('mmr history and mmr models', () => {
  const entry = (over: Partial<VoteEntry>): VoteEntry => ({ time: '2025-06-01T10:00:00.000Z', prompt: 'p', models: ['a:b', 'c:d'], winner: 'a:b', blind: false, results: [], ...over });

  it('history lines carry no control characters from the log', () => {
    const lines = historyLines([entry({ prompt: 'hi \x1b]0;title\x07 there\x9b2J', winner: 'a:b\x1b[2J', models: ['a:b\x1b[2J', 'c:d\x07'] }), entry({ time: '\x1b[2Jnot a date' })]);
    for (const line of lines) expect(line).not.toMatch(CONTROL);
    expect(lines[0]).toContain('✔ a:b over c:d  "hi there"');
  });

  it('a hand-edited entry with a missing prompt or an odd winner prints instead of crashing', () => {
    const odd = { ...entry({}), prompt: null, winner: 42 } as unknown as VoteEntry;
    expect(historyLines([odd])[0]).toMatch(/✔ 42 over a:b, c:d {2}""$/);
  });

  it('model table cells carry no control characters, and columns still line up', () => {
    const row: ModelRow = {
      model: 'ollama:llama\x1b]0;pwn\x07',
      aliases: ['x\x1b[31m'],
      isDefault: true,
      inputPerMTok: 0,
      outputPerMTok: 0,
      contextWindow: null,
      local: true,
      keySet: true,
      keyEnv: [],
      error: null,
    };
    const text = formatModels([row, { ...row, model: 'openai:bad', error: 'bad \x9b2J thing' }]);
    expect(text).not.toMatch(CONTROL);
    const [head, first] = text.split('\n');
    expect(first.indexOf('x ')).toBe(head.indexOf('ALIASES'));
  });
});
