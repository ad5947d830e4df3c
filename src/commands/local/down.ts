import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { stopLocalCluster } from '../../local/cluster.js';
import { clusterNameOption, requireState } from './shared.js';

export function register(group: Command, ctx: Context): void {
  group
    .command('down')
    .description('stop the cluster and delete its data, certificates and profile')
    .addOption(clusterNameOption())
    .action((options: { name: string }) => localDown(ctx, options));
}

export async function localDown(ctx: Context, options: { name: string }): Promise<void> {
  requireState(ctx, options.name);
  const progress = ctx.progress(`stopping local cluster ${options.name}`);
  await stopLocalCluster(ctx.paths.dataDir, options.name);
  const profile = ctx.profiles.get(options.name);
  if (profile?.meta?.localCluster === options.name) ctx.profiles.remove(options.name);
  progress.succeed(`local cluster ${options.name} stopped and removed`);
  if (ctx.json) ctx.printJson({ name: options.name, stopped: true });
}
