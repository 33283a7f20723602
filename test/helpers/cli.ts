import { execa, type ResultPromise } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';

export const root = path.resolve(import.meta.dirname, '../..');
export const bin = path.join(root, 'bin/mmr.js');

/** A port nothing listens on: bound, then closed. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * An environment with no keys, no user config and no Ollama, so a test sees only what it sets.
 * HOME and XDG dirs point into a fresh temp dir, which is also the cwd.
 */
export async function isolatedEnv(extra: Record<string, string> = {}) {
  const home = mkdtempSync(path.join(tmpdir(), 'mmr-e2e-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    NO_COLOR: '1',
    OLLAMA_HOST: `127.0.0.1:${await closedPort()}`,
    ...extra,
  };
  return { env, home };
}

export interface RunOptions {
  env: Record<string, string>;
  cwd?: string;
  input?: string;
  timeout?: number;
}

/** Runs the built binary; never rejects, so tests assert stdout, stderr and exit code separately. */
export function mmr(args: string[], o: RunOptions): ResultPromise<{ reject: false; extendEnv: false; stdin: 'ignore' } | { reject: false; extendEnv: false; input: string }> {
  const common = { env: o.env, cwd: o.cwd ?? o.env.HOME, reject: false, extendEnv: false, timeout: o.timeout ?? 20_000 } as const;
  return (o.input === undefined
    ? execa(process.execPath, [bin, ...args], { ...common, stdin: 'ignore' })
    : execa(process.execPath, [bin, ...args], { ...common, input: o.input })) as never;
}
