import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { withGroups, type GroupSummary } from '../../kafka/groups.js';
import { defineCommand } from '../command.js';
import { connectionFlags, withConnectionOptions } from '../options.js';
import { formatSeconds } from './shared.js';

export interface ListGroupsResult {
  groups: GroupSummary[];
}

export default defineCommand<ConnectionFlags, ListGroupsResult>({
  name: 'list',
  summary: 'list consumer groups with state, members, lag in messages and the largest lag in seconds',
  flags: (command) => withConnectionOptions(command),
  run: async (ctx: Context, options) => {
    const settings = await ctx.connection(connectionFlags(options));
    return { groups: await withGroups(settings, (client) => client.list(), ctx.abort.signal) };
  },
  json: (result) => result.groups,
  render: (result, view) =>
    view.table(
      result.groups,
      [
        { header: 'GROUP', value: (g) => g.group },
        { header: 'STATE', value: (g) => g.state },
        { header: 'PROTOCOL', value: (g) => g.protocol || g.protocolType || '-' },
        { header: 'MEMBERS', value: (g) => g.members, align: 'right' },
        { header: 'LAG', value: (g) => (g.committedPartitions ? g.lag : 'no commits'), align: 'right' },
        { header: 'LAG TIME', value: (g) => formatSeconds(g.lagSeconds), align: 'right' },
      ],
      'no consumer groups (this client sees only the groups it may describe)',
    ),
});
