import type { Profile } from '../../config/profiles.js';
import { defineCommand } from '../command.js';

export type ProfileListEntry = Profile & { name: string; isDefault: boolean };

export default defineCommand<object, ProfileListEntry[]>({
  name: 'list',
  summary: 'list profiles; * marks the default',
  run: async (ctx) => {
    const data = ctx.profiles.read();
    return Object.entries(data.profiles).map(([name, p]) => ({ name, ...p, isDefault: name === data.defaultProfile }));
  },
  render: (rows, view) =>
    view.table(
      rows,
      [
        { header: '', value: (r) => (r.isDefault ? '*' : '') },
        { header: 'NAME', value: (r) => r.name },
        { header: 'SECURITY', value: (r) => r.security ?? 'ssl' },
        { header: 'BROKERS', value: (r) => r.brokers.join(',') },
      ],
      'no profiles (`kfeed local up` or `kfeed profile add` makes one)',
    ),
});
