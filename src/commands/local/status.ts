import { ExitCode } from '../../errors.js';
import { listClusterNames, readClusterState } from '../../local/state.js';
import { defineCommand } from '../command.js';
import { clusterNameOption, clusterView, renderClusterView, requireState, type ClusterView } from './shared.js';

export interface StatusOptions {
  name: string;
  all?: boolean;
}

/** One cluster's view, or (with --all) a line per cluster. */
export type StatusResult =
  | { kind: 'one'; cluster: ClusterView }
  | {
      kind: 'all';
      clusters: Array<
        Pick<ClusterView, 'name' | 'mode' | 'kafkaVersion' | 'running' | 'bootstrap'> & { brokerCount: number }
      >;
    };

export default defineCommand<StatusOptions, StatusResult>({
  name: 'status',
  summary: 'show whether the cluster runs, its addresses and files',
  flags: (command) => command.addOption(clusterNameOption()).option('--all', 'every local cluster'),
  run: async (ctx, options) => {
    if (options.all) {
      const views = listClusterNames(ctx.paths.dataDir).map((n) =>
        clusterView(readClusterState(ctx.paths.dataDir, n)!),
      );
      const clusters = views.map((v) => ({
        name: v.name,
        mode: v.mode,
        kafkaVersion: v.kafkaVersion,
        running: v.running,
        bootstrap: v.bootstrap,
        brokerCount: v.brokers.length,
      }));
      return { kind: 'all', clusters };
    }
    const cluster = clusterView(requireState(ctx, options.name));
    if (!cluster.running) {
      ctx.info(
        `cluster ${cluster.name} is not fully running — see \`kfeed local logs --name ${cluster.name}\`, ` +
          'or restart it with `kfeed local down` then `kfeed local up`',
      );
    }
    return { kind: 'one', cluster };
  },
  render: (result, view) => {
    if (result.kind === 'one') return renderClusterView(result.cluster, view.colorful);
    return view.table(
      result.clusters,
      [
        { header: 'NAME', value: (c) => c.name },
        { header: 'MODE', value: (c) => c.mode },
        { header: 'VERSION', value: (c) => c.kafkaVersion },
        { header: 'BROKERS', value: (c) => c.brokerCount, align: 'right' },
        { header: 'STATE', value: (c) => (c.running ? 'running' : 'stopped') },
        { header: 'MTLS', value: (c) => c.bootstrap.tls.join(',') },
      ],
      'no local clusters',
    );
  },
  // The JSON of `local status` was the cluster's view (or a list with --all) before: kept.
  json: (result) =>
    result.kind === 'one'
      ? result.cluster
      : result.clusters.map(({ name, mode, kafkaVersion, running, bootstrap }) => ({
          name,
          mode,
          kafkaVersion,
          running,
          bootstrap,
        })),
  exitCode: (result) => (result.kind === 'one' && !result.cluster.running ? ExitCode.connection : ExitCode.ok),
});
