import path from 'node:path';
import type { BrokerState, LocalClusterState } from './state.js';
import { IAM_LISTENER, iamListenerProperties } from './iam.js';

/** Listener names as Amazon MSK uses them, so what works here works there. */
export const LISTENERS = {
  plaintext: 'CLIENT',
  tls: 'CLIENT_SECURE',
  sasl: 'CLIENT_SASL_SCRAM',
  replication: 'REPLICATION_SECURE',
  controller: 'CONTROLLER',
} as const;

/** What a broker's properties depend on (a subset of the cluster state). */
export type PropertiesInput = Pick<
  LocalClusterState,
  'mode' | 'brokers' | 'zookeeper' | 'requireAcls' | 'principals' | 'files' | 'iam'
>;

/** The server.properties of one broker of the cluster (pure: no file is read or written). */
export function brokerProperties(state: PropertiesInput, broker: BrokerState): string {
  const n = state.brokers.length;
  const { plaintext, tls, replication, controller } = LISTENERS;
  const p = broker.ports;
  const listeners = [
    `${plaintext}://127.0.0.1:${p.client}`,
    `${tls}://127.0.0.1:${p.clientSecure}`,
    `${replication}://127.0.0.1:${p.replication}`,
  ];
  const advertised = [
    `${plaintext}://127.0.0.1:${p.client}`,
    `${tls}://localhost:${p.clientSecure}`,
    `${replication}://localhost:${p.replication}`,
  ];
  const protocols = [`${plaintext}:PLAINTEXT`, `${tls}:SSL`, `${replication}:SSL`];
  const lines: Record<string, string | number | boolean> = {};
  if (p.sasl) {
    listeners.push(`${LISTENERS.sasl}://127.0.0.1:${p.sasl}`);
    advertised.push(`${LISTENERS.sasl}://localhost:${p.sasl}`);
    protocols.push(`${LISTENERS.sasl}:SASL_SSL`);
  }
  if (p.iam && state.iam) {
    listeners.push(`${IAM_LISTENER}://127.0.0.1:${p.iam}`);
    advertised.push(`${IAM_LISTENER}://localhost:${p.iam}`);
    protocols.push(`${IAM_LISTENER}:SASL_SSL`);
    Object.assign(lines, iamListenerProperties(state.iam));
  }
  if (state.mode === 'kraft') {
    listeners.push(`${controller}://127.0.0.1:${p.controller}`);
    protocols.push(`${controller}:SSL`);
    Object.assign(lines, {
      'process.roles': 'broker,controller',
      'node.id': broker.id,
      'controller.quorum.voters': state.brokers.map((b) => `${b.id}@127.0.0.1:${b.ports.controller}`).join(','),
      'controller.listener.names': controller,
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    });
  } else {
    Object.assign(lines, {
      'broker.id': broker.id,
      'zookeeper.connect': `127.0.0.1:${state.zookeeper!.port}`,
      'zookeeper.connection.timeout.ms': 18000,
      'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    });
  }
  const replicas = Math.min(3, n);
  const sasl = `listener.name.${LISTENERS.sasl.toLowerCase()}`;
  Object.assign(lines, {
    listeners: listeners.join(','),
    'advertised.listeners': advertised.join(','),
    'listener.security.protocol.map': protocols.join(','),
    'inter.broker.listener.name': replication,
    'log.dirs': path.join(broker.dir, 'data'),
    'num.partitions': 1,
    'default.replication.factor': replicas,
    'min.insync.replicas': 1,
    // Internal topics cannot have more replicas than there are brokers, or groups never work.
    'offsets.topic.replication.factor': replicas,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': false,
    'allow.everyone.if.no.acl.found': !state.requireAcls,
    'super.users': [state.principals.broker, state.principals.admin].join(';'),
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': state.files.brokerKeystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': state.files.truststore ?? state.files.ca,
    'ssl.client.auth': 'required',
    ...(p.sasl
      ? {
          // On the SCRAM listener the password authenticates the client; TLS only protects the line.
          [`${sasl}.ssl.client.auth`]: 'none',
          [`${sasl}.sasl.enabled.mechanisms`]: 'SCRAM-SHA-512',
          [`${sasl}.scram-sha-512.sasl.jaas.config`]:
            'org.apache.kafka.common.security.scram.ScramLoginModule required;',
        }
      : {}),
    'log.retention.hours': 24,
    'log.segment.bytes': 64 * 1024 * 1024,
  });
  return (
    Object.entries(lines)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n'
  );
}

/** Parses `key=value` lines (as written above) back into a map, for checks. */
export function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && !line.startsWith('#')) map.set(line.slice(0, at), line.slice(at + 1));
  }
  return map;
}
