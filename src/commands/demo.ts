import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedConfig } from '../config/types.js';
import { UsageError } from '../core/errors.js';
import type { CallFlags } from '../session/open.js';
import type { DemoAnswers, DemoPrompt } from '../mock-server/index.js';
import { openTerminalKeys, tuiPlan } from './tui-plan.js';

/** The demo's key: the local server checks it, so the real auth path runs too. Not a secret. */
const DEMO_KEY = 'mmr-demo-key';

/** fixtures/demo/answers.json, found from the running file (src/commands in dev, dist/ or dist/chunks when built). */
export function demoAnswersPath(from = fileURLToPath(import.meta.url)): string {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'fixtures/demo/answers.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('fixtures/demo/answers.json is missing from this installation');
  }
}

/** Relative when the file is under the current directory, else absolute. */
const displayPath = (file: string) => {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
};

export interface DemoFlags extends CallFlags {
  list?: boolean;
  /** Hide names, cost and timing until the vote (terminal UI). */
  blind?: boolean;
}

/**
 * The whole real path — config, fan-out, HTTP, streaming, usage, cost, output — against mmr's
 * own local provider server replaying answers shipped with mmr. Nothing leaves the machine.
 */
export async function runDemo(words: string[], flags: DemoFlags): Promise<void> {
  const { startMockServer, demoReply, loadDemoAnswers, defaultDemoPrompt } = await import('../mock-server/index.js');
  const file = demoAnswersPath();
  const answers = loadDemoAnswers(file);
  if (flags.list) {
    process.stdout.write(answers.prompts.map((p, i) => `${i + 1}. ${p.prompt}`).join('\n') + '\n');
    return;
  }
  const asked = words.join(' ').trim();
  const entry = pickDemoPrompt(answers, asked);
  const prompt = entry.prompt;
  const recorded = Object.keys(entry.answers);
  const unknown = (flags.model ?? []).filter((m) => !recorded.includes(m));
  if (unknown.length) {
    throw new UsageError(
      `the demo has no recording of ${unknown.join(', ')} for this prompt; it has ${recorded.join(', ')}`,
      'pick from those with -m, or use mmr ask with your own keys for any model',
    );
  }

  const timeScale = Number(process.env.MMR_DEMO_TIME_SCALE ?? 1);
  const server = await startMockServer({ apiKey: DEMO_KEY, reply: (req) => demoReply(answers, req, { timeScale }) });
  let keys: ReturnType<typeof openTerminalKeys> | undefined;
  try {
    const { emptyLoadedConfig } = await import('../config/load.js');
    const loaded: LoadedConfig = emptyLoadedConfig();
    loaded.config.providers = {
      openai: { baseUrl: server.baseUrls.openai },
      anthropic: { baseUrl: server.baseUrls.anthropic },
      gemini: { baseUrl: server.baseUrls.gemini },
      ollama: { baseUrl: server.baseUrls.ollama },
    };
    const env = { OPENAI_API_KEY: DEMO_KEY, ANTHROPIC_API_KEY: DEMO_KEY, GEMINI_API_KEY: DEMO_KEY };
    const models = flags.model?.length ? flags.model : recorded;
    if (!flags.quiet) {
      process.stderr.write(
        `mmr demo: these answers are recorded (${displayPath(file)}), replayed by mmr's local provider server at ${server.url}.\n` +
          `The path is real — HTTP, streaming, parsing, timing, usage, cost — and the costs are what these models would charge for these tokens.\n` +
          `Votes in the demo are not recorded and no rule is saved. With your own keys: mmr ask "your prompt" (mmr models shows what you can call).\n\n`,
      );
    }
    const { openSession } = await import('../session/open.js');
    const { runComparison } = await import('./ask.js');
    const session = await openSession({ ...flags, model: models, config: undefined }, { env, loaded });
    let plan = tuiPlan(flags, { stdin: process.stdin, stdout: process.stdout, env: process.env });
    if (!plan.tui && plan.note && !flags.quiet) process.stderr.write(`mmr: ${plan.note}\n`);
    keys = plan.tui && plan.keys === 'tty' ? openTerminalKeys() : undefined;
    if (keys && 'error' in keys) plan = { tui: false };
    if (plan.tui) {
      const { runInteractiveAsk } = await import('./interactive.js');
      const stdin = keys && 'stream' in keys ? (keys.stream as unknown as NodeJS.ReadStream) : undefined;
      process.exitCode = await runInteractiveAsk(session, prompt, { routeNote: 'demo: recorded answers', demo: true, stdin, color: flags.color, blind: flags.blind });
      return;
    }
    process.exitCode = await runComparison(session, prompt, flags, { demo: true });
  } finally {
    if (keys && 'close' in keys) keys.close();
    await server.close();
  }
}

const normalize = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * The recorded prompt the words name: a number from --list, or a prompt's exact text (case and
 * spacing aside); none given is the first. Anything else is refused: the demo can only replay.
 */
export function pickDemoPrompt(answers: DemoAnswers, asked: string): DemoPrompt {
  if (!asked) return answers.prompts[0];
  const listing = answers.prompts.map((p, i) => `  ${i + 1}. ${p.prompt}`).join('\n');
  if (/^\d+$/.test(asked)) {
    const byNumber = answers.prompts[Number(asked) - 1];
    if (!byNumber) throw new UsageError(`there is no demo prompt ${asked}; the recorded ones are:\n${listing}`, 'mmr demo 2, or mmr demo --list');
    return byNumber;
  }
  const exact = answers.prompts.find((p) => normalize(p.prompt) === normalize(asked));
  if (!exact) {
    throw new UsageError(`the demo only replays recorded answers, and has none for "${asked}"; the recorded prompts are:\n${listing}`, 'mmr demo N picks one; mmr ask "…" asks your own prompt with your own keys');
  }
  return exact;
}
