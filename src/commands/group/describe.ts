import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { withGroups, type GroupDescription } from '../../kafka/groups.js';
import { renderView, defineCommand } from '../command.js';
import { connectionFlags, integer, withConnectionOptions } from '../options.js';
import { sleep } from '../../wait.js';
import { renderGroup } from './shared.js';

export interface DescribeGroupOptions extends ConnectionFlags {
  group: string;
  watch?: boolean;
  interval: number;
}

export interface DescribeGroupResult {
  /** The last snapshot (with --watch: the one on screen when it was stopped). */
  description: GroupDescription;
  /** Snapshots already printed while watching (the result itself prints nothing more). */
  watched: boolean;
}

export default defineCommand<DescribeGroupOptions, DescribeGroupResult>({
  name: 'describe',
  summary: 'per partition: committed offset, log end, lag in messages and in seconds, member',
  args: [{ key: 'group', syntax: '<group>', description: 'consumer group id' }],
  flags: (command) =>
    withConnectionOptions(
      command
        .option(
          '-w, --watch',
          'keep measuring: redraw on a terminal, a snapshot per interval when piped (Ctrl-C stops)',
        )
        .option('--interval <seconds>', 'seconds between measurements with --watch', integer('--interval', 1, 3600), 2),
    ),
  run: async (ctx: Context, options) => {
    const settings = await ctx.connection(connectionFlags(options));
    return withGroups(
      settings,
      async (client) => {
        if (!options.watch) return { description: await client.describe(options.group), watched: false };
        const out = ctx.io.stdout;
        const redraw = Boolean(out.isTTY) && !ctx.json;
        let drawn = 0;
        let last: GroupDescription | undefined;
        // Ends only through the signal (Ctrl-C / SIGTERM), which `sleep` turns into exit 130 / 143.
        for (;;) {
          last = await client.describe(options.group);
          if (ctx.json) {
            out.write(JSON.stringify(last) + '\n');
          } else {
            const lines = renderGroup(last, renderView(ctx)).split('\n');
            if (redraw) {
              out.write(`${drawn ? `\x1b[${drawn}A\r` : ''}\x1b[J${lines.join('\n')}\n`);
              drawn = lines.length;
            } else {
              out.write(`--- ${last.measuredAt}\n${lines.join('\n')}\n`);
            }
          }
          await sleep(options.interval * 1000, ctx.abort.signal);
        }
      },
      ctx.abort.signal,
    );
  },
  json: (result) => (result.watched ? undefined : result.description),
  render: (result, view) => (result.watched ? undefined : renderGroup(result.description, view)),
});
