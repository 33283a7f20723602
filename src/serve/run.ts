/**
 * A served session from start to exit: load config and compile the rules once, work out the
 * default set once (the only Ollama probe), open the log, listen, and on SIGTERM/SIGINT drain
 * in-flight answers within a bound. A second signal exits at once.
 */
import { loadConfig } from '../config/load.js';
import { EXIT, UsageError } from '../core/errors.js';
import { defaultModels } from '../config/default-models.js';
import { formatUsd } from '../core/cost.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import { compileLoadedRules } from '../config/loaded-rules.js';
import { lazyPrices } from '../session/open.js';
import { accessPolicy } from './auth.js';
import { ServeLog, serveLogFile, type ServeLogRow } from './log.js';
import { startServer, type RunningServer } from './server.js';

export interface ServeRunOptions {
  config?: string;
  host: string;
  port: number;
  token?: string;
  /** false: no request log. */
  log: boolean;
  logText: boolean;
  maxBodyBytes: number;
  drainMs: number;
  timeoutMs?: number;
  retries?: number;
  verbose: boolean;
  quiet: boolean;
}

export interface ServeRunDeps {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: { write(s: string): unknown };
  stderr?: { write(s: string): unknown };
  /** Resolves with the signal that asks the server to stop (default: SIGTERM or SIGINT). */
  stopSignal?: () => Promise<NodeJS.Signals>;
}

/** One line per request for -v: status, protocol, asked → answered, route, time, cost. */
export function statusLine(r: ServeLogRow): string {
  const model = r.model ? ` → ${r.model}` : '';
  const fb = r.fallbackFrom.length ? ` (after ${r.fallbackFrom.join(', ')})` : '';
  const time = r.latencyMs != null ? ` ${Math.round(r.latencyMs)}ms` : '';
  const cost = r.status < 400 ? ` ${formatUsd(r.costUsd)}` : '';
  const err = r.error ? ` · ${r.error}` : '';
  return neutralizeLine(`mmr serve: ${r.status} ${r.protocol}${r.stream ? ' stream' : ''} ${r.requested ?? '?'}${model}${fb} [${r.route ?? 'refused'}]${time}${cost}${err}`).slice(0, 400);
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      // A second signal while draining: stop now.
      process.once(sig, () => process.exit(sig === 'SIGINT' ? EXIT.SIGINT : EXIT.SIGTERM));
      resolve(sig);
    };
    const onInt = () => on('SIGINT');
    const onTerm = () => on('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

async function listen(start: () => Promise<RunningServer>, host: string, port: number): Promise<RunningServer> {
  try {
    return await start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${host} is already in use`, 'pick another with --port (0 = any free port), or stop the other server');
    if (code === 'EACCES') throw new UsageError(`not allowed to listen on ${host}:${port}`, 'ports below 1024 need privileges; use --port 8787');
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on ${host}: not an address of this machine`, 'use --host 127.0.0.1, or an address `ip addr` lists');
    throw err;
  }
}

/** Runs until a stop signal; returns the exit code (0 when every in-flight answer finished). */
export async function runServer(o: ServeRunOptions, deps: ServeRunDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const policy = accessPolicy(o.host, o.token ?? env.MMR_SERVE_TOKEN);
  const loaded = await loadConfig({ cwd, env, configPath: o.config });
  const { rules } = await compileLoadedRules(loaded, cwd);
  const defaults = await defaultModels(loaded.config, env);
  const log = o.log ? await ServeLog.open(serveLogFile(env)) : undefined;
  void lazyPrices(); // the price data loads while the server waits for its first request
  const stop = deps.stopSignal ?? waitForSignal;
  const stopped = stop();
  const server = await listen(
    () => startServer({
      host: o.host, port: o.port, policy, maxBodyBytes: o.maxBodyBytes, log, logText: o.logText,
      route: { loaded, rules, defaults: { models: defaults.models, source: defaults.source }, env, timeoutMs: o.timeoutMs, retries: o.retries },
      onRequest: o.verbose ? (row) => stderr.write(`${statusLine(row)}\n`) : undefined,
    }),
    o.host,
    o.port,
  ).catch(async (err) => {
    await log?.close();
    throw err;
  });
  // The one result of `mmr serve`: where it is. Scripts read it from stdout.
  stdout.write(`listening on ${server.url}\n`);
  if (!o.quiet) {
    const def = defaults.models.length ? defaults.models.join(', ') : 'none (mmr/auto needs a matching rule)';
    stderr.write(`mmr serve: ${rules.length} rule${rules.length === 1 ? '' : 's'}, default ${def}; ${policy.tokenDigest ? 'token required' : 'loopback only, no token'}\n`);
    stderr.write(`mmr serve: OpenAI base URL ${server.url}/v1 · Anthropic base URL ${server.url} · log ${log ? `${log.file}${o.logText ? ' (with text)' : ''}` : 'off'}\n`);
  }
  const sig = await stopped;
  const n = server.inflight();
  if (!o.quiet) stderr.write(`mmr serve: ${sig}: ${n ? `finishing ${n} in-flight request${n === 1 ? '' : 's'} (up to ${o.drainMs} ms)` : 'stopping'}\n`);
  const { drained } = await server.shutdown(o.drainMs);
  await log?.close();
  if (!drained && !o.quiet) stderr.write('mmr serve: drain timeout reached; the remaining answers were cut short\n');
  if (drained) return EXIT.OK;
  return sig === 'SIGINT' ? EXIT.SIGINT : EXIT.SIGTERM;
}
