import { takeDownCluster, type TakeDownResult } from '../../local/lifecycle.js';
import { defineCommand } from '../command.js';
import { clusterNameOption, requireState } from './shared.js';

export default defineCommand<{ name: string }, TakeDownResult>({
  name: 'down',
  summary: 'stop the cluster and delete its data, certificates and profile',
  flags: (command) => command.addOption(clusterNameOption()),
  run: async (ctx, options) => {
    requireState(ctx, options.name);
    const progress = ctx.progress(`stopping local cluster ${options.name}`);
    const result = await takeDownCluster({ dataDir: ctx.paths.dataDir, name: options.name, profiles: ctx.profiles });
    progress.succeed(`local cluster ${options.name} stopped and removed`);
    return result;
  },
  // Status went to stderr; `--json` says what was done.
  render: () => undefined,
});
