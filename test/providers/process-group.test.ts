import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { groupAlive, killGroup, KILL_GRACE_MS, livingMembers } from '../../src/providers/process-group.js';

/** A detached shell (its own group) with a background child; it prints its pid once both run. */
async function group(script: string): Promise<number> {
  const child = spawn('sh', ['-c', `${script} & echo $$; wait`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  child.unref();
  return Number(line.toString().trim());
}

describe('process groups', () => {
  it('sees every member, and ends the whole group with SIGTERM when it listens', async () => {
    const pgid = await group('sleep 30');
    expect(groupAlive(pgid)).toBe(true);
    expect(livingMembers(pgid)).toBe(2);
    const t0 = performance.now();
    await killGroup(pgid);
    expect(performance.now() - t0).toBeLessThan(KILL_GRACE_MS);
    expect(groupAlive(pgid)).toBe(false);
  });

  it('falls back to SIGKILL after the grace when the group ignores SIGTERM', async () => {
    const pgid = await group('trap "" TERM; sleep 30');
    await killGroup(pgid, { graceMs: 200 });
    expect(groupAlive(pgid)).toBe(false);
  });

  it('kills groups still running when the process exits', async () => {
    const script = path.join(import.meta.dirname, 'fixtures/exit-with-group.ts');
    const r = await execa(process.execPath, ['--import', 'tsx', script], { reject: false, timeout: 15_000 });
    const pgid = Number(r.stdout.trim());
    expect(pgid).toBeGreaterThan(1);
    // The 'exit' hook sent SIGKILL: nothing of the group outlives its parent (the sleep would for 60 s).
    await until(() => !groupAlive(pgid), 3000);
  });
});

