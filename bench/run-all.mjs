// Runs every benchmark and prints one table. `npm run bench` (builds first).
const suites = ['./startup.mjs', './ask.mjs', './tui.mjs'];
const all = [];
for (const s of suites) {
  console.log(`\n# ${s}`);
  all.push(...(await import(s)).default);
}
const over = all.filter((r) => !r.ok);
console.log(`\n${all.length - over.length}/${all.length} within budget${over.length ? `; over: ${over.map((r) => r.name).join(', ')}` : ''}`);
