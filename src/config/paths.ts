/**
 * Where config lives. These mirror env-paths('mmr', {suffix: ''}).config exactly, but read the
 * injected env instead of process.env: env-paths captures process.env and os.homedir() when it
 * is imported, so tests (and callers with a custom env) could not steer it.
 */
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

/**
 * Directories searched for a project file: cwd, then each parent up to and including the home
 * directory; when cwd is outside home, up to the filesystem root.
 */
export function searchDirs(cwd: string, env: NodeJS.ProcessEnv): string[] {
  const stop = path.resolve(homeDir(env));
  const dirs: string[] = [];
  let dir = path.resolve(cwd);
  for (;;) {
    dirs.push(dir);
    const parent = path.dirname(dir);
    if (dir === stop || parent === dir) return dirs;
    dir = parent;
  }
}
