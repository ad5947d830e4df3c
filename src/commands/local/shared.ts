import { Option } from 'commander';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { localIamView } from '../../local/iam.js';
import { localClusterStatus, type ClusterStatus } from '../../local/cluster.js';
import { clusterEndpoints } from '../../local/endpoints.js';
import { listClusterNames, readClusterState, type LocalClusterState } from '../../local/state.js';

export const clusterNameOption = () =>
  new Option('--name <name>', 'cluster name (several can run at once)').default('local');

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

/** What `local up` and `local status` report about one cluster (their JSON result). */
export interface ClusterView {
  name: string;
  mode: LocalClusterState['mode'];
  kafkaVersion: string;
  requireAcls: boolean;
  scramUser: string | null;
  /** The IAM listener's region, principal and access key id (never the secret); null without --iam. */
  iam: ReturnType<typeof localIamView> | null;
  running: boolean;
  bootstrap: ReturnType<typeof clusterEndpoints>;
  brokers: ClusterStatus['brokers'];
  zookeeper: ClusterStatus['zookeeper'];
  files: LocalClusterState['files'];
  principals: LocalClusterState['principals'];
}

export function clusterView(state: LocalClusterState): ClusterView {
  const status = localClusterStatus(state);
  return {
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
  };
}

/** The status block for people; `colorful` colours running / stopped. */
export function renderClusterView(view: ClusterView, colorful: boolean): string {
  const paint = (ok: boolean) => {
    const word = ok ? 'running' : 'stopped';
    return colorful ? `\u001b[${ok ? 32 : 31}m${word}\u001b[39m` : word;
  };
  return [
    `cluster       ${view.name} (${view.mode}, Kafka ${view.kafkaVersion}${view.requireAcls ? ', ACLs required' : ''})`,
    `mTLS          ${view.bootstrap.tls.join(',')}`,
    `plaintext     ${view.bootstrap.plaintext.join(',')}`,
    ...(view.bootstrap.sasl
      ? [`SASL/SCRAM    ${view.bootstrap.sasl.join(',')}  (SCRAM-SHA-512 user ${view.scramUser}, over TLS)`]
      : []),
    ...(view.bootstrap.iam && view.iam
      ? [
          `IAM           ${view.bootstrap.iam.join(',')}  ` +
            `(--auth iam --region ${view.iam.region}, principal ${view.iam.principal})`,
          `IAM key       ${view.iam.accessKeyId}  ` +
            `(secret in ${view.iam.credentialsFile}, profile ${view.iam.awsProfile})`,
        ]
      : []),
    `CA            ${view.files.ca}`,
    `client cert   ${view.files.clientCert}  (${view.principals.admin}, super user)`,
    `client key    ${view.files.clientKey}`,
    ...view.brokers.map((b) => `broker ${b.id}      ${paint(b.running)}${b.pid ? ` (pid ${b.pid})` : ''}`),
    ...(view.zookeeper ? [`zookeeper     ${paint(view.zookeeper.running)} 127.0.0.1:${view.zookeeper.port}`] : []),
  ].join('\n');
}
