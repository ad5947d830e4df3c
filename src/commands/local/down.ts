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
  await removeCluster(ctx, options.name);
  if (ctx.json) ctx.printJson({ name: options.name, stopped: true });
}

/** Stops the cluster, deletes its folder and the profile `local up` wrote for it (status on stderr). */
export async function removeCluster(ctx: Context, name: string): Promise<void> {
  requireState(ctx, name);
  const progress = ctx.progress(`stopping local cluster ${name}`);
  await stopLocalCluster(ctx.paths.dataDir, name);
  const profile = ctx.profiles.get(name);
  if (profile?.meta?.localCluster === name) ctx.profiles.remove(name);
  progress.succeed(`local cluster ${name} stopped and removed`);
}
