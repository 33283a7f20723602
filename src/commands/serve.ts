/**
 * `mmr serve`: flags to options, then the server (src/serve/run.ts) until a stop signal; or, with
 * --stats, the request log summarised per model and per rule.
 */
import { access } from 'node:fs/promises';
import { neutralizeLine } from '../core/terminal-safe.js';

export interface ServeFlags {
  config?: string;
  host: string;
  port: number;
  token?: string;
  logText?: boolean;
  /** commander's --no-log. */
  log?: boolean;
  maxBodyMb?: number;
  drainTimeout?: number;
  timeout?: number;
  retries?: number;
  stats?: boolean;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export interface ServeDeps {
  env?: NodeJS.ProcessEnv;
  stdout?: { write(s: string): unknown };
  stderr?: { write(s: string): unknown };
}

/** `mmr serve --stats`: the whole log, per model and per routing label. */
export async function runServeStats(flags: ServeFlags, deps: ServeDeps = {}): Promise<number> {
  const [{ readServeLog, serveLogFile }, { ServeStats, formatStats }] = await Promise.all([import('../serve/log.js'), import('../serve/stats.js')]);
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const file = serveLogFile(deps.env ?? process.env);
  const stats = new ServeStats();
  const exists = await access(file).then(() => true, () => false);
  const { skipped } = exists ? await readServeLog(file, (row) => stats.add(row)) : { skipped: 0 };
  if (skipped) stderr.write(`mmr: skipped ${skipped} line${skipped === 1 ? '' : 's'} of ${file} that are not request rows\n`);
  if (flags.json) stdout.write(`${JSON.stringify(stats.json(), null, 2)}\n`);
  else if (!stats.json().total.requests) stderr.write(`no served requests logged yet (${file})\n`);
  else stdout.write(formatStats(stats.json(), neutralizeLine));
  return 0;
}

export async function runServe(flags: ServeFlags, deps: ServeDeps = {}): Promise<number> {
  if (flags.stats) return runServeStats(flags, deps);
  const { runServer } = await import('../serve/run.js');
  return runServer(
    {
      config: flags.config,
      host: flags.host,
      port: flags.port,
      token: flags.token,
      log: flags.log !== false,
      logText: flags.logText === true,
      maxBodyBytes: Math.round((flags.maxBodyMb ?? 10) * 1024 * 1024),
      drainMs: flags.drainTimeout ?? 10_000,
      timeoutMs: flags.timeout,
      retries: flags.retries,
      verbose: flags.verbose === true,
      quiet: flags.quiet === true,
    },
    deps,
  );
}
