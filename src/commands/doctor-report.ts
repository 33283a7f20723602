/**
 * What `mmr doctor` found, as data (for --json) and as the text it prints. A failing item always
 * carries its fix. Values from outside (file paths, server messages) are neutralised here, the
 * one place they meet the terminal.
 */
import { neutralizeLine } from '../core/terminal-safe.js';

/** ok: works; warn: works with a caveat; fail: needs fixing; off: not set up (reported, not a failure). */
export type Level = 'ok' | 'warn' | 'fail' | 'off';

export interface ProviderCheck {
  id: string;
  level: Level;
  /** The variable the key was read from (never the key), or null when none is set. */
  keyFrom: string | null;
  /** Variables that would hold the key. */
  keyEnv: string[];
  needsKey: boolean;
  /** Base URL, credentials masked. */
  baseUrl: string;
  /** A request reached the server (null: not tried). */
  reachable: boolean | null;
  /** The models listing answered with this key (null: not tried or not knowable). */
  keyAccepted: boolean | null;
  /** Models the listing gave. */
  models: number | null;
  /** One line on what was found. */
  detail: string;
  /** How to fix it, for warn and fail. */
  fix?: string;
}

export interface FileCheck {
  /** How it is shown (relative to the cwd when under it). */
  file: string;
  role: 'user' | 'project' | 'named';
  level: Level;
  detail: string;
  fix?: string;
}

export interface DoctorReport {
  providers: ProviderCheck[];
  files: FileCheck[];
  /** Failures in all. */
  failures: number;
}

const MARK: Record<Level, string> = { ok: '✔', warn: '!', fail: '✖', off: '–' };

export function formatDoctor(r: DoctorReport): string {
  const out: string[] = ['Providers'];
  const width = Math.max(...r.providers.map((p) => p.id.length), 8);
  for (const p of r.providers) {
    out.push(`  ${MARK[p.level]} ${neutralizeLine(p.id).padEnd(width)}  ${neutralizeLine(p.detail)}`);
    if (p.fix && (p.level === 'fail' || p.level === 'warn')) out.push(`    ${' '.repeat(width)}  fix: ${neutralizeLine(p.fix)}`);
  }
  out.push('', 'Config files');
  if (r.files.length === 0) out.push('  – none found (mmr runs on its defaults; see .routerrc.example)');
  for (const f of r.files) {
    out.push(`  ${MARK[f.level]} ${neutralizeLine(f.file)}  ${neutralizeLine(f.detail)}`);
    if (f.fix && (f.level === 'fail' || f.level === 'warn')) out.push(`      fix: ${neutralizeLine(f.fix)}`);
  }
  const usable = r.providers.filter((p) => p.level === 'ok' || p.level === 'warn').length;
  out.push(
    '',
    r.failures === 0
      ? `All is well: ${usable} provider${usable === 1 ? '' : 's'} ready. (– = not set up: reported, not a problem)`
      : `${r.failures} problem${r.failures === 1 ? '' : 's'} (✖) to fix, each with its fix above. (– = not set up: reported, not a problem)`,
  );
  return `${out.join('\n')}\n`;
}
