/**
 * `core/` is the bottom layer: it imports nothing above it. Providers know only core; config
 * knows core and providers; the UI never reaches providers, config or the commands. These tests
 * read the real sources, and prove first that the checker catches each way an import is written.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { layerOf, layerViolations, readSources, relativeImports, type SourceFile } from './imports.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Every folder of src/ above core; a core file importing any of them breaks the rule. */
const ABOVE_CORE = ['providers', 'config', 'commands', 'ui', 'serve', 'bench', 'learn', 'history', 'output', 'report', 'batch', 'media', 'mock-server'];

describe('the layer checker', () => {
  it('sees every import form, and not imports in comments or strings', () => {
    const file: SourceFile = {
      path: 'src/core/x.ts',
      text: [
        "import { a } from '../providers/a.js';",
        "import type { B } from '../config/b.js';",
        "export { c } from '../commands/c.js';",
        "export type * from '../ui/d.js';",
        "import '../serve/e.js';",
        "const f = await import('../bench/f.js');",
        "type G = typeof import('../learn/g.js');",
        'const h = await import(',
        "  '../history/h.js'",
        ');',
        "// import x from '../output/comment.js'",
        "const s = \"import y from '../report/string.js'\";",
        "import { ok } from './types.js';",
      ].join('\n'),
    };
    expect(relativeImports(file).map((i) => `${i.line} ${i.target}`)).toEqual([
      '1 src/providers/a.js',
      '2 src/config/b.js',
      '3 src/commands/c.js',
      '4 src/ui/d.js',
      '5 src/serve/e.js',
      '6 src/bench/f.js',
      '7 src/learn/g.js',
      '9 src/history/h.js',
      '13 src/core/types.js',
    ]);
    expect(layerViolations([file])).toEqual([
      'src/core/x.ts:1 imports ../providers/a.js (core may import only core)',
      'src/core/x.ts:2 imports ../config/b.js (core may import only core)',
      'src/core/x.ts:3 imports ../commands/c.js (core may import only core)',
      'src/core/x.ts:4 imports ../ui/d.js (core may import only core)',
      'src/core/x.ts:5 imports ../serve/e.js (core may import only core)',
      'src/core/x.ts:6 imports ../bench/f.js (core may import only core)',
      'src/core/x.ts:7 imports ../learn/g.js (core may import only core)',
      'src/core/x.ts:9 imports ../history/h.js (core may import only core)',
    ]);
  });

  it('flags a core import of every folder above core, and of files outside src/', () => {
    const files = [...ABOVE_CORE.map((dir) => `../${dir}/x.js`), '../cli.js', '../../package.json'].map((spec, i) => ({ path: `src/core/f${i}.ts`, text: `import x from '${spec}';\n` }));
    expect(layerViolations(files)).toHaveLength(files.length);
  });

  it('applies the rule of the importing folder: providers → config is wrong, config → providers is right, ui → config is wrong, a folder without a rule is not checked', () => {
    const files: SourceFile[] = [
      { path: 'src/providers/p.ts', text: "import type { MmrConfig } from '../config/types.js';\nimport type { ModelRequest } from '../core/types.js';\n" },
      { path: 'src/config/c.ts', text: "import { getPreset } from '../providers/presets.js';\n" },
      { path: 'src/ui/App.tsx', text: "import { loadConfig } from '../config/load.js';\nimport type { FanoutEvent } from '../core/types.js';\n" },
      { path: 'src/commands/ask.ts', text: "import { runAll } from '../ui/App.js';\n" },
    ];
    expect(layerViolations(files)).toEqual([
      'src/providers/p.ts:1 imports ../config/types.js (providers may import only providers, core)',
      'src/ui/App.tsx:1 imports ../config/load.js (ui must not import providers, config, commands, serve, bench, batch)',
    ]);
  });

  it('names layers by the top-level folder of src/', () => {
    expect([layerOf('src/core/fanout.ts'), layerOf('src/ui/App.tsx'), layerOf('src/cli.ts'), layerOf('test/core/x.ts')]).toEqual(['core', 'ui', 'cli', undefined]);
  });
});

describe('the sources keep the layers', () => {
  const sources = readSources(root, 'src');

  it('src/core imports nothing above it', () => {
    const core = sources.filter((f) => layerOf(f.path) === 'core');
    // A checker that read no files, or no imports, would pass for nothing.
    expect(core.length).toBeGreaterThan(20);
    expect(core.flatMap(relativeImports).length).toBeGreaterThan(20);
    expect(layerViolations(core)).toEqual([]);
  });

  it('providers, config and the UI import only downward', () => {
    const checked = sources.filter((f) => ['providers', 'config', 'ui'].includes(layerOf(f.path) ?? ''));
    expect(checked.length).toBeGreaterThan(40);
    expect(layerViolations(checked)).toEqual([]);
  });

  it('only the commands (and cli.ts) import the commands: session, serve and the feature folders import downward', () => {
    const checked = sources.filter((f) => ['session', 'serve', 'bench', 'batch', 'learn', 'history', 'report'].includes(layerOf(f.path) ?? ''));
    expect(checked.length).toBeGreaterThan(60);
    expect(layerViolations(checked)).toEqual([]);
    const importers = new Set(sources.filter((f) => relativeImports(f).some((i) => layerOf(i.target) === 'commands')).map((f) => layerOf(f.path)));
    expect([...importers].sort()).toEqual(['cli', 'commands']);
  });
});
