// Runs every benchmark and prints one table. `npm run bench` (builds first).
const suites = ['./startup.mjs', './ask.mjs', './stream.mjs', './timing.mjs', './tui.mjs'];
const all = [];
for (const s of suites) {
  console.log(`\n# ${s}`);
  all.push(...(await import(s)).default);
}
// The routing micro-benchmark is TypeScript run in-process (no bundle needed).
{
  console.log('\n# ./routing.ts');
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./routing.ts', import.meta.url).pathname], { stdio: 'inherit' });
  if (r.status !== 0) all.push({ name: 'routing.ts', ok: false });
}
const over = all.filter((r) => !r.ok);
console.log(`\n${all.length - over.length}/${all.length} within budget${over.length ? `; over: ${over.map((r) => r.name).join(', ')}` : ''}`);
