import { Command, CommanderError, Option } from 'commander';
import { collect, numberFlag, reasoningFlag, withGlobals } from './commands/flags.js';
import { registerRoutingCommands } from './commands/register-routing.js';
import { registerBenchCommands } from './commands/register-bench.js';
import { registerServeCommand } from './commands/register-serve.js';

/** Set by the bundler from package.json. */
declare const __MMR_VERSION__: string;
const VERSION = typeof __MMR_VERSION__ === 'string' ? __MMR_VERSION__ : '0.0.0-dev';

/** Flags shared by every command that calls models. */
export interface CommonFlags {
  config?: string;
  verbose?: boolean;
  quiet?: boolean;
}

function addModelCallOptions(cmd: Command): Command {
  return cmd
    .option('-m, --model <id>', 'model to ask, as provider:model or an alias, optionally with settings: openai:gpt-4o-mini{temperature=0} (repeatable; default: your config or the keys you have set)', collect)
    .option('-s, --system <text>', 'system prompt')
    .option('-t, --temperature <n>', 'sampling temperature (0-2)', numberFlag('--temperature', { min: 0, max: 2 }))
    .option('--max-tokens <n>', 'upper bound on output tokens', numberFlag('--max-tokens', { min: 1, int: true }))
    .option('--reasoning <level>', 'how much reasoning models think: off, low, medium, high, or a budget in tokens (mapped to each provider\'s own setting)', reasoningFlag)
    .option('--vary <key=v1,v2>', 'one column per model and value: temperature, topP, maxTokens, reasoning, or system=@a.txt,@b.txt (repeatable: every combination; at most 24 columns)', collect)
    .option('--timeout <ms>', 'total time allowed per model in ms, retries included', numberFlag('--timeout', { min: 1, int: true }))
    .option('--retries <n>', 'retries for rate limits, overload and network errors (default 2)', numberFlag('--retries', { min: 0, int: true }))
    .option('--router <file>', 'route with this learned router (from `mmr learn`) when no -m is given and no rule matches')
    .option('--tradeoff <t>', 'learned router: 0 = cheapest … 1 = best predicted quality whatever it costs (default: config learned.tradeoff, else the router\'s recommendation)', numberFlag('--tradeoff', { min: 0, max: 1 }))
    .option('--json', 'print one JSON document with every answer, usage, cost and timing (ttftMs/latencyMs of the answering request; wallMs with retries and waits)')
    .option('--jsonl', 'print one JSON record per model as each one finishes (NDJSON)')
    .option('-v, --verbose', 'print which model answered, tokens, cost and timings to stderr')
    .option('-q, --quiet', 'print nothing but the answer and errors');
}

export function buildProgram(): Command {
  const program = new Command('mmr')
    .description('multi-model router: ask several LLMs at once, compare answers, cost and speed, and route by rules')
    .version(VERSION, '-V, --version')
    .option('-c, --config <file>', 'use this config file instead of searching for .routerrc (the only way a .js/.ts config is loaded; a file you name needs no mmr trust)')
    .addOption(new Option('--color', 'force colour on stderr'))
    .addOption(new Option('--no-color', 'no colour (also NO_COLOR set to any value, or TERM=dumb)'))
    // Before any subcommand is added: commander copies this setting into each one at creation.
    .exitOverride()
    .showHelpAfterError('(run mmr --help for usage)')
    .configureOutput({ outputError: (str, write) => write(str) })
    .addHelpText(
      'after',
      `
Examples:
  mmr demo                                  see it work with no API keys (recorded answers, local server)
  mmr ask "Explain CRDTs in one paragraph"  ask your default models
  mmr ask -m openai:gpt-4o-mini -m anthropic:claude-haiku-4-5 --json "2+2?"
  git diff | mmr ask "review this" -m fast  stdin is appended to the prompt as material
  mmr models                                what you can call, with prices and key status
  mmr models --all --search claude          every known model: price, context, callable now
  mmr doctor                                keys, endpoints, reachability, key accepted, config trust
  mmr route "Write a SQL query for ..."     which rule and models a prompt would get, and why
  mmr rules add --name sql --keywords sql,query --use anthropic:claude-haiku-4-5
  mmr bench prompts.yaml -m fast -m smart --suggest-rules   your prompt files, checked, with cost and latency
  mmr bench gsm8k.yaml -m fast --out rows.jsonl --html report.html   a dataset as it is; a report to look at
  mmr report rows.jsonl                     page through a run's answers in the terminal and vote
  mmr trust                                 let this repository's .routerrc run commands / use base URLs (see mmr trust --help)
  mmr serve --port 8787                     your routing behind an OpenAI/Anthropic-compatible URL (model mmr/auto)
  mmr learn rows.jsonl --votes              train a learned router from bench rows and votes (cross-validated report)
  mmr leaderboard                           Bradley–Terry ratings from your votes

Exit codes: 0 every model answered · 1 some failed · 2 usage or config error · 3 none answered
            130 interrupted (Ctrl-C) · 143 terminated · 70 internal error
            (mmr bench has its own: see mmr bench --help)
Keys come from OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, ... and are never written anywhere.`,
    );

  addModelCallOptions(
    program
      .command('ask')
      .description('send a prompt to one or more models; the answer goes to stdout, status to stderr')
      .argument('[prompt...]', 'the prompt; stdin, when piped, is appended after a blank line'),
  )
    .option('-f, --file <path>', 'attach a file (repeatable): an image (PNG, JPEG, GIF, WebP, by its bytes) goes to the models that take images, any other file is text after the prompt', collect)
    .option('--show-reasoning', 'also print the reasoning text models return (before each answer, in <reasoning> tags; a "reasoning" field in --json/--jsonl)')
    .option('--continue [id]', 'go on with a stored conversation (default: the latest; mmr history lists them): each model gets its own earlier answers back')
    .option('--tui', 'open the terminal UI even with CI set (stdout must be a terminal)')
    .option('--no-tui', 'never open the terminal UI; print plain text even in a terminal')
    .option('--blind', 'terminal UI: hide model names, cost and timing and shuffle columns until you vote')
    .addHelpText(
      'after',
      `
In a terminal (stdout a TTY) ask opens the side-by-side UI; piped stdin is read as material and keys
come from the terminal itself (git diff | mmr ask "review this"). --json, --jsonl, --no-tui or a pipe
on stdout print plain output instead.

Timing (the -v line and --json): ttftMs is from the answering request being written to its first
token, latencyMs from then to the end of its stream; neither counts mmr's start-up, checks, retries or
backoff waits. wallMs counts all of that; attempts says how many requests it took. tokensPerSecond is
output tokens over the first-to-last token window, null when that window is under 250 ms.`,
    )
    .action(async (words: string[], flags, cmd: Command) => {
    const { runAsk } = await import('./commands/ask.js');
    return runAsk(words, withGlobals(flags, cmd));
  });

  addModelCallOptions(
    program
      .command('demo')
      .description('run the whole path against mmr\'s own local provider server replaying recorded answers (no keys needed)')
      .argument('[prompt...]', 'a recorded prompt, by its number in --list or its exact text (default: the first); any other prompt is refused'),
  )
    .option('--list', 'list the demo prompts')
    .option('--blind', 'terminal UI: hide model names, cost and timing and shuffle columns until you vote')
    .option('--tui', 'open the terminal UI even with CI set (stdout must be a terminal)')
    .option('--no-tui', 'never open the terminal UI; print plain text even in a terminal')
    .addHelpText(
      'after',
      `
The demo replays recorded answers only: a prompt or a model (-m) it has no recording for is refused
with exit 2, naming the recorded ones. Votes in the demo are not recorded and no rule is saved.`,
    )
    .action(async (words: string[], flags, cmd: Command) => {
      const { runDemo } = await import('./commands/demo.js');
      return runDemo(words, withGlobals(flags, cmd));
    });

  const history = program
    .command('history')
    .description('recent conversations and votes from the terminal UI: time, id, winner, models, prompt')
    .option('-n, --limit <n>', 'how many entries', numberFlag('--limit', { min: 1, int: true }), 20)
    .option('--json', 'the vote log as JSON lines, as stored')
    .action(async (flags) => {
      const { runHistory } = await import('./commands/history.js');
      return runHistory(flags);
    });
  history
    .command('show')
    .description('print a whole conversation: every turn, each model\'s answer (raw markdown) and the vote')
    .argument('[id]', 'conversation id or a prefix of it (default: the latest)')
    .option('--json', 'the conversation as one JSON document')
    .action(async (id: string | undefined, flags, cmd: Command) => {
      const { runHistoryShow } = await import('./commands/history.js');
      // `history show --json`: the parent command also has --json and sees it first.
      return runHistoryShow(id, withGlobals(flags, cmd));
    });

  program
    .command('models')
    .description('list the models you can call: aliases, price per million tokens, whether the key is set (--all: every model known)')
    .option('--all', 'every model the price data knows, merged with each provider\'s live listing when its key is set: callable now, price, context window')
    .option('--provider <id>', 'with --all: only this provider (implies --all)')
    .option('--search <text>', 'with --all: only ids containing this text (implies --all)')
    .option('--refresh', 'with --all: ask the providers again instead of using listings cached in the last 15 minutes')
    .option('--json', 'print JSON')
    .option('--no-probe', 'do not look for a local Ollama server')
    .action(async (flags, cmd: Command) => {
      const { runModels } = await import('./commands/models.js');
      return runModels(withGlobals(flags, cmd));
    });

  registerRoutingCommands(program);
  registerBenchCommands(program);
  registerServeCommand(program);

  program
    .command('doctor')
    .description('check every provider (key set, base URL, reachable, key accepted via its models listing: never a paid call) and your config files\' trust state')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit 0 when all is well, 1 when something needs fixing (each failing item is printed with its fix).\nProviders without a key and local servers that are not running are reported, not failures.')
    .action(async (flags, cmd: Command) => {
      const { runDoctor } = await import('./commands/doctor.js');
      process.exitCode = await runDoctor(withGlobals(flags, cmd));
    });

  program
    .command('trust')
    .description('let a project config file use privileged settings (commands, base URLs, key variables, headers, env); records its path and SHA-256')
    .argument('[file]', 'the config file (default: the one mmr finds from the current directory)')
    .option('--list', 'list trusted files, each trusted, changed (edited since) or missing')
    .option('--revoke <file>', 'forget a trusted file')
    .option('--json', 'with --list: print JSON')
    .addHelpText(
      'after',
      `
A config file found by searching (.routerrc*, package.json "router") is the repository's, not
yours: settings that run programs or send keys elsewhere apply only once you trust its exact
content. Editing it untrusts it. Your user file and --config FILE never need trust.

Examples:
  mmr trust                      trust the .routerrc mmr finds from here (prints what it allows)
  mmr trust --list
  mmr trust --revoke .routerrc.yaml`,
    )
    .action(async (file: string | undefined, flags) => {
      const { runTrust } = await import('./commands/trust.js');
      return runTrust(file, flags);
    });

  return program;
}

/** The only place that prints a top-level error and exits. */
export async function main(argv = process.argv): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // A closed pipe (`mmr ask ... | head -1`) is the reader saying it has enough.
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    if (process.exitCode === undefined) process.exitCode = 0;
  } catch (err) {
    process.exitCode = await reportError(err);
  }
}

async function reportError(err: unknown): Promise<number> {
  if (err instanceof CommanderError) {
    // Commander already printed its message (help, version, or a usage error).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    if (err.code === 'mmr.invalidNumber') process.stderr.write(`mmr: ${err.message.replace(/^error: /, '')}\n`);
    return 2;
  }
  const [{ MmrError }, { neutralize, neutralizeLine }] = await Promise.all([import('./core/errors.js'), import('./core/terminal-safe.js')]);
  const debug = process.env.MMR_DEBUG === '1';
  // Messages quote outside text (file contents, server replies, model names): never raw to the terminal.
  if (err instanceof MmrError) {
    process.stderr.write(`mmr: ${neutralize(err.message)}\n`);
    if (err.hint) process.stderr.write(`  hint: ${neutralize(err.hint)}\n`);
    if (debug && err.stack) process.stderr.write(`${neutralize(err.stack)}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mmr: unexpected error: ${neutralizeLine(message)}\n`);
  process.stderr.write(debug && err instanceof Error && err.stack ? `${neutralize(err.stack)}\n` : '  (set MMR_DEBUG=1 for a stack trace; please report it)\n');
  return 70; // EX_SOFTWARE: a bug in mmr, distinct from any model's failure
}
