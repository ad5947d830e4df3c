import path from 'node:path';
import type { Context } from '../context.js';
import { KfeedError } from '../errors.js';
import { MSK_LISTENER_PLAN_KIND, planFileKind } from '../kafka/listener-plan-file.js';
import { defineCommand } from './command.js';
import { withAwsOptions, withClusterOptions } from './msk/aws.js';
import { integer, withConnectionOptions } from './options.js';
import { jsonOf, renderResult } from './update-listeners/render.js';
import { DEFAULT_LISTENER, type UpdateListenersOptions, type UpdateListenersResult } from './update-listeners/types.js';

export { DEFAULT_LISTENER, type UpdateListenersOptions, type UpdateListenersResult } from './update-listeners/types.js';

export default defineCommand<UpdateListenersOptions, UpdateListenersResult>({
  name: 'update-listeners',
  summary:
    'make broker N reachable at <host for N>:<port base + N> through a load balancer (PrivateLink), ' +
    'keeping the existing listeners',
  flags: (command) =>
    withAwsOptions(
      withClusterOptions(
        withConnectionOptions(
          command
            .option(
              '--listener-name <name>',
              `the new listener (default ${DEFAULT_LISTENER}; ` +
                'with --msk the client listener to re-advertise, default CLIENT_SECURE)',
            )
            .option('--security-protocol <protocol>', 'its security protocol', 'SSL')
            .option(
              '--host-template <template>',
              'advertised host, {id} = broker id (default b-{id}-tls.<cluster domain>)',
            )
            .option(
              '--port-base <n>',
              'broker N is advertised at port base + N (one load balancer port per broker)',
              integer('--port-base', 0, 65534),
              8440,
            )
            .option(
              '--bind-host <host>',
              'host the new listener binds (default: that of an existing listener with the same protocol)',
            )
            .option(
              '--bind-port <port>',
              'port every broker binds the new listener on (default: its advertised port)',
              integer('--bind-port', 1, 65535),
            )
            .option(
              '--bind-port-base <n>',
              'broker N binds port base + N (brokers sharing a host)',
              integer('--bind-port-base', 0, 65534),
            )
            .option('--apply', 'apply the plan (default: show it and change nothing)')
            .option(
              '--plan-file <file>',
              'where --apply saves the plan and the old values (default ./kfeed-listeners-<time>.json)',
            )
            .option('--revert <planfile>', 'restore the values saved in a plan file')
            .option('--force', 'with --revert: restore even if the listeners changed since the plan was applied')
            .option('--print-nlb', 'print the load balancer table (port -> broker -> target) and change nothing')
            .option(
              '--timeout <seconds>',
              'how long to wait for each change to take effect',
              integer('--timeout', 5, 7200),
              120,
            )
            .option('--msk', 'Amazon MSK (needed for KRaft): set custom.advertised.listeners through the MSK API')
            .option(
              '--configuration-name <name>',
              'with --msk: name of the configuration to create when the cluster has none (default kfeed-<cluster>)',
            )
            .option(
              '--poll-interval <seconds>',
              'with --msk: seconds between checks of the cluster operation',
              integer('--poll-interval', 1, 600),
              15,
            ),
        ),
      ),
    ),
  validate: (options) => {
    if (options.revert && (options.apply || options.printNlb)) {
      throw new KfeedError('usage', '--revert cannot be combined with --apply or --print-nlb', {
        hint: 'run them separately',
      });
    }
  },
  run: updateListenersRun,
  render: renderResult,
  json: jsonOf,
});

/** Amazon MSK (--msk, or --revert of an MSK plan file) or a Kafka cluster's own broker configs. */
async function updateListenersRun(ctx: Context, options: UpdateListenersOptions): Promise<UpdateListenersResult> {
  if (
    options.msk ||
    (options.revert && planFileKind(path.resolve(ctx.cwd, options.revert)) === MSK_LISTENER_PLAN_KIND)
  ) {
    const { mskListenersRun } = await import('./update-listeners/msk.js');
    return mskListenersRun(ctx, options);
  }
  const { kafkaListenersRun } = await import('./update-listeners/kafka.js');
  return kafkaListenersRun(ctx, options);
}
