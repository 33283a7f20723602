/**
 * Prompt-file arguments: shells usually expand globs, but a quoted one ("prompts/**\/*.yaml")
 * arrives as is, and Node 20 has no fs.glob, so `*`, `**` and `?` are expanded here.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const MAGIC = /[*?[]/;

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches zero or more directories.
      if (pattern[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function walk(dir: string, deep: boolean, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === '.git') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (deep) await walk(p, deep, out);
    } else out.push(p);
  }
}

/** Expands each argument (a file, or a glob relative to cwd) into a sorted, de-duplicated file list. */
export async function expandFiles(args: string[], cwd: string): Promise<{ files: string[]; unmatched: string[] }> {
  const files: string[] = [];
  const unmatched: string[] = [];
  for (const arg of args) {
    if (!MAGIC.test(arg)) {
      const abs = path.resolve(cwd, arg);
      const st = await stat(abs).catch(() => null);
      if (st?.isFile()) files.push(abs);
      else if (st?.isDirectory()) {
        const found: string[] = [];
        await walk(abs, true, found);
        files.push(...found.filter((f) => /\.(ya?ml|json|jsonl|ndjson|csv|txt|md)$/i.test(f)).sort());
      } else unmatched.push(arg);
      continue;
    }
    const norm = arg.split(path.sep).join('/');
    const parts = norm.split('/');
    const firstMagic = parts.findIndex((p) => MAGIC.test(p));
    const base = path.resolve(cwd, parts.slice(0, firstMagic).join('/') || '.');
    const rest = parts.slice(firstMagic).join('/');
    const re = globToRegExp(rest);
    const found: string[] = [];
    await walk(base, rest.includes('**') || parts.length - firstMagic > 1, found);
    const hits = found.filter((f) => re.test(path.relative(base, f).split(path.sep).join('/'))).sort();
    if (hits.length === 0) unmatched.push(arg);
    files.push(...hits);
  }
  return { files: [...new Set(files)], unmatched };
}
