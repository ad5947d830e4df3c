import { Option } from 'commander';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { localIamView } from '../../local/iam.js';
import { clusterEndpoints, listClusterNames, localClusterStatus, readClusterState, type LocalClusterState } from '../../local/cluster.js';
import { colorsFor } from '../../render/color.js';

export const clusterNameOption = () => new Option('--name <name>', 'cluster name (several can run at once)').default('local');

export function requireState(ctx: Context, name: string): LocalClusterState {
  const state = readClusterState(ctx.paths.dataDir, name);
  if (!state) {
    const others = listClusterNames(ctx.paths.dataDir);
    throw new KfeedError('notFound', `no local cluster named "${name}"`, {
      hint: others.length ? `known: ${others.join(', ')}` : 'start one with `kfeed local up`',
    });
  }
  return state;
}

export function renderStatus(ctx: Context, state: LocalClusterState): void {
  const status = localClusterStatus(state);
  if (ctx.json) {
    ctx.printJson({
      name: state.name,
      mode: state.mode,
      kafkaVersion: state.kafkaVersion,
      requireAcls: state.requireAcls,
      scramUser: state.scramUser ?? null,
      iam: state.iam ? localIamView(state.iam) : null,
      running: status.brokers.every((b) => b.running),
      bootstrap: clusterEndpoints(state),
      brokers: status.brokers,
      zookeeper: status.zookeeper,
      files: state.files,
      principals: state.principals,
    });
    return;
  }
  const endpoints = clusterEndpoints(state);
  const color = colorsFor(ctx);
  ctx.print(
    [
      `cluster       ${state.name} (${state.mode}, Kafka ${state.kafkaVersion}${state.requireAcls ? ', ACLs required' : ''})`,
      `mTLS          ${endpoints.tls.join(',')}`,
      `plaintext     ${endpoints.plaintext.join(',')}`,
      ...(endpoints.sasl ? [`SASL/SCRAM    ${endpoints.sasl.join(',')}  (SCRAM-SHA-512 user ${state.scramUser}, over TLS)`] : []),
      ...(endpoints.iam && state.iam
        ? [
            `IAM           ${endpoints.iam.join(',')}  ` +
              `(--auth iam --region ${state.iam.region}, principal ${state.iam.principal})`,
            `IAM key       ${state.iam.accessKeyId}  ` +
              `(secret in ${state.iam.credentialsFile}, profile ${state.iam.profile})`,
          ]
        : []),
      `CA            ${state.files.ca}`,
      `client cert   ${state.files.clientCert}  (${state.principals.admin}, super user)`,
      `client key    ${state.files.clientKey}`,
      ...status.brokers.map((b) => `broker ${b.id}      ${b.running ? color.green('running') : color.red('stopped')}${b.pid ? ` (pid ${b.pid})` : ''}`),
      ...(status.zookeeper ? [`zookeeper     ${status.zookeeper.running ? color.green('running') : color.red('stopped')} 127.0.0.1:${status.zookeeper.port}`] : []),
    ].join('\n'),
  );
}

