/**
 * Programs mmr runs (the `command` provider; bench's `command` check) run in their own process
 * group (spawn with `detached: true`), so ending one ends everything it started: a wrapper
 * script's grandchild that holds stdout open or ignores SIGTERM can neither keep mmr waiting nor
 * outlive it. Ending a group is SIGTERM to all of it, then SIGKILL after a short grace.
 *
 * Groups still running when mmr exits (a second Ctrl-C exits at once) are SIGKILLed from an
 * 'exit' hook: a process-wide list, because the exit of the process is process-wide too.
 * Only a SIGKILL of mmr itself escapes this; nothing in Node can catch that.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** ms between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 1000;

/** Longest wait for a SIGKILLed group to be gone, in ms. */
const KILL_WAIT_MS = 2000;

/** How often a dying group is checked, in ms; there is no event for "the last member exited". */
const POLL_MS = 20;

const live = new Set<number>();
let hooked = false;

function killAllOnExit(): void {
  for (const pgid of live) signalGroup(pgid, 'SIGKILL');
}

/** Remembers a group (the pid of a child spawned detached) so it is killed if mmr exits first. */
export function trackGroup(pgid: number): void {
  live.add(pgid);
  if (!hooked) {
    hooked = true;
    process.on('exit', killAllOnExit);
  }
}

/** Sends `signal` to every process of the group; false when none is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    // Windows has no process groups to signal: the program itself is the best that can be reached.
    process.kill(process.platform === 'win32' ? pgid : -pgid, signal);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether any process of the group is still running. A zombie (exited, not yet reaped: orphans
 * in a container whose PID 1 never reaps stay that way) still answers kill(0), so on Linux the
 * members' states are read from /proc and zombies do not count.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  return livingMembers(pgid) > 0;
}

/** Processes of group `pgid` that are not zombies, from /proc/<pid>/stat. */
export function livingMembers(pgid: number): number {
  let n = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 1; // no /proc to read: trust kill(0), which said the group exists
  }
  for (const name of entries) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') n++;
  }
  return n;
}

const pause = (ms: number, unref: boolean) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    if (unref) t.unref();
  });

export interface KillOptions {
  /** ms between SIGTERM and SIGKILL (default KILL_GRACE_MS). */
  graceMs?: number;
  /** Let mmr exit without waiting for the grace to run out (the exit hook then sends SIGKILL). */
  unref?: boolean;
}

/**
 * Ends the whole group: SIGTERM, then SIGKILL once `graceMs` passed with any member left.
 * Resolves when no member is running (at most KILL_WAIT_MS after the SIGKILL). Safe to call twice.
 */
export async function killGroup(pgid: number, opts: KillOptions = {}): Promise<void> {
  const graceMs = opts.graceMs ?? KILL_GRACE_MS;
  const unref = opts.unref === true;
  if (!signalGroup(pgid, 'SIGTERM')) {
    live.delete(pgid);
    return;
  }
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline) {
    if (!groupAlive(pgid)) {
      live.delete(pgid);
      return;
    }
    await pause(POLL_MS, unref);
  }
  signalGroup(pgid, 'SIGKILL');
  // SIGKILL cannot be ignored, but the kernel takes a moment to end a process on a busy machine.
  const killedBy = performance.now() + KILL_WAIT_MS;
  while (groupAlive(pgid) && performance.now() < killedBy) await pause(POLL_MS, unref);
  live.delete(pgid);
}

/** Forgets a group that ended by itself. */
export function untrackGroup(pgid: number): void {
  live.delete(pgid);
}
