/**
 * `mmr bench`, `mmr report` and `mmr cache` for commander. Only the wiring lives here: each action loads
 * its command module with import() when it runs, so start-up pays for none of it.
 */
import type { Command } from 'commander';
import { collect, numberFlag, reasoningFlag, withGlobals as opts } from './flags.js';

export function registerBenchCommands(program: Command): void {
  const bench = program
    .command('bench')
    .description('run prompt files across models, check the answers, and compare pass rate, latency and cost')
    .argument('<files...>', 'prompt files or globs: .yaml/.yml, .json, .jsonl, .csv, or plain text (one prompt per block); a YAML/JSON file may name a dataset:')
    .option('-m, --model <id>', 'model to test, as provider:model or an alias (repeatable; default: your config or the keys you have set)', collect)
    .option('-j, --concurrency <n>', 'requests in flight at once, over all providers (default 8)', numberFlag('--concurrency', { int: true, min: 1 }))
    .option('--rpm <provider=N>', 'at most N requests a minute to this provider (repeatable)', collect)
    .option('--provider-concurrency <provider=N>', 'at most N requests at once to this provider (repeatable)', collect)
    .option('-s, --system <text>', 'system prompt for cases that have none')
    .option('-t, --temperature <n>', 'sampling temperature (0-2)', numberFlag('--temperature', { min: 0, max: 2 }))
    .option('--max-tokens <n>', 'upper bound on output tokens per answer', numberFlag('--max-tokens', { int: true, min: 1 }))
    .option('--reasoning <level>', 'reasoning for every model: off, low, medium, high, or a budget in tokens (checks grade the answer only)', reasoningFlag)
    .option('--vary <key=v1,v2>', 'each model once per value: temperature, topP, maxTokens, reasoning, or system=@a.txt,@b.txt (repeatable: every combination; rows are model{key=value})', collect)
    .option('--timeout <ms>', 'total time allowed per answer in ms, retries included', numberFlag('--timeout', { int: true, min: 1 }))
    .option('--retries <n>', 'retries for rate limits, overload and network errors (default 2)', numberFlag('--retries', { int: true, min: 0 }))
    .option('--judge <id>', 'model that grades `judge` checks (a check\'s own model: wins)')
    .option('--no-cache', 'ask every model again instead of reusing cached answers')
    .option('--out <file.jsonl>', 'write one JSON line per case × model × turn × sample (answer, checks, usage, cost, timing) as each finishes (0600)')
    .option('--html <file.html>', 'also write a self-contained HTML report: summary, scatters, every answer with its checks, filters, search')
    .option('--repeat <n>', 'ask each case N times (each sample cached and rowed apart): pass@1 with a 95% interval, pass^N, flaky cases', numberFlag('--repeat', { int: true, min: 1, max: 1000 }))
    .option('--rerun-failed [rows.jsonl]', 'run only the case × model cells that errored in the last run (its rows: this file, else --out) and keep its other rows')
    .option('--format <form>', 'summary form on stdout: table, json, csv, md or junit (default table)')
    .option('--json', 'print the summary as one JSON document (same as --format json)')
    .option('--max-cost <usd>', 'print the estimated cost first, and stop the run when the spend reaches this many USD', numberFlag('--max-cost', { min: 0 }))
    .option('--threshold <p>', 'exit 1 when any model\'s pass rate is below P percent (80 or 0.8)', numberFlag('--threshold', { min: 0, max: 100 }))
    .option('--suggest-rules', 'propose per tag a rule from what its prompts share (20+ cases graded for every model) to the cheapest model within --tolerance points of the low end of the best model\'s 95% interval')
    .option('--write-rules', 'save those suggested rules to your config (comments kept; replaces bench-* rules of the same name)')
    .option('--tolerance <points>', 'with --suggest-rules: percentage points below the low end of the best model\'s 95% interval still good enough (default 2)', numberFlag('--tolerance', { min: 0 }))
    .option('--limit <n>', 'run only the first N cases', numberFlag('--limit', { int: true, min: 1 }))
    .option('--batch', 'send the uncached requests to the providers\' batch APIs (OpenAI, Anthropic, Gemini; about half price, results within 24 h); others run live')
    .option('--poll-interval <duration>', 'with --batch: longest wait between checks on the jobs (default 1m; the first within 2 s): 30s, 5m; a bare number is seconds')
    .option('--shard <i/n>', 'run the I-th of N stable slices of the cases (by case id): N machines or CI jobs split one run; combine their rows with mmr bench merge')
    .option('-q, --quiet', 'no progress line and no notes on stderr')
    .addHelpText(
      'after',
      `
Examples:
  mmr bench prompts/*.yaml -m openai:gpt-4o-mini -m anthropic:claude-haiku-4-5
  mmr bench "evals/**/*.jsonl" -m fast -m smart -j 16 --out rows.jsonl --threshold 90
  mmr bench cases.csv -m openai:gpt-4o-mini --judge openai:gpt-4.1 --suggest-rules
  mmr bench gsm8k.yaml -m fast --repeat 5 --out rows.jsonl --html report.html
  mmr bench cases.yaml -m fast -m smart --out rows.jsonl --rerun-failed
  mmr bench evals.jsonl -m openai:gpt-4o-mini -m anthropic:claude-haiku-4-5 --batch --out rows.jsonl
  mmr bench evals.jsonl -m fast --shard 2/4 --out rows-2.jsonl   # then: mmr bench merge "rows-*.jsonl"
A case: {id, prompt | messages | turns, tags, vars, images: [shot.png], grade: last|each, expect: [{type, value, ...}]};
a file may name variants: {cold: {temperature: 0}, terse: {system: "@terse.txt"}} (every model runs once per variant);
a dataset: {dataset: data.csv, defaults: {id: "{{id}}", prompt: "... {{field}} ...", expect: [...]}}.
Check types: equals, contains (mode any|all), not-contains, regex, number (tolerance), json
(JSON Schema), max-length, latency (ms), cost (USD), command (answer on stdin, exit 0 passes),
judge (rubric; scale pass-fail | score, threshold).
Exit codes: 0 done, no call errored · 1 --threshold missed · 2 bad flags, files or config ·
3 no call succeeded · 4 done but some calls errored · 5 stopped by --max-cost · 130/143 signal.
Answers are cached in $XDG_CACHE_HOME/mmr/bench: \`mmr cache stats|prune|clear\`.
See the rows again: mmr report rows.jsonl [--html report.html] [--compare old.jsonl]`,
    )
    .action(async (files: string[], flags: object, cmd: Command) => {
      const { runBenchCommand } = await import('./bench.js');
      process.exitCode = await runBenchCommand(files, opts(flags, cmd));
    });

  bench
    .command('merge')
    .description('combine the rows of runs split with --shard (or run on several machines) into one summary, the same one run over all the cases prints')
    .argument('<rows...>', 'rows files written by mmr bench --out (globs such as "rows-*.jsonl" work)')
    .option('--out <file.jsonl>', 'also write all the rows to one file (0600)')
    .option('--html <file.html>', 'also write the self-contained HTML report of all the rows')
    .option('--format <form>', 'summary form on stdout: table, json, csv, md or junit (default table)')
    .option('--json', 'print the summary as one JSON document (same as --format json)')
    .option('--threshold <p>', 'exit 1 when any model\'s pass rate is below P percent (80 or 0.8)', numberFlag('--threshold', { min: 0, max: 100 }))
    .option('--suggest-rules', 'print per tag the cheapest model whose pass rate is within --tolerance points of the best model\'s')
    .option('--tolerance <points>', 'with --suggest-rules: percentage points below the best pass rate still good enough (default 2)', numberFlag('--tolerance', { min: 0 }))
    .option('-q, --quiet', 'no notes on stderr')
    .addHelpText('after', `
A row seen in more than one file (the same case, model, turn and sample) counts once.
Exit codes as mmr bench: 0 done, no call errored · 1 --threshold missed · 2 bad files · 3 no call succeeded · 4 some calls errored.
Example: for i in 1 2 3 4; do mmr bench cases.jsonl -m fast --shard $i/4 --out rows-$i.jsonl & done; wait; mmr bench merge "rows-*.jsonl"`)
    .action(async (files: string[], flags: object, cmd: Command) => {
      const { runMerge } = await import('./merge.js');
      // bench's own options of the same names (--out, --json, ...) are parsed into bench: take them from there too.
      process.exitCode = await runMerge(files, opts(flags, cmd));
    });

  program
    .command('report')
    .description('look at a finished bench run: page through answers and vote in a terminal, or write the HTML report')
    .argument('<rows.jsonl>', 'rows written by mmr bench --out')
    .option('--html <file.html>', 'write the self-contained HTML report here instead of opening the terminal view')
    .option('--compare <old.jsonl>', 'diff against an earlier run: what got better or worse per case (printed, or in the HTML report)')
    .option('--format <form>', 'summary form on stdout when not opening the terminal view: table, json, csv, md or junit')
    .option('--json', 'print the summary as one JSON document')
    .option('--no-tui', 'never open the terminal view; print the summary')
    .option('-q, --quiet', 'no notes on stderr')
    .action(async (file: string, flags: object, cmd: Command) => {
      const { runReport } = await import('./report.js');
      process.exitCode = await runReport(file, opts(flags, cmd));
    });

  const batch = program.command('batch').description('provider batch jobs started by mmr bench --batch');
  batch
    .command('status')
    .description('list the batch jobs still open, with their progress at the provider')
    .option('--json', 'print one JSON document')
    .action(async (flags: object) => {
      const { runBatchStatus } = await import('./batch.js');
      process.exitCode = await runBatchStatus(flags);
    });
  batch
    .command('resume')
    .description('run the mmr bench --batch command that started the jobs again: it collects their answers and prints the rows and summary')
    .argument('[run]', 'the run id (or its start) from mmr batch status; needed when several runs are open')
    .option('--all', 'resume every open run, one after another')
    .option('-q, --quiet', 'no notes on stderr')
    .action(async (run: string | undefined, flags: object) => {
      const { runBatchResume } = await import('./batch.js');
      process.exitCode = await runBatchResume(run, flags);
    });
  batch
    .command('cancel')
    .description('stop batch jobs at the provider (what they already answered is still collected by the next run)')
    .argument('[jobs...]', 'job ids from mmr batch status')
    .option('--all', 'cancel every open job')
    .option('-q, --quiet', 'no notes on stderr')
    .action(async (jobs: string[], flags: object) => {
      const { runBatchCancel } = await import('./batch.js');
      process.exitCode = await runBatchCancel(jobs, flags);
    });

  const cache = program.command('cache').description('the bench answer cache ($XDG_CACHE_HOME/mmr/bench)');
  cache
    .command('stats')
    .description('how many answers are cached, how big the cache is, how old its entries are')
    .option('--json', 'print one JSON document')
    .action(async (flags: object) => {
      const { runCacheStats } = await import('./cache.js');
      process.exitCode = await runCacheStats(flags);
    });
  cache
    .command('clear')
    .description('delete every cached bench answer')
    .option('-q, --quiet', 'print nothing')
    .action(async (flags: object) => {
      const { runCacheClear } = await import('./cache.js');
      process.exitCode = await runCacheClear(flags);
    });
  cache
    .command('prune')
    .description('compact the cache: drop superseded and corrupt entries, and with --older-than those written before then')
    .option('--older-than <duration>', 'also drop answers cached more than this long ago: 30d, 12h, 90m, 2w')
    .option('--json', 'print what was kept and dropped as one JSON document')
    .addHelpText('after', '\nAnswers from mmr versions that kept one file per answer are moved into the store.\nRuns compact the cache on their own once it holds 8 segment files.')
    .action(async (flags: object) => {
      const { runCachePrune } = await import('./cache.js');
      process.exitCode = await runCachePrune(flags);
    });
}
