/**
 * `mmr trust [FILE]`, `mmr trust --list`, `mmr trust --revoke FILE`: record which project config
 * files may use privileged settings (see config/trust.ts). Never asks for confirmation, so
 * scripts can call it; what is being trusted is printed instead.
 */
import path from 'node:path';
import { ConfigError, UsageError } from '../core/errors.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import { readConfigFile } from '../config/files.js';
import { findProjectFile, findUserConfig, loadNamedFile, type CheckedFile } from '../config/load.js';
import { PACKAGE_FIELD } from '../config/paths.js';
import { shellWord } from '../config/trust.js';
import { configDigest, digestOf, privilegedOf, realFile } from '../config/trust-check.js';
import { editTrustStore, readTrustStore, trustStorePath, type TrustEntry } from '../config/trust-store.js';

export interface TrustFlags {
  list?: boolean;
  revoke?: string;
  json?: boolean;
}

export interface TrustDeps {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  uid?: number;
}

const SCRIPT = /\.(js|mjs|cjs|ts|mts|cts)$/i;

/** The file to trust: the one named, or the one the search finds from cwd. */
async function target(file: string | undefined, env: NodeJS.ProcessEnv, cwd: string, uid: number | undefined): Promise<CheckedFile> {
  if (file === undefined) {
    const found = await findProjectFile({ cwd, env, uid });
    if (!found) {
      throw new UsageError(
        `no project config file found from ${cwd}`,
        'mmr looks for .routerrc, .routerrc.json, .routerrc.yaml, .routerrc.yml or a "router" field in package.json; name the file: mmr trust FILE',
      );
    }
    return found;
  }
  const abs = path.resolve(cwd, file);
  if (SCRIPT.test(abs)) {
    throw new UsageError(`${file} is a JavaScript/TypeScript config: mmr never loads one it finds by searching, so trusting it would change nothing`, 'it runs only when you name it with --config FILE, which needs no trust');
  }
  const checked = await loadNamedFile(abs, cwd);
  // The search would skip a file someone else can rewrite; trusting it would be a promise mmr cannot keep.
  const r = readConfigFile(abs, { search: true, uid, dirs: new Map() });
  if (r.kind === 'skipped') {
    throw new UsageError(`refusing to trust ${file}: ${r.path === abs ? 'it' : `its directory ${r.path}`} is ${r.reason}`, 'mmr skips such files when searching; fix the owner or mode first');
  }
  return checked;
}

async function trustFile(file: string | undefined, deps: Required<Pick<TrustDeps, 'env' | 'cwd' | 'stdout'>> & { uid?: number }): Promise<void> {
  const { env, cwd, stdout } = deps;
  const checked = await target(file, env, cwd, deps.uid);
  if (checked.problems.length) throw new ConfigError(checked.problems, 'Fix the file first: mmr trusts only a config that loads.');
  const user = await findUserConfig(env, cwd);
  const settings = privilegedOf(checked, user?.problems.length ? undefined : user, env);
  const entry: TrustEntry = { path: realFile(checked.file), sha256: digestOf(checked), trustedAt: new Date().toISOString() };
  await editTrustStore(env, (entries) => [...entries, entry], { uid: deps.uid });
  const name = neutralizeLine(checked.shown);
  let text = `trusted ${name} (sha256 ${entry.sha256.slice(0, 12)}…)\n`;
  if (settings.length) {
    text += 'mmr will now use its privileged settings:\n';
    text += settings.map((s) => `  ${s.line ? `${name}:${s.line}` : name} ${s.path}: ${s.effect}\n`).join('');
  } else {
    text += 'it has no privileged settings, so mmr would have used it without trust; any change to it will need mmr trust again\n';
  }
  text += `if the file changes, mmr refuses its privileged settings until you trust it again (mmr trust --revoke ${shellWord(checked.shown)} undoes this)\n`;
  stdout.write(text);
}

type Status = 'trusted' | 'changed' | 'missing' | 'unreadable';

/** Whether an entry still matches its file. Reads each file bounded, like a config load does. */
async function statusOf(e: TrustEntry): Promise<Status> {
  const r = readConfigFile(e.path);
  if (r.kind === 'missing') return 'missing';
  if (r.kind !== 'ok') return 'unreadable';
  if (path.basename(e.path) !== 'package.json') return configDigest(r.bytes) === e.sha256 ? 'trusted' : 'changed';
  const checked = await loadNamedFile(e.path, path.dirname(e.path));
  if (checked.problems.length) return 'changed';
  return configDigest(r.bytes, { field: PACKAGE_FIELD, value: checked.value }) === e.sha256 ? 'trusted' : 'changed';
}

async function list(flags: TrustFlags, env: NodeJS.ProcessEnv, stdout: NodeJS.WritableStream, uid?: number): Promise<void> {
  const store = trustStorePath(env);
  const read = readTrustStore(store, uid);
  if (!read.ok) throw new UsageError(`the trust store ${store} ${read.problem}`, 'fix it by hand, or delete it (every file you trusted will then need mmr trust again)');
  const rows = await Promise.all(read.entries.map(async (e) => ({ ...e, status: await statusOf(e) })));
  if (flags.json) {
    stdout.write(`${JSON.stringify({ store, files: rows }, null, 2)}\n`);
    return;
  }
  if (!rows.length) {
    stdout.write(`no trusted files (store: ${store})\n`);
    return;
  }
  const w = Math.max(...rows.map((r) => r.status.length));
  for (const r of rows) stdout.write(`${r.status.padEnd(w)}  ${r.trustedAt.slice(0, 19).replace('T', ' ')}  ${neutralizeLine(r.path)}\n`);
  if (rows.some((r) => r.status === 'changed')) stdout.write('changed: edited since you trusted it; its privileged settings are refused until mmr trust FILE\n');
}

async function revoke(file: string, env: NodeJS.ProcessEnv, cwd: string, stdout: NodeJS.WritableStream, uid?: number): Promise<void> {
  const abs = path.resolve(cwd, file);
  const keys = new Set([abs, realFile(abs)]);
  let removed = 0;
  await editTrustStore(env, (entries) => {
    const kept = entries.filter((e) => !keys.has(e.path));
    removed = entries.length - kept.length;
    return removed ? kept : null;
  }, { uid });
  stdout.write(removed ? `revoked trust in ${neutralizeLine(file)}\n` : `${neutralizeLine(file)} was not trusted; nothing to revoke\n`);
}

export async function runTrust(file: string | undefined, flags: TrustFlags, deps: TrustDeps = {}): Promise<void> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const stdout = deps.stdout ?? process.stdout;
  const modes = [file !== undefined, flags.list === true, flags.revoke !== undefined].filter(Boolean).length;
  if (modes > 1) throw new UsageError('give one of FILE, --list or --revoke FILE', 'mmr trust FILE trusts a file; mmr trust --list shows them; mmr trust --revoke FILE forgets one');
  if (flags.json && !flags.list) throw new UsageError('--json goes with --list', 'mmr trust --list --json');
  if (flags.list) return list(flags, env, stdout, deps.uid);
  if (flags.revoke !== undefined) return revoke(flags.revoke, env, cwd, stdout, deps.uid);
  return trustFile(file, { env, cwd, stdout, uid: deps.uid });
}
