import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { clusterEndpoints, listClusterNames, localClusterStatus, readClusterState } from '../../local/cluster.js';
import { clusterNameOption, renderStatus, requireState } from './shared.js';

export function register(group: Command, ctx: Context): void {
  group
    .command('status')
    .description('show whether the cluster runs, its addresses and files')
    .addOption(clusterNameOption())
    .option('--all', 'every local cluster')
    .action((options: { name: string; all?: boolean }) => localStatus(ctx, options));
}

export async function localStatus(ctx: Context, options: { name: string; all?: boolean }): Promise<void> {
  if (options.all) {
    const names = listClusterNames(ctx.paths.dataDir);
    const states = names.map((n) => readClusterState(ctx.paths.dataDir, n)!);
    if (ctx.json) return ctx.printJson(states.map((s) => ({ name: s.name, mode: s.mode, kafkaVersion: s.kafkaVersion, running: localClusterStatus(s).brokers.every((b) => b.running), bootstrap: clusterEndpoints(s) })));
    ctx.printTable(
      states,
      [
        { header: 'NAME', value: (s) => s.name },
        { header: 'MODE', value: (s) => s.mode },
        { header: 'VERSION', value: (s) => s.kafkaVersion },
        { header: 'BROKERS', value: (s) => s.brokers.length, align: 'right' },
        { header: 'STATE', value: (s) => (localClusterStatus(s).brokers.every((b) => b.running) ? 'running' : 'stopped') },
        { header: 'MTLS', value: (s) => clusterEndpoints(s).tls.join(',') },
      ],
      'no local clusters',
    );
    return;
  }
  const state = requireState(ctx, options.name);
  renderStatus(ctx, state);
  if (!localClusterStatus(state).brokers.every((b) => b.running)) {
    throw new KfeedError('connection', `cluster ${state.name} is not fully running`, { hint: 'see `kfeed local logs`, or restart it with `kfeed local down` then `kfeed local up`' });
  }
}

