// Bundles src/cli.ts into a code-split ESM build in dist/ (see DESIGN.md): the entry chunk holds
// only commander and the CLI wiring; every command, provider, Ink and the price data are
// separate chunks loaded by dynamic import() when a command needs them.
import { build } from 'esbuild';
import { readFile, readdir, rm, mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const outdir = path.join(root, 'dist');
// Overwrite in place rather than deleting dist/ first: a test run or a running mmr may be
// loading chunks right now. Chunk names are content hashes, so unchanged code keeps its files.
await mkdir(outdir, { recursive: true });
const empty = path.join(outdir, '.empty.js');
await writeFile(empty, 'export default {};\n');

const started = performance.now();
const result = await build({
  // The local provider server is its own entry so tests, benchmarks and `mmr demo` share one build.
  entryPoints: [path.join(root, 'src/cli.ts'), path.join(root, 'src/mock-server/index.ts')],
  outbase: path.join(root, 'src'),
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __MMR_VERSION__: JSON.stringify(pkg.version), 'process.env.NODE_ENV': '"production"' },
  // Ink's optional devtools integration; never used at run time.
  alias: { 'react-devtools-core': empty },
  // Some CommonJS dependencies (commander) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __mmrCreateRequire } from 'node:module'; const require = __mmrCreateRequire(import.meta.url);" },
});
const produced = new Set(Object.keys(result.metafile.outputs).map((f) => path.resolve(root, f)));
for (const dir of [outdir, path.join(outdir, 'chunks'), path.join(outdir, 'mock-server')]) {
  for (const name of await readdir(dir).catch(() => [])) {
    const file = path.join(dir, name);
    if (/\.js(\.map)?$/.test(name) && !produced.has(file)) await rm(file, { force: true });
  }
}
const entry = result.metafile.outputs['dist/cli.js'] ?? Object.entries(result.metafile.outputs).find(([k]) => k.endsWith('dist/cli.js'))?.[1];
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.error(`built dist/ in ${Math.round(performance.now() - started)} ms; entry ${entry ? kb(entry.bytes) : '?'}`);
