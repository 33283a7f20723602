/**
 * Where config lives. These mirror env-paths('mmr', {suffix: ''}).config exactly, but read the
 * injected env instead of process.env: env-paths captures process.env and os.homedir() when it
 * is imported, so tests (and callers with a custom env) could not steer it.
 */
import { realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The user's home: HOME (USERPROFILE on Windows), else the OS's idea of it. */
export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

/**
 * The user-level config directory: `$XDG_CONFIG_HOME/mmr` when set (on every platform, since
 * people who set it expect it honoured), else the platform's place as env-paths gives it.
 */
export function userConfigDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'mmr');
  const home = homeDir(env);
  if (platform === 'darwin') return path.join(home, 'Library', 'Preferences', 'mmr');
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'mmr', 'Config');
  return path.join(home, '.config', 'mmr');
}

/** Project-level files, in the order they are tried in each directory (cosmiconfig's order). */
export const SEARCH_PLACES = ['package.json', '.routerrc', '.routerrc.json', '.routerrc.yaml', '.routerrc.yml'] as const;

/** User-level files in userConfigDir(), first found wins. */
export const USER_FILES = ['config.yaml', 'config.yml', 'config.json'] as const;

/** The package.json field that holds config. */
export const PACKAGE_FIELD = 'router';

/** Whether `dir` is the top of a git work tree: it holds `.git` (a directory, or a file in worktrees and submodules). */
export function isRepoRoot(dir: string): boolean {
  try {
    return statSync(path.join(dir, '.git'), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

const within = (dir: string, top: string) => {
  const rel = path.relative(top, dir);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
};

/** HOME as given and as resolved (a symlinked home still contains the real cwd); none when HOME is `/`. */
function homes(env: NodeJS.ProcessEnv): string[] {
  const home = path.resolve(homeDir(env));
  if (path.dirname(home) === home) return []; // HOME=/ would make every directory "inside home"
  const out = [home];
  try {
    const real = realpathSync.native(home);
    if (real !== home) out.push(real);
  } catch {
    // HOME does not exist: nothing is inside it.
  }
  return out;
}

/**
 * Directories searched for a project file, nearest first. Inside the home directory: cwd, then
 * each parent up to and including home. Outside it (a shared /tmp, /srv, a CI checkout): cwd up
 * to the root of the enclosing git repository, or cwd alone when there is none, so a
 * `.routerrc` planted higher up by another user is never reached.
 */
export function searchDirs(cwd: string, env: NodeJS.ProcessEnv, repoRoot: (dir: string) => boolean = isRepoRoot): string[] {
  const start = path.resolve(cwd);
  const home = homes(env).find((h) => within(start, h));
  const dirs: string[] = [];
  for (let dir = start; ; dir = path.dirname(dir)) {
    dirs.push(dir);
    if (home ? dir === home : repoRoot(dir)) return dirs;
    if (path.dirname(dir) === dir) return home ? dirs : [start];
  }
}
