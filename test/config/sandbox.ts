/**
 * Temp directories shaped like a user's machine: a HOME, an XDG config dir and a project
 * inside HOME. The env handed to loadConfig points only there, so the real user's files are
 * never read.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTrust } from '../../src/commands/trust.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/config');

export interface Sandbox {
  root: string;
  /** HOME; the project search stops here. */
  home: string;
  /** XDG_CONFIG_HOME; the user file lives at `${xdg}/mmr/config.yaml`. */
  xdg: string;
  /** A project directory inside HOME. */
  project: string;
  env: NodeJS.ProcessEnv;
  write(rel: string, text: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function sandbox(fixture?: string): Promise<Sandbox> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'mmr-config-'));
  const home = path.join(root, 'home');
  const xdg = path.join(root, 'xdg');
  const project = path.join(home, 'project');
  await mkdir(project, { recursive: true });
  await mkdir(xdg, { recursive: true });
  if (fixture) await cp(path.join(FIXTURES, fixture), project, { recursive: true });
  return {
    root,
    home,
    xdg,
    project,
    env: { HOME: home, XDG_CONFIG_HOME: xdg },
    async write(rel, text) {
      const file = path.join(root, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      return file;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** `mmr trust FILE` in the sandbox (its own trust store); returns what it printed. */
export async function trust(sb: Sandbox, file: string): Promise<string> {
  let out = '';
  const stdout = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
  await runTrust(file, {}, { env: sb.env, cwd: sb.project, stdout });
  return out;
}
