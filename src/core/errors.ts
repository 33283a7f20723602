/**
 * Errors that stop a command. Inside fan-out and bench, failures are data (ErrorInfo events);
 * these are for what makes the whole command impossible: bad flags, bad config, nothing to call.
 * Only src/cli.ts prints them and exits.
 */

/** Documented exit codes (README "Exit codes"). */
export const EXIT = {
  /** Every model answered. */
  OK: 0,
  /** Some models answered, some failed. */
  PARTIAL: 1,
  /** Usage or configuration error: bad flag, bad model id, config that does not load. */
  USAGE: 2,
  /** No model answered (all failed, or none could be called). */
  ALL_FAILED: 3,
  /** Interrupted by SIGINT (Ctrl-C). */
  SIGINT: 130,
  /** Terminated by SIGTERM. */
  SIGTERM: 143,
} as const;

export class MmrError extends Error {
  /** Process exit code this error maps to. */
  readonly exitCode: number;
  /** How to fix it: names the flag, env var or command. */
  readonly hint?: string;
  constructor(message: string, opts: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MmrError';
    this.exitCode = opts.exitCode ?? EXIT.USAGE;
    this.hint = opts.hint;
  }
}

/** A bad flag, argument or model id. */
export class UsageError extends MmrError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.USAGE, hint });
    this.name = 'UsageError';
  }
}

/** One problem found in a config file. */
export interface ConfigProblem {
  /** The file, as a path the user can open. */
  file: string;
  /** Path inside the document, e.g. `models["openai:gpt-4o"].temperature`. Empty for file-level problems. */
  path: string;
  /** 1-based line in the file, when known (YAML and JSON). */
  line?: number;
  message: string;
}

/** A config that does not parse or validate; carries every problem found, not just the first. */
export class ConfigError extends MmrError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], hint?: string) {
    super(ConfigError.format(problems), { exitCode: EXIT.USAGE, hint });
    this.name = 'ConfigError';
    this.problems = problems;
  }
  static format(problems: ConfigProblem[]): string {
    const lines = problems.map((p) => {
      const where = p.line ? `${p.file}:${p.line}` : p.file;
      return `  ${where}${p.path ? ` ${p.path}` : ''}: ${p.message}`;
    });
    return `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
  }
}

/** Nothing could be called: no keys and no local server. Exit code ALL_FAILED. */
export class NoProvidersError extends MmrError {
  constructor(message: string, hint: string) {
    super(message, { exitCode: EXIT.ALL_FAILED, hint });
    this.name = 'NoProvidersError';
  }
}
