import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** End-to-end tests run the built binary; build it once per test run so it is never stale. */
export default function setup() {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
}
