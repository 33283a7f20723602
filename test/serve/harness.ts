/**
 * Starts the built binary's `mmr serve --port 0` against the project's local provider server, in
 * an isolated home with a config of the test's choosing, and reads the `listening on` line.
 */
import { execa, type ResultPromise } from 'execa';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { MockServer } from '../../src/mock-server/index.js';
import { bin, isolatedEnv } from '../helpers/cli.js';

export const KEY = 'sk-serve-upstream-0123456789abcdef';

export interface Served {
  /** `http://127.0.0.1:PORT` */
  url: string;
  proc: ResultPromise;
  home: string;
  env: Record<string, string>;
  /** stderr so far. */
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | undefined>;
}

/** Upstream env for the mock server: both keys, both base URLs. */
export async function upstreamEnv(mock: MockServer, extra: Record<string, string> = {}) {
  return isolatedEnv({
    OPENAI_API_KEY: KEY,
    ANTHROPIC_API_KEY: KEY,
    OPENAI_BASE_URL: mock.baseUrls.openai,
    ANTHROPIC_BASE_URL: mock.baseUrls.anthropic,
    ...extra,
  });
}

export async function serve(mock: MockServer, config: string, args: string[] = [], extraEnv: Record<string, string> = {}): Promise<Served> {
  const { env, home } = await upstreamEnv(mock, extraEnv);
  writeFileSync(path.join(home, '.routerrc.yaml'), config);
  const proc = execa(process.execPath, [bin, 'serve', '--port', '0', ...args], { env, cwd: home, extendEnv: false, reject: false, stdin: 'ignore' });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const lines = createInterface({ input: proc.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]);
    });
    void proc.then((r) => reject(new Error(`mmr serve exited ${r.exitCode} before listening:\n${err}`)));
  });
  return {
    url,
    proc,
    home,
    env,
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return (await proc).exitCode;
    },
  };
}

/** Config: aliases, a default, rules that route to the other protocol's upstream. */
export const CONFIG = `aliases:
  fast: openai:gpt-4o-mini
  claude: anthropic:claude-haiku-4-5
  auto: mmr/auto
default: [openai:gpt-4o-mini]
retries:
  maxRetries: 0
rules:
  - name: to-anthropic
    when:
      keywords: [poem]
    use: anthropic:claude-haiku-4-5
  - name: to-openai
    when:
      keywords: [sql]
    use: openai:gpt-4o-mini
  - name: failover
    when:
      keywords: [outage]
    use: openai:down
    fallback: [anthropic:claude-haiku-4-5]
  - name: capped
    when:
      keywords: [essay]
    use: openai:gpt-4o
    maxCostUsd: 0.0001
`;
