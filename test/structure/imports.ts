/**
 * The layering rules of src/ (DESIGN.md, HELPERS.md "Structure") as data, and a checker that
 * reads every import form TypeScript knows: `import`, `import type`, `export … from`, side-effect
 * imports, dynamic `import()`, `typeof import()` and `require()`. Comments and strings are not
 * imports (TypeScript's own pre-processor tells them apart).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface SourceFile {
  /** Path relative to the repository root, with forward slashes (`src/core/fanout.ts`). */
  path: string;
  text: string;
}

/** What a top-level folder of src/ may import: `only` lists the other folders allowed; `never` the ones forbidden. */
export type LayerRule = { only: string[] } | { never: string[] };

export const LAYER_RULES: Record<string, LayerRule> = {
  // The bottom layer: pure contracts and logic; nothing of the app above it.
  core: { only: [] },
  // Adapters speak wire formats; they know the contract (core) and nothing of config or commands.
  providers: { only: ['core'] },
  // Config reads files and resolves ids against provider presets.
  config: { only: ['core', 'providers'] },
  // The UI receives events and callbacks only.
  ui: { never: ['providers', 'config', 'commands', 'serve', 'bench', 'batch'] },
  // What every model-calling front end opens before its first request; the front ends sit above it.
  session: { never: ['commands', 'ui', 'serve', 'bench', 'batch', 'report'] },
  // The commands are the top: a feature folder uses what lies below them, never a command.
  serve: { never: ['commands', 'ui'] },
  bench: { never: ['commands', 'serve'] },
  batch: { never: ['commands', 'serve'] },
  learn: { never: ['commands', 'ui', 'serve'] },
  history: { never: ['commands', 'ui', 'serve'] },
  report: { never: ['commands', 'serve'] },
};

/** The top-level folder of src/ a repository path is in (`core`, `providers`), or the file name for src/cli.ts; undefined outside src/. */
export function layerOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'src' || parts.length < 2) return undefined;
  return parts.length === 2 ? parts[1].replace(/\.tsx?$/, '') : parts[1];
}

/** Every relative import of a file: the specifier, its 1-based line, and the repository path it points at. */
export function relativeImports(file: SourceFile): Array<{ spec: string; line: number; target: string }> {
  const found = ts.preProcessFile(file.text, true, true).importedFiles;
  return found
    .filter((f) => f.fileName.startsWith('.'))
    .map((f) => ({
      spec: f.fileName,
      line: file.text.slice(0, f.pos).split('\n').length,
      target: path.posix.normalize(path.posix.join(path.posix.dirname(file.path), f.fileName)),
    }));
}

/** One line per import that breaks LAYER_RULES: `src/core/x.ts:3 imports ../providers/y.js (core may import only core)`. */
export function layerViolations(files: SourceFile[], rules: Record<string, LayerRule> = LAYER_RULES): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    const rule = from === undefined ? undefined : rules[from];
    if (!rule) continue;
    for (const imp of relativeImports(file)) {
      const to = layerOf(imp.target) ?? imp.target;
      if (to === from) continue;
      const broken = 'only' in rule ? !rule.only.includes(to) : rule.never.includes(to);
      if (!broken) continue;
      const allowed = 'only' in rule ? `${from} may import only ${[from, ...rule.only].join(', ')}` : `${from} must not import ${rule.never.join(', ')}`;
      out.push(`${file.path}:${imp.line} imports ${imp.spec} (${allowed})`);
    }
  }
  return out;
}

/** Every .ts/.tsx file under `dir` (a repository-relative folder), read from `root`. */
export function readSources(root: string, dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...readSources(root, rel));
    else if (/\.tsx?$/.test(entry.name)) out.push({ path: rel, text: readFileSync(path.join(root, rel), 'utf8') });
  }
  return out;
}
