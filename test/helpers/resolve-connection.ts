import { resolveConnection, type ConnectionFlags } from '../../src/config/connection.js';
import { ProfileStore, type Profile } from '../../src/config/profiles.js';
import { tempDir } from './env.js';

/** Resolves with these flags, environment and profiles, from an empty folder unless `cwd`. */
export function resolveWith(
  flags: ConnectionFlags,
  options: {
    env?: NodeJS.ProcessEnv;
    profiles?: Record<string, Profile>;
    defaultProfile?: string;
    cwd?: string;
    asked?: string;
  } = {},
) {
  const store = new ProfileStore(tempDir('kfeed-profiles-'));
  for (const [name, profile] of Object.entries(options.profiles ?? {}))
    store.put(name, profile, { makeDefault: name === options.defaultProfile });
  const questions: string[] = [];
  const secrets = { password: async (message: string) => (questions.push(message), options.asked) };
  const settings = resolveConnection({
    flags,
    env: options.env ?? {},
    cwd: options.cwd ?? tempDir('kfeed-cwd-'),
    profiles: store,
    secrets,
  });
  return { settings, questions };
}
