import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { withGroups } from '../../kafka/groups.js';
import { defineCommand } from '../command.js';
import { connectionFlags, withConnectionOptions } from '../options.js';

export interface DeleteGroupOptions extends ConnectionFlags {
  group: string;
  yes?: boolean;
}

export interface DeleteGroupResult {
  deleted: string;
}

export default defineCommand<DeleteGroupOptions, DeleteGroupResult>({
  name: 'delete',
  summary: 'delete a consumer group and its committed offsets (asks first; refused while it has members)',
  args: [{ key: 'group', syntax: '<group>', description: 'consumer group id' }],
  flags: (command) => withConnectionOptions(command.option('-y, --yes', 'do not ask for confirmation')),
  run: async (ctx: Context, options) => {
    if (!options.yes) {
      if (!ctx.canPrompt())
        throw new KfeedError('usage', `refusing to delete group ${options.group} without confirmation`, {
          hint: 'pass --yes',
        });
      if (!(await ctx.promptConfirm(`Delete group ${options.group} and its committed offsets?`))) {
        throw new KfeedError('usage', 'nothing deleted', { hint: 'answer yes, or pass --yes' });
      }
    }
    const settings = await ctx.connection(connectionFlags(options));
    await withGroups(settings, (client) => client.deleteGroup(options.group), ctx.abort.signal);
    return { deleted: options.group };
  },
  render: (result) => `deleted group ${result.deleted}`,
});
