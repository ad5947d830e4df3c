import fs from 'node:fs';
import type { ConnectionSettings } from '../config/connection.js';
import type { Profile } from '../config/profiles.js';
import type { LocalClusterState } from './state.js';

/** The client-facing facts of a cluster: bootstrap strings and the profile that reaches it. */
export function clusterEndpoints(state: LocalClusterState) {
  return {
    tls: state.brokers.map((b) => `localhost:${b.ports.clientSecure}`),
    plaintext: state.brokers.map((b) => `127.0.0.1:${b.ports.client}`),
    ...(state.scramUser ? { sasl: state.brokers.map((b) => `localhost:${b.ports.sasl}`) } : {}),
    ...(state.iam ? { iam: state.brokers.map((b) => `localhost:${b.ports.iam}`) } : {}),
  };
}

export function clusterProfile(state: LocalClusterState): Profile {
  return {
    brokers: clusterEndpoints(state).tls,
    security: 'ssl',
    ca: state.files.ca,
    cert: state.files.clientCert,
    key: state.files.clientKey,
    meta: {
      localCluster: state.name,
      brokerPrincipal: state.principals.broker,
      plaintextBrokers: clusterEndpoints(state).plaintext.join(','),
      // Every broker of a local cluster is reached as localhost (its ports tell them apart):
      // what `update-listeners` advertises a new listener at when no --host-template is given.
      hostTemplate: 'localhost',
    },
  };
}

/** mTLS settings for the cluster's admin certificate (a super user). */
export function adminConnection(state: LocalClusterState): ConnectionSettings {
  return {
    brokers: clusterEndpoints(state).tls,
    security: 'ssl',
    tls: {
      ca: fs.readFileSync(state.files.ca, 'utf8'),
      cert: fs.readFileSync(state.files.clientCert, 'utf8'),
      key: fs.readFileSync(state.files.clientKey, 'utf8'),
    },
    origin: {},
    files: { ca: state.files.ca, cert: state.files.clientCert, key: state.files.clientKey },
  };
}
