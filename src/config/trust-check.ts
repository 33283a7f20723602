/**
 * Whether a project file's privileged settings may apply: what trust is recorded against (the
 * content's SHA-256), the check of a checked file against the trust store, and the error that
 * stops a command when the store does not hold this exact content. Which settings are
 * privileged, and what each would do, is trust.ts; the store itself is trust-store.ts.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { MmrError } from '../core/errors.js';
import { neutralizeLine } from '../core/terminal-safe.js';
import type { CheckedFile } from './load.js';
import { mergeConfigs } from './merge.js';
import { privilegedSettings, shellWord, type PrivilegedSetting } from './trust.js';
import { entryFor, readTrustStore, trustStorePath } from './trust-store.js';

/**
 * What trust is recorded against: the file's bytes; for package.json only its `router` field
 * (the only part mmr reads), so a dependency bump does not untrust it.
 */
export function configDigest(bytes: Buffer, fieldValue?: { field: string; value: unknown }): string {
  const h = createHash('sha256');
  if (fieldValue) h.update(`${fieldValue.field}\n${JSON.stringify(fieldValue.value ?? null)}`);
  else h.update(bytes);
  return h.digest('hex');
}

/** A project file with privileged settings that the user has not trusted (in this content). */
export class UntrustedConfigError extends MmrError {
  readonly file: string;
  readonly settings: PrivilegedSetting[];
  constructor(file: string, settings: PrivilegedSetting[], opts: { changedSince?: string } = {}) {
    const shown = neutralizeLine(file);
    const quoted = shellWord(file);
    const why = opts.changedSince
      ? `${shown} changed since you trusted it (${opts.changedSince})`
      : `${shown} is not trusted`;
    const lines = settings.map((s) => `  ${s.line ? `${shown}:${s.line}` : shown} ${s.path}: ${s.effect}`);
    super(`${why}, and it has settings that can run programs or send your keys elsewhere:\n${lines.join('\n')}\nNothing was run or sent.`, {
      hint: `read the file; if you trust it, run: mmr trust ${quoted}\n  (or pass --config ${quoted} to use it for one command; mmr trust --list shows what you trusted)`,
    });
    this.name = 'UntrustedConfigError';
    this.file = shown;
    this.settings = settings;
  }
}

/** What trust is recorded against for a checked data file. */
export function digestOf(c: CheckedFile): string {
  return configDigest(c.bytes ?? Buffer.alloc(0), c.field ? { field: c.field, value: c.value } : undefined);
}

/** The privileged settings of `project`, with effects as they would be with `user` under it. */
export function privilegedOf(project: CheckedFile, user: CheckedFile | undefined, env: NodeJS.ProcessEnv): PrivilegedSetting[] {
  const merged = user ? mergeConfigs(user.config, project.config) : project.config;
  return privilegedSettings(project.value, merged, env, project.locate);
}

/** Absolute path with symlinks resolved: what the trust store records. */
export function realFile(file: string): string {
  try {
    return realpathSync.native(file);
  } catch {
    return path.resolve(file);
  }
}

/** Throws UntrustedConfigError unless the store holds this exact content of `project`. */
export function requireTrust(project: CheckedFile, settings: PrivilegedSetting[], env: NodeJS.ProcessEnv, warn: (m: string) => void, uid: number | undefined): void {
  const store = trustStorePath(env);
  const read = readTrustStore(store, uid);
  if (!read.ok) warn(`ignoring the trust store ${store}: it ${read.problem}; no file is trusted until it is fixed or deleted`);
  const entry = read.ok ? entryFor(read.entries, realFile(project.file)) : undefined;
  if (entry && entry.sha256 === digestOf(project)) return;
  throw new UntrustedConfigError(project.shown, settings, entry ? { changedSince: `on ${entry.trustedAt.slice(0, 10)}` } : {});
}
