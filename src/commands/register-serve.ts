/**
 * `mmr serve` for commander. Only the wiring lives here: the action loads the command module
 * with import() when it runs, so start-up pays for none of it.
 */
import type { Command } from 'commander';
import { numberFlag, withGlobals } from './flags.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve your routing as a local OpenAI- and Anthropic-compatible endpoint (POST /v1/chat/completions, /v1/messages)')
    .option('--host <addr>', 'address to listen on; anything but loopback requires a token', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 = any free port)', numberFlag('--port', { min: 0, max: 65535, int: true }), 8787)
    .option('--token <secret>', 'every client must send this as its API key (bearer or x-api-key); prefer MMR_SERVE_TOKEN, a flag shows in ps')
    .option('--log-text', 'keep prompt and answer text in the request log (so it can become routing evidence)')
    .option('--no-log', 'write no request log')
    .option('--max-body-mb <n>', 'largest request body accepted, in MB (default 10)', numberFlag('--max-body-mb', { min: 0.001, max: 1024 }))
    .option('--drain-timeout <ms>', 'on SIGTERM or Ctrl-C, how long in-flight answers may take to finish (default 10000)', numberFlag('--drain-timeout', { min: 0, int: true }))
    .option('--timeout <ms>', 'total time allowed per answer in ms, retries included', numberFlag('--timeout', { min: 1, int: true }))
    .option('--retries <n>', 'retries for rate limits, overload and network errors (default 2)', numberFlag('--retries', { min: 0, int: true }))
    .option('--stats', 'print requests, cost and latency per model and per rule from the request log, and exit')
    .option('--json', 'with --stats: print JSON')
    .option('-v, --verbose', 'one status line per request on stderr')
    .option('-q, --quiet', 'print only the listening line and errors')
    .addHelpText(
      'after',
      `
Clients: OpenAI SDK base URL http://127.0.0.1:8787/v1, Anthropic SDK base URL http://127.0.0.1:8787.
Model "mmr/auto" routes by your rules (as mmr ask does); an alias or provider:model goes to that model.
The listening line goes to stdout; request status lines (-v) and notes to stderr.`,
    )
    .action(async (flags, cmd: Command) => {
      const { runServe } = await import('./serve.js');
      process.exitCode = await runServe(withGlobals(flags, cmd));
    });
}
