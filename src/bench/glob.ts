/**
 * Prompt-file arguments: shells usually expand globs, but a quoted one ("prompts/**\/*.yaml")
 * arrives as is. A path that exists is taken literally, even with glob characters in its name
 * (`[ab].yaml`); anything else that looks like a pattern goes to tinyglobby (`*`, `**`, `?`,
 * `[...]`, `{a,b}`), loaded only then. A directory means the prompt files under it.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

const PROMPT_EXT = /\.(ya?ml|json|jsonl|ndjson|csv|txt|md)$/i;
const IGNORE = ['**/node_modules/**', '**/.git/**'];

async function globIn(cwd: string, pattern: string): Promise<string[]> {
  const { glob } = await import('tinyglobby');
  const hits = await glob(pattern, { cwd, absolute: true, onlyFiles: true, dot: false, ignore: IGNORE, expandDirectories: false });
  return hits.map((h) => path.normalize(h)).sort();
}

/** Expands each argument (a file, a directory, or a glob relative to cwd) into a sorted, de-duplicated file list. */
export async function expandFiles(args: string[], cwd: string): Promise<{ files: string[]; unmatched: string[] }> {
  const files: string[] = [];
  const unmatched: string[] = [];
  for (const arg of args) {
    const abs = path.resolve(cwd, arg);
    const st = await stat(abs).catch(() => null);
    if (st?.isFile()) {
      files.push(abs);
      continue;
    }
    if (st?.isDirectory()) {
      files.push(...(await globIn(abs, '**/*')).filter((f) => PROMPT_EXT.test(f)));
      continue;
    }
    const { isDynamicPattern } = await import('tinyglobby');
    const pattern = arg.split(path.sep).join('/');
    const hits = isDynamicPattern(pattern) ? await globIn(cwd, pattern) : [];
    if (hits.length === 0) unmatched.push(arg);
    files.push(...hits);
  }
  return { files: [...new Set(files)], unmatched };
}
