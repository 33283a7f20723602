/**
 * `mmr route` and `mmr rules list|add|rm|test` for commander. Only the wiring lives here: each
 * action loads its command module with import() when it runs, so start-up pays for none of it.
 */
import type { Command } from 'commander';
import { collect, numberFlag, withGlobals as opts } from './flags.js';



export function registerRoutingCommands(program: Command): void {
  program
    .command('route')
    .description('show which models a prompt would go to and why (matching rule, its conditions, category, fallbacks); makes no network call')
    .argument('[prompt...]', 'the prompt; stdin, when piped, is appended after a blank line')
    .option('-m, --model <id>', 'route to this model whatever the rules say, as `ask -m` does (repeatable)', collect)
    .option('--json', 'print the decision, the classification and every rule\'s check as JSON')
    .option('--router <file>', 'consult this learned router (from `mmr learn`) when no rule matches')
    .option('--tradeoff <t>', 'learned router: 0 = cheapest … 1 = best predicted quality (default: config, else the router\'s recommendation)', numberFlag('--tradeoff', { min: 0, max: 1 }))
    .option('--batch <file>', 'route every {"id", "prompt"} line of a JSONL file; one JSON decision per output line')
    .addHelpText(
      'after',
      `
Examples:
  mmr route "Write a SQL query for the top 5 customers by revenue"
  git diff | mmr route "review this" --json
  mmr route --batch prompts.jsonl --router .mmr/router.json --tradeoff 0.3 > decisions.jsonl
Order: -m, then the rules (the first whose conditions all hold wins; for each rule that failed
the output says which condition), then the learned router (config \`learned:\` or --router),
then the config's \`default\` models. Edit rules with \`mmr rules\`; train a router with \`mmr learn\`.`,
    )
    .action(async (words: string[], flags: object, cmd: Command) => {
      const { runRoute } = await import('./route.js');
      await runRoute(words, opts(flags, cmd));
    });

  program
    .command('learn')
    .description('train a learned router from evidence (bench --out rows, votes, outcome rows): offline, seconds, deterministic; prints a cross-validated report')
    .argument('[files...]', 'JSONL evidence: mmr bench --out rows, vote logs, or {prompt, model, quality, costUsd, latencyMs} lines')
    .option('--votes', 'also learn from your vote log (votes.jsonl in the data directory)')
    .option('--out <file>', 'router file to write (default: .mmr/router.json beside the project config)')
    .option('--seed <n>', 'seed for the cross-validation folds (default 1): same evidence and seed, same router', numberFlag('--seed', { int: true, min: 0 }))
    .option('--folds <n>', 'cross-validation folds (default 4)', numberFlag('--folds', { int: true, min: 2, max: 20 }))
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Examples:
  mmr bench cases.yaml -m fast -m smart -m local --out rows.jsonl && mmr learn rows.jsonl
  mmr learn rows.jsonl --votes --out .mmr/router.json
Then route with it: config \`learned: {file: .mmr/router.json, tradeoff: 0.5}\`, or --router on ask/route.
Every figure in the report is out of fold: measured on prompts the router was not trained on.`,
    )
    .action(async (files: string[], flags: object, cmd: Command) => {
      const { runLearn } = await import('./learn.js');
      await runLearn(files, opts(flags, cmd));
    });

  program
    .command('leaderboard')
    .description('Bradley–Terry ratings with 95% intervals from your votes (and bench rows given as files), overall and per prompt category')
    .argument('[files...]', 'extra evidence: mmr bench --out rows (pairwise wins per case) or vote logs')
    .option('--no-votes', 'leave your vote log out (rate only the files given)')
    .option('--min-games <n>', 'show a category only with at least this many games (default 10)', numberFlag('--min-games', { int: true, min: 1 }))
    .option('--json', 'print the ratings as JSON')
    .action(async (files: string[], flags: object, cmd: Command) => {
      const { runLeaderboard } = await import('./leaderboard.js');
      await runLeaderboard(files, opts(flags, cmd));
    });

  const rules = program
    .command('rules')
    .description('list, add, remove and test routing rules (rules pick models for `mmr ask` without -m)');

  rules
    .command('list')
    .alias('ls')
    .description('list the rules in the order they are tried, with the default models and the config files read')
    .option('--json', 'print JSON')
    .action(async (flags: object, cmd: Command) => {
      const { runRulesList } = await import('./rules.js');
      await runRulesList(opts(flags, cmd));
    });

  rules
    .command('add')
    .description('add a rule to the config file that was loaded (or create .routerrc.yaml at the project root); comments and formatting are kept')
    .requiredOption('--name <name>', 'unique rule name')
    .requiredOption('--use <models>', 'model(s) to ask, comma-separated or repeated: provider:model or aliases', collect)
    .option('--keywords <words>', 'match when ANY of these words appears (comma-separated, case-insensitive, whole words)', collect)
    .option('--all-keywords <words>', 'match only when ALL of these words appear', collect)
    .option('--regex <pattern>', 'match a regex (case-insensitive; /pattern/flags for others; repeatable: any of them)', collect)
    .option('--category <names>', 'match the local classifier\'s category: code, math, writing, translation, summarization, extraction, reasoning, chat', collect)
    .option('--language <codes>', 'match the prompt language, ISO 639-1 (en, fr, de, zh, ...)', collect)
    .option('--has-code', 'match only prompts that contain code')
    .option('--without-code', 'match only prompts without code')
    .option('--min-chars <n>', 'match prompts of at least n characters', numberFlag('--min-chars', { int: true, min: 0 }))
    .option('--max-chars <n>', 'match prompts of at most n characters', numberFlag('--max-chars', { int: true, min: 0 }))
    .option('--min-tokens <n>', 'match prompts of at least n estimated tokens', numberFlag('--min-tokens', { int: true, min: 0 }))
    .option('--max-tokens <n>', 'match prompts of at most n estimated tokens', numberFlag('--max-tokens', { int: true, min: 0 }))
    .option('--fallback <models>', 'models to try in order when the chosen one is unavailable (429, 5xx, overloaded, timeout)', collect)
    .option('--max-cost <usd>', 'spending cap for one answer, in USD', numberFlag('--max-cost', { min: 0 }))
    .option('--file <file>', 'write to this config file (created when missing)')
    .option('--user', 'write to your user config (created when missing) instead of the project\'s')
    .option('--replace', 'replace an existing rule with the same name, in place')
    .addHelpText(
      'after',
      `
Examples:
  mmr rules add --name sql --keywords sql,query --category code --use anthropic:claude-haiku-4-5 --fallback openai:gpt-4o-mini
  mmr rules add --name long --min-tokens 4000 --use gemini:gemini-2.5-flash --user
The file is validated before it is written; a rule that would not load is refused and nothing changes.`,
    )
    .action(async (flags: { hasCode?: boolean; withoutCode?: boolean }, cmd: Command) => {
      const [{ runRulesAdd }, { UsageError }] = await Promise.all([import('./rules.js'), import('../core/errors.js')]);
      const { hasCode, withoutCode, ...rest } = flags;
      if (hasCode && withoutCode) throw new UsageError('--has-code and --without-code contradict each other', 'pass one of them');
      await runRulesAdd({ ...opts(rest, cmd), hasCode: hasCode ? true : withoutCode ? false : undefined });
    });

  rules
    .command('rm')
    .alias('remove')
    .description('remove the rule with this name from the project config (or else the user config)')
    .argument('<name>', 'the rule\'s name (see mmr rules list)')
    .option('--file <file>', 'remove it from this config file')
    .action(async (name: string, flags: object, cmd: Command) => {
      const { runRulesRemove } = await import('./rules.js');
      await runRulesRemove(name, opts(flags, cmd));
    });

  rules
    .command('test')
    .description('route every prompt in FILE and report those that do not go to the expected model (exit 1 on any mismatch)')
    .argument('<file>', 'YAML, JSON or JSONL: a list of {prompt, expect} cases (expect: provider:model, alias, or a list)')
    .option('--json', 'print every case\'s result as JSON')
    .addHelpText(
      'after',
      `
Example routing-tests.yaml:
  - prompt: "Write a SQL query for the top 5 customers by revenue"
    expect: anthropic:claude-haiku-4-5
  - prompt: "Translate 'good morning' into French"
    expect: fast            # an alias works too
\`expect\` with one model must be the first model chosen; a list must match the whole list.`,
    )
    .action(async (file: string, flags: object, cmd: Command) => {
      const { runRulesTest } = await import('./rules.js');
      const results = await runRulesTest(file, opts(flags, cmd));
      if (results.some((r) => !r.pass)) process.exitCode = 1;
    });
}
