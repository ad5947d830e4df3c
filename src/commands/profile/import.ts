import path from 'node:path';
import { readUserFile } from '../../config/files.js';
import type { ImportedProfile } from '../../config/profile-import.js';
import { checkProfileName } from '../../config/profiles.js';
import { defineCommand } from '../command.js';

export interface ProfileImportOptions {
  file: string;
  name: string;
  default?: boolean;
  force?: boolean;
}

export type ProfileImportResult = ImportedProfile & { file: string };

export default defineCommand<ProfileImportOptions, ProfileImportResult>({
  name: 'import',
  summary: "save a profile file (a subscriber bundle's kfeed-profile.json) as a profile",
  args: [
    { key: 'file', syntax: '<file>', description: 'the profile file (JSON); its paths are relative to its folder' },
  ],
  flags: (command) =>
    command
      .option('--name <name>', 'the profile name', 'feed')
      .option('--default', 'make it the default profile (an existing default otherwise stays)')
      .option('--force', 'replace an existing profile of that name'),
  validate: (options) => void checkProfileName(options.name),
  run: async (ctx, options) => {
    const { importProfile, parseProfileFile } = await import('../../config/profile-import.js');
    const file = path.resolve(ctx.cwd, options.file);
    const profile = parseProfileFile(readUserFile(file, 'profile file'), file);
    const imported = importProfile(ctx.profiles, options.name, profile, {
      force: options.force,
      makeDefault: options.default,
    });
    return { ...imported, file };
  },
  render: (r) =>
    `profile ${r.name} ${r.replaced ? 'replaced' : 'saved'} from ${r.file}` +
    (r.defaultProfile === r.name
      ? ' (the default profile)'
      : `; the default stays ${r.defaultProfile ?? 'unset'}: use it with --profile ${r.name}`),
});
