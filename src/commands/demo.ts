import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedConfig } from '../config/types.js';
import { UsageError } from '../core/errors.js';
import type { CallFlags } from './session.js';

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
  const byNumber = /^\d+$/.test(asked) ? answers.prompts[Number(asked) - 1]?.prompt : undefined;
  if (/^\d+$/.test(asked) && !byNumber) throw new UsageError(`there is no demo prompt ${asked}`, 'mmr demo --list shows them');
  const prompt = byNumber ?? (asked || defaultDemoPrompt(answers));
  const entry = answers.prompts.find((p) => p.prompt === prompt) ?? answers.prompts[0];

  const timeScale = Number(process.env.MMR_DEMO_TIME_SCALE ?? 1);
  const server = await startMockServer({ apiKey: DEMO_KEY, reply: (req) => demoReply(answers, req, { timeScale }) });
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
    const models = flags.model?.length ? flags.model : Object.keys(entry.answers);
    if (!flags.quiet) {
      process.stderr.write(
        `mmr demo: these answers are recorded (${displayPath(file)}), replayed by mmr's local provider server at ${server.url}.\n` +
          `The path is real — HTTP, streaming, parsing, timing, usage, cost — and the costs are what these models would charge for these tokens.\n` +
          `With your own keys: mmr ask "your prompt" (mmr models shows what you can call).\n\n`,
      );
    }
    const { openSession } = await import('./session.js');
    const { runComparison, wantsTui } = await import('./ask.js');
    const session = await openSession({ ...flags, model: models, config: undefined }, { env, loaded });
    if (wantsTui(flags)) {
      const { runInteractiveAsk } = await import('./interactive.js');
      process.exitCode = await runInteractiveAsk(session, prompt, { routeNote: 'demo: recorded answers' });
      return;
    }
    process.exitCode = await runComparison(session, prompt, flags, { demo: true });
  } finally {
    await server.close();
  }
}
