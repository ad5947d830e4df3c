import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../config/files.js';
import { KfeedError } from '../errors.js';
import { throwIfAborted } from '../wait.js';
import { makeCertificates, readTrustedCas, writeTruststore } from './certificates.js';
import { newClusterId } from './cluster-id.js';
import { makeLocalIamKey, prepareIamValidator, type LocalIamOptions } from './iam.js';
import { ensureKafkaJars } from './jars.js';
import { releasePorts, reservePorts, waitForPort } from './ports.js';
import { checkJava } from './prerequisites.js';
import { checkModeSupported, chooseKafkaVersion, loggingConfiguration, releaseOf } from './versions.js';
import {
  brokerAlive,
  brokerConfigFile,
  brokerLogFile,
  jvmArgs,
  failureReason,
  spawnJava,
  stopProcess,
  zookeeperAlive,
  zookeeperLogFile,
} from './processes.js';
import { brokerProperties } from './properties.js';
import { waitUntilServing } from './readiness.js';
import { runCaptured } from './run.js';
import {
  clusterDir,
  describeShape,
  readClusterState,
  saveState,
  type BrokerState,
  type ClusterMode,
  type LocalClusterState,
} from './state.js';

// The cluster's parts live in their own modules; their names stay importable from here.
export { adminConnection, clusterEndpoints, clusterProfile } from './endpoints.js';
export { brokerAlive, brokerLogFile, processAlive } from './processes.js';
export { brokerProperties, LISTENERS } from './properties.js';
export { waitUntilServing } from './readiness.js';
export { clusterDir, listClusterNames, readClusterState } from './state.js';
export type { BrokerState, ClusterMode, LocalClusterState } from './state.js';

export interface StartOptions {
  name: string;
  mode: ClusterMode;
  brokers: number;
  requireAcls: boolean;
  dataDir: string;
  cacheDir: string;
  pom: string;
  env: NodeJS.ProcessEnv;
  /** The Apache Kafka release to run (default: by mode, see versions.ts); not with KAFKA_HOME. */
  kafkaVersion?: string;
  /** PEM files of further CAs whose client certificates the brokers accept (e.g. an AWS Private CA). */
  trustCa?: string[];
  /** A SCRAM-SHA-512 user for a SASL_SSL listener (KRaft only: credentials are set at format time). */
  scram?: { user: string; password: string };
  /** A CLIENT_IAM listener checking MSK IAM tokens; resourcesDir holds its pom and Java source. */
  iam?: LocalIamOptions & { resourcesDir: string };
  /** How long to wait for the cluster to serve. */
  timeoutMs?: number;
  onProgress?: (text: string) => void;
  /** Ctrl-C / SIGTERM: ends every stage and leaves nothing behind. */
  signal?: AbortSignal;
  /** A running cluster of this name is used whatever its shape (mode, brokers, ACLs, SCRAM). */
  acceptAnyRunningShape?: boolean;
}

/** Starts one broker process of the cluster (it must be configured already). */
export function startBroker(state: LocalClusterState, id: number, env: NodeJS.ProcessEnv): void {
  const broker = findBroker(state, id);
  if (brokerAlive(broker)) return;
  const args = jvmArgs(state, 768, 'kafka.Kafka', [brokerConfigFile(broker)], broker.dir);
  broker.pid = spawnJava(state, args, brokerLogFile(broker), env);
  saveState(state);
}

/** Stops one broker: SIGTERM (a clean shutdown) or SIGKILL (a crash), and waits for it. */
export async function stopBroker(
  state: LocalClusterState,
  id: number,
  options: { kill?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  const broker = findBroker(state, id);
  await stopProcess(broker.pid, brokerConfigFile(broker), options);
  broker.pid = undefined;
  saveState(state);
}

function findBroker(state: LocalClusterState, id: number): BrokerState {
  const broker = state.brokers.find((b) => b.id === id);
  if (!broker) {
    throw new KfeedError('usage', `cluster ${state.name} has no broker ${id}`, {
      hint: `brokers are ${state.brokers.map((b) => b.id).join(', ')}`,
    });
  }
  return broker;
}

/**
 * Refuses a SCRAM user the cluster cannot have: one needs KRaft (credentials are written when
 * the storage is formatted), and the storage tool's argument syntax takes no quotes, backslashes
 * or spaces. Callers check before asking for the password, and before anything is written.
 */
export function checkScramUser(mode: ClusterMode, user: string, password = ''): void {
  if (mode !== 'kraft') {
    throw new KfeedError(
      'usage',
      'a SCRAM user needs a KRaft cluster (its credentials are written when the storage is formatted)',
      {
        hint: 'drop --mode zookeeper or --scram-user',
      },
    );
  }
  if (/["'\\\s]/.test(user + password)) {
    throw new KfeedError('usage', 'the SCRAM user and password may not contain quotes, backslashes or spaces', {
      hint: 'choose others',
    });
  }
}

/**
 * Makes (or re-uses) the cluster called `name`: jars, certificates, configs, processes;
 * returns once every broker answers over mTLS. When `signal` aborts, at any stage, every
 * process this call started is stopped and the half-made cluster folder removed before the
 * `interrupted` error is thrown; a start that fails otherwise keeps its folder (the logs).
 */
export async function startLocalCluster(options: StartOptions): Promise<{ state: LocalClusterState; reused: boolean }> {
  const { signal } = options;
  const dir = clusterDir(options.dataDir, options.name);
  if (options.scram) checkScramUser(options.mode, options.scram.user, options.scram.password);
  const requested = options.kafkaVersion;
  const version = chooseKafkaVersion({ requested, mode: options.mode, kafkaHome: options.env.KAFKA_HOME });
  const existing = readClusterState(options.dataDir, options.name);
  if (existing) {
    const running = existing.brokers.filter(brokerAlive).length;
    if (running === existing.brokers.length) {
      const differences = shapeDifferences(existing, options);
      // A version is a difference only when one was asked for.
      if (requested && existing.kafkaVersion !== version?.text)
        differences.push(`Kafka ${existing.kafkaVersion}, not ${version?.text}`);
      if (differences.length && !options.acceptAnyRunningShape) {
        throw new KfeedError(
          'conflict',
          `cluster ${options.name} is already running as ${describeShape(existing)}, ` +
            `not as asked (${differences.join('; ')})`,
          { hint: `stop it with \`kfeed local down --name ${options.name}\`, or pick another --name` },
        );
      }
      // Not ours to stop: an interrupted wait leaves the running cluster as it was.
      await waitUntilServing(existing, options.timeoutMs ?? 120_000, signal);
      return { state: existing, reused: true };
    }
    // A cluster left half-running (a crash, a reboot): start from scratch.
    await stopLocalCluster(options.dataDir, options.name);
  }
  const trustedCas = readTrustedCas(options.trustCa ?? []);
  const { java } = checkJava(options.env);
  const jars = await ensureKafkaJars({
    env: options.env,
    cacheDir: options.cacheDir,
    pom: options.pom,
    version,
    onProgress: options.onProgress,
    signal,
  });
  checkModeSupported(releaseOf(jars.version), options.mode); // an install in KAFKA_HOME may be 4.x
  throwIfAborted(signal);
  const iamClasspath = options.iam
    ? await prepareIamValidator({
        kafkaClasspath: jars.classpath,
        kafkaVersion: jars.version,
        java,
        cacheDir: options.cacheDir,
        resourcesDir: options.iam.resourcesDir,
        env: options.env,
        options: options.iam,
        onProgress: options.onProgress,
      })
    : undefined;
  throwIfAborted(signal);
  fs.mkdirSync(dir, { recursive: true });
  let ports: number[] = [];
  try {
    options.onProgress?.('making a local CA and certificates');
    const certs = await makeCertificates(dir, options.name);
    if (trustedCas.length) certs.files.truststore = writeTruststore(dir, certs.files.ca, trustedCas);
    throwIfAborted(signal);
    const basePorts = options.mode === 'kraft' ? 4 : 3;
    const perBroker = basePorts + (options.scram ? 1 : 0) + (options.iam ? 1 : 0);
    ports = await reservePorts(options.brokers * perBroker + (options.mode === 'zookeeper' ? 1 : 0), dir);
    const brokers: BrokerState[] = Array.from({ length: options.brokers }, (_, i) => {
      const at = i * perBroker;
      return {
        id: i + 1,
        dir: path.join(dir, `broker-${i + 1}`),
        ports: {
          client: ports[at],
          clientSecure: ports[at + 1],
          replication: ports[at + 2],
          ...(options.mode === 'kraft' ? { controller: ports[at + 3] } : {}),
          ...(options.scram ? { sasl: ports[at + perBroker - 1] } : {}),
          ...(options.iam ? { iam: ports[at + basePorts] } : {}),
        },
      };
    });
    const state: LocalClusterState = {
      name: options.name,
      mode: options.mode,
      dir,
      kafkaVersion: jars.version,
      classpath: iamClasspath ? [jars.classpath, iamClasspath].join(path.delimiter) : jars.classpath,
      java,
      requireAcls: options.requireAcls,
      ...(options.scram ? { scramUser: options.scram.user } : {}),
      ...(options.iam && iamClasspath
        ? {
            iam: makeLocalIamKey({
              clusterName: options.name,
              clusterDir: dir,
              options: options.iam,
              classpath: iamClasspath,
            }),
          }
        : {}),
      clusterId: newClusterId(),
      brokers,
      zookeeper:
        options.mode === 'zookeeper' ? { port: ports[ports.length - 1], dir: path.join(dir, 'zookeeper') } : undefined,
      files: certs.files,
      principals: certs.principals,
      createdAt: new Date().toISOString(),
    };
    const logging = loggingConfiguration(releaseOf(state.kafkaVersion), dir);
    fs.writeFileSync(logging.file, logging.text);
    for (const broker of brokers) {
      fs.mkdirSync(path.join(broker.dir, 'data'), { recursive: true });
      fs.writeFileSync(brokerConfigFile(broker), brokerProperties(state, broker));
    }
    saveState(state);

    if (state.zookeeper) {
      options.onProgress?.('starting ZooKeeper');
      await startZookeeper(state, options.env, signal);
    } else {
      options.onProgress?.('formatting KRaft storage');
      for (const broker of brokers) await formatStorage(state, broker, options);
    }
    throwIfAborted(signal);
    options.onProgress?.(
      `starting ${brokers.length} Kafka ${jars.version} broker${brokers.length > 1 ? 's' : ''} (${options.mode})`,
    );
    for (const broker of brokers) startBroker(state, broker.id, options.env);
    options.onProgress?.('waiting for the brokers to serve over mTLS');
    await waitUntilServing(state, options.timeoutMs ?? 120_000, signal);
    return { state, reused: false };
  } catch (error) {
    const interrupted = Boolean(signal?.aborted);
    await stopLocalCluster(options.dataDir, options.name, { keepFiles: !interrupted });
    if (interrupted) releasePorts(ports, dir);
    throw error;
  }
}

/** How a running cluster differs from what was asked, in words ("ACLs not required; ..."). */
export function shapeDifferences(
  existing: Pick<LocalClusterState, 'mode' | 'brokers' | 'requireAcls' | 'scramUser' | 'iam'>,
  wanted: { mode: ClusterMode; brokers: number; requireAcls: boolean; scram?: { user: string }; iam?: unknown },
): string[] {
  const differences: string[] = [];
  if (existing.mode !== wanted.mode) differences.push(`mode ${existing.mode}, not ${wanted.mode}`);
  if (existing.brokers.length !== wanted.brokers)
    differences.push(`${existing.brokers.length} broker(s), not ${wanted.brokers}`);
  if (existing.requireAcls !== wanted.requireAcls) {
    differences.push(
      existing.requireAcls ? 'ACLs required, not asked for' : 'ACLs not required (--require-acls asked for them)',
    );
  }
  if (existing.scramUser !== wanted.scram?.user) {
    differences.push(
      existing.scramUser
        ? `SCRAM user ${existing.scramUser}${wanted.scram ? `, not ${wanted.scram.user}` : ', none asked for'}`
        : `no SCRAM user (--scram-user ${wanted.scram!.user} asked for one)`,
    );
  }
  if (Boolean(existing.iam) !== Boolean(wanted.iam)) {
    differences.push(existing.iam ? 'an IAM listener, none asked for' : 'no IAM listener (--iam asked for one)');
  }
  return differences;
}

async function startZookeeper(state: LocalClusterState, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<void> {
  const zk = state.zookeeper!;
  fs.mkdirSync(path.join(zk.dir, 'data'), { recursive: true });
  const main = 'org.apache.zookeeper.server.ZooKeeperServerMain';
  zk.pid = spawnJava(
    state,
    jvmArgs(state, 256, main, [String(zk.port), path.join(zk.dir, 'data')], zk.dir),
    zookeeperLogFile(zk),
    env,
  );
  saveState(state);
  if (!(await waitForPort('127.0.0.1', zk.port, 60_000, () => zookeeperAlive(state), signal))) {
    throw new KfeedError('internal', `ZooKeeper did not start: ${failureReason(zookeeperLogFile(zk))}`, {
      hint: `see ${zookeeperLogFile(zk)}`,
    });
  }
}

/** Formats one broker's KRaft storage with Kafka's storage tool (and the SCRAM user, if any). */
async function formatStorage(state: LocalClusterState, broker: BrokerState, options: StartOptions): Promise<void> {
  // StorageTool takes SCRAM credentials only as arguments. The java launcher reads the
  // main class and its arguments from an @argfile (0600, removed after), so the password
  // never shows in `ps`.
  const args = ['format', '-t', state.clusterId, '-c', brokerConfigFile(broker), '--ignore-formatted'];
  if (options.scram) {
    args.push('--add-scram', `SCRAM-SHA-512=[name="${options.scram.user}",password="${options.scram.password}"]`);
  }
  const argfile = path.join(broker.dir, 'format.args');
  writeFileAtomic(argfile, ['kafka.tools.StorageTool', ...args].map((a) => `'${a}'`).join(' ') + '\n', { mode: 0o600 });
  const result = await runCaptured(
    state.java,
    jvmArgs(state, 256, `@${argfile}`, [], broker.dir),
    options.env,
    options.signal,
  ).finally(() => fs.rmSync(argfile, { force: true }));
  if (result.code !== 0) {
    throw new KfeedError('internal', `formatting KRaft storage failed: ${result.text.trim().split('\n').pop()}`, {
      hint: `see ${brokerConfigFile(broker)}`,
    });
  }
}

export interface ClusterStatus {
  state: LocalClusterState;
  brokers: Array<{ id: number; pid?: number; running: boolean; tls: string; plaintext: string; log: string }>;
  zookeeper?: { running: boolean; port: number; pid?: number };
}

export function localClusterStatus(state: LocalClusterState): ClusterStatus {
  return {
    state,
    brokers: state.brokers.map((b) => ({
      id: b.id,
      pid: b.pid,
      running: brokerAlive(b),
      tls: `localhost:${b.ports.clientSecure}`,
      plaintext: `127.0.0.1:${b.ports.client}`,
      log: brokerLogFile(b),
    })),
    zookeeper: state.zookeeper
      ? { running: zookeeperAlive(state), port: state.zookeeper.port, pid: state.zookeeper.pid }
      : undefined,
  };
}

function clusterPorts(state: LocalClusterState): number[] {
  const ports = state.brokers.flatMap((b) => Object.values(b.ports).filter((p): p is number => typeof p === 'number'));
  return state.zookeeper ? [...ports, state.zookeeper.port] : ports;
}

/** Stops every process of the cluster, then deletes its folder unless `keepFiles`. */
export async function stopLocalCluster(
  dataDir: string,
  name: string,
  options: { keepFiles?: boolean } = {},
): Promise<boolean> {
  const state = readClusterState(dataDir, name);
  const dir = clusterDir(dataDir, name);
  if (!state) {
    if (!options.keepFiles) fs.rmSync(dir, { recursive: true, force: true });
    return false;
  }
  // The data goes too, so a clean shutdown buys nothing; a short grace period is enough.
  const kill = !options.keepFiles;
  await Promise.all(state.brokers.map((b) => stopProcess(b.pid, brokerConfigFile(b), { timeoutMs: 5000, kill })));
  if (state.zookeeper) await stopProcess(state.zookeeper.pid, state.zookeeper.dir, { timeoutMs: 5000, kill });
  if (!options.keepFiles) {
    fs.rmSync(dir, { recursive: true, force: true });
    releasePorts(clusterPorts(state), dir);
  }
  return true;
}
