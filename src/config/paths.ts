import os from 'node:os';
import path from 'node:path';

/** Where kfeed keeps things, following the XDG base directory convention. */
export interface KfeedPaths {
  /** Profiles: `$XDG_CONFIG_HOME/kfeed` (default `~/.config/kfeed`). */
  configDir: string;
  /** Local clusters' state: `$XDG_DATA_HOME/kfeed` (default `~/.local/share/kfeed`). */
  dataDir: string;
  /** Downloaded broker jars: `$XDG_CACHE_HOME/kfeed` (default `~/.cache/kfeed`). */
  cacheDir: string;
}

export function kfeedPaths(env: NodeJS.ProcessEnv): KfeedPaths {
  const home = env.HOME || os.homedir();
  const base = (variable: string, fallback: string) => {
    const value = env[variable];
    // XDG says relative values are invalid and must be ignored.
    return value && path.isAbsolute(value) ? value : path.join(home, fallback);
  };
  return {
    configDir: path.join(base('XDG_CONFIG_HOME', '.config'), 'kfeed'),
    dataDir: path.join(base('XDG_DATA_HOME', '.local/share'), 'kfeed'),
    cacheDir: path.join(base('XDG_CACHE_HOME', '.cache'), 'kfeed'),
  };
}
