/**
 * `--vary KEY=V1,V2[,…]` (ask, bench) before any request: the settings parsed and checked, a
 * setting that a plain flag also sets refused (which would win is not obvious), and the system
 * prompt files `system=@a.txt` read once, bounded and as text.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { checkVarySpecs, parseVary, type VaryKey, type VarySpec } from '../core/variants.js';

/** A system prompt file is text a person wrote: 1 MB is far more than any. */
export const MAX_SYSTEM_FILE_BYTES = 1024 * 1024;

export interface Vary {
  specs: VarySpec[];
  /** The text of `@file` system prompts, by the name written after `@`. */
  readSystem: (file: string) => string | undefined;
}

/** The flags that set what --vary would: both at once is refused. */
const FLAG_OF: Partial<Record<VaryKey, { flag: string; key: 'temperature' | 'maxTokens' | 'system' | 'reasoning' }>> = {
  temperature: { flag: '-t/--temperature', key: 'temperature' },
  maxTokens: { flag: '--max-tokens', key: 'maxTokens' },
  system: { flag: '-s/--system', key: 'system' },
  reasoning: { flag: '--reasoning', key: 'reasoning' },
};

/** Reads text files named by a variant setting, relative to `dir`; errors name the flag and the file. */
export async function readSystemFiles(names: readonly string[], dir: string, what: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const name of names) {
    if (texts.has(name)) continue;
    const file = path.resolve(dir, name);
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new UsageError(`${what} system=@${name}: not a file`, 'name a text file holding the system prompt');
      if (info.size > MAX_SYSTEM_FILE_BYTES) throw new UsageError(`${what} system=@${name}: the file is over 1 MB`, 'a system prompt file holds the prompt text only');
      const buf = await readFile(file);
      if (buf.includes(0)) throw new UsageError(`${what} system=@${name}: not a text file`, 'name a text file holding the system prompt');
      texts.set(name, buf.toString('utf8').replace(/\s+$/, ''));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`${what} system=@${name}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String((err as Error).message)}`, 'check the path (relative to the current directory)');
    }
  }
  return texts;
}

export async function prepareVary(flags: { vary?: string[]; temperature?: number; maxTokens?: number; system?: string; reasoning?: string }, cwd: string): Promise<Vary> {
  const specs = (flags.vary ?? []).map(parseVary);
  checkVarySpecs(specs);
  for (const s of specs) {
    const f = FLAG_OF[s.key];
    if (f && flags[f.key] !== undefined) throw new UsageError(`--vary ${s.key} and ${f.flag} both set ${s.key}`, `drop ${f.flag}, or put its value among the --vary values`);
  }
  const files = specs.filter((s) => s.key === 'system').flatMap((s) => s.values.map((v) => v.slice(1)));
  const texts = await readSystemFiles(files, cwd, '--vary');
  return { specs, readSystem: (file) => texts.get(file) };
}
