import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readUserFile, writeFileAtomic } from '../config/files.js';
import type { ConnectionSettings } from '../config/connection.js';
import type { Profile } from '../config/profiles.js';
import { createLocalCa, generateRsaKeyPem, issueWithLocalCa, publicKeyOf, CA_CERT_FILE } from '../certs/local-ca.js';
import { kafkaPrincipalOfCertificate } from '../certs/principal.js';
import { KfeedError } from '../errors.js';
import { createKafka } from '../kafka/client.js';
import { ensureKafkaJars } from './jars.js';
import { freePorts, waitForPort } from './ports.js';
import { runCaptured } from './run.js';
import { checkJava } from './prerequisites.js';
import { checkModeSupported, chooseKafkaVersion, loggingConfiguration, releaseOf } from './versions.js';

export type ClusterMode = 'kraft' | 'zookeeper';

/** Listener names as Amazon MSK uses them, so what works here works there. */
export const LISTENERS = {
  plaintext: 'CLIENT',
  tls: 'CLIENT_SECURE',
  sasl: 'CLIENT_SASL_SCRAM',
  replication: 'REPLICATION_SECURE',
  controller: 'CONTROLLER',
} as const;

export interface BrokerState {
  id: number;
  pid?: number;
  dir: string;
  ports: { client: number; clientSecure: number; replication: number; controller?: number; sasl?: number };
}

export interface LocalClusterState {
  name: string;
  mode: ClusterMode;
  dir: string;
  kafkaVersion: string;
  classpath: string;
  java: string;
  requireAcls: boolean;
  /** The SCRAM user of the SASL_SSL listener, when there is one (its password is not kept). */
  scramUser?: string;
  clusterId: string;
  brokers: BrokerState[];
  zookeeper?: { pid?: number; port: number; dir: string };
  files: { ca: string; caKey: string; brokerKeystore: string; clientCert: string; clientKey: string; truststore?: string };
  principals: { broker: string; admin: string };
  createdAt: string;
}

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
  /** How long to wait for the cluster to serve. */
  timeoutMs?: number;
  onProgress?: (text: string) => void;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export function clusterDir(dataDir: string, name: string): string {
  if (!NAME.test(name)) {
    throw new KfeedError('usage', `"${name}" is not a valid cluster name`, { hint: 'use lower-case letters, digits, "-" and "_" (at most 32)' });
  }
  return path.join(dataDir, 'clusters', name);
}

function stateFile(dir: string): string {
  return path.join(dir, 'state.json');
}

export function readClusterState(dataDir: string, name: string): LocalClusterState | undefined {
  const file = stateFile(clusterDir(dataDir, name));
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalClusterState;
}

export function listClusterNames(dataDir: string): string[] {
  const root = path.join(dataDir, 'clusters');
  return fs.existsSync(root) ? fs.readdirSync(root).filter((n) => fs.existsSync(stateFile(path.join(root, n)))) : [];
}

function saveState(state: LocalClusterState): void {
  writeFileAtomic(stateFile(state.dir), JSON.stringify(state, null, 2) + '\n');
}

/** Whether `pid` is alive and is the process we started with `marker` on its command line. */
export function processAlive(pid: number | undefined, marker: string): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(marker);
  } catch {
    return true; // no /proc: trust the signal check
  }
}

function brokerConfigFile(broker: BrokerState): string {
  return path.join(broker.dir, 'server.properties');
}

export function brokerLogFile(broker: BrokerState): string {
  return path.join(broker.dir, 'broker.log');
}

export function brokerAlive(broker: BrokerState): boolean {
  return processAlive(broker.pid, brokerConfigFile(broker));
}

function zookeeperAlive(state: LocalClusterState): boolean {
  return Boolean(state.zookeeper) && processAlive(state.zookeeper!.pid, state.zookeeper!.dir);
}

/** The client-facing facts of a cluster: bootstrap strings and the profile that reaches it. */
export function clusterEndpoints(state: LocalClusterState) {
  return {
    tls: state.brokers.map((b) => `localhost:${b.ports.clientSecure}`),
    plaintext: state.brokers.map((b) => `127.0.0.1:${b.ports.client}`),
    ...(state.scramUser ? { sasl: state.brokers.map((b) => `localhost:${b.ports.sasl}`) } : {}),
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

function makeCertificates(dir: string, name: string) {
  const tlsDir = path.join(dir, 'tls');
  const caDir = path.join(tlsDir, 'ca');
  const ca = createLocalCa(caDir, { commonName: `kfeed local CA (${name})`, organization: 'kfeed' });
  const brokerKey = generateRsaKeyPem(2048);
  const brokerCert = issueWithLocalCa(ca, {
    publicKeyPem: publicKeyOf(brokerKey),
    subject: { CN: 'localhost', O: 'kfeed local broker' },
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    days: 825,
    usage: 'both', // brokers are clients of each other on the replication listener
  });
  const adminKey = generateRsaKeyPem(2048);
  const adminCert = issueWithLocalCa(ca, {
    publicKeyPem: publicKeyOf(adminKey),
    subject: { CN: 'kfeed-admin', O: 'kfeed local' },
    days: 825,
    usage: 'client',
  });
  const files: LocalClusterState['files'] = {
    ca: path.join(caDir, CA_CERT_FILE),
    caKey: path.join(caDir, 'ca-key.pem'),
    // Kafka's PEM keystore: unencrypted PKCS#8 key followed by its chain.
    brokerKeystore: path.join(tlsDir, 'broker-keystore.pem'),
    clientCert: path.join(tlsDir, 'admin-cert.pem'),
    clientKey: path.join(tlsDir, 'admin-key.pem'),
  };
  writeFileAtomic(files.brokerKeystore, brokerKey + brokerCert + ca.certPem, { mode: 0o600 });
  writeFileAtomic(files.clientCert, adminCert + ca.certPem);
  writeFileAtomic(files.clientKey, adminKey, { mode: 0o600 });
  return {
    files,
    principals: { broker: kafkaPrincipalOfCertificate(brokerCert), admin: kafkaPrincipalOfCertificate(adminCert) },
  };
}

/** Reads the extra CAs for the brokers' truststore, before anything is written. */
function readTrustedCas(files: string[]): string[] {
  return files.map((file) => {
    const text = readUserFile(file, 'CA file');
    if (!/-----BEGIN CERTIFICATE-----/.test(text)) {
      throw new KfeedError('usage', `${file} holds no PEM certificate`, { hint: 'pass a CA certificate in PEM form to --trust-ca' });
    }
    return text.endsWith('\n') ? text : text + '\n';
  });
}

/** The brokers' truststore: the cluster's own CA followed by the extra CAs. */
function writeTruststore(dir: string, ownCa: string, extraPems: string[]): string {
  const file = path.join(dir, 'tls', 'truststore.pem');
  writeFileAtomic(file, fs.readFileSync(ownCa, 'utf8') + extraPems.join(''));
  return file;
}

function brokerProperties(state: LocalClusterState, broker: BrokerState): string {
  const n = state.brokers.length;
  const { plaintext, tls, replication, controller } = LISTENERS;
  const p = broker.ports;
  const listeners = [`${plaintext}://127.0.0.1:${p.client}`, `${tls}://127.0.0.1:${p.clientSecure}`, `${replication}://127.0.0.1:${p.replication}`];
  const advertised = [`${plaintext}://127.0.0.1:${p.client}`, `${tls}://localhost:${p.clientSecure}`, `${replication}://localhost:${p.replication}`];
  const protocols = [`${plaintext}:PLAINTEXT`, `${tls}:SSL`, `${replication}:SSL`];
  const lines: Record<string, string | number | boolean> = {};
  if (p.sasl) {
    listeners.push(`${LISTENERS.sasl}://127.0.0.1:${p.sasl}`);
    advertised.push(`${LISTENERS.sasl}://localhost:${p.sasl}`);
    protocols.push(`${LISTENERS.sasl}:SASL_SSL`);
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
          [`listener.name.${LISTENERS.sasl.toLowerCase()}.ssl.client.auth`]: 'none',
          [`listener.name.${LISTENERS.sasl.toLowerCase()}.sasl.enabled.mechanisms`]: 'SCRAM-SHA-512',
          [`listener.name.${LISTENERS.sasl.toLowerCase()}.scram-sha-512.sasl.jaas.config`]: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
        }
      : {}),
    'log.retention.hours': 24,
    'log.segment.bytes': 64 * 1024 * 1024,
  });
  return Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

function jvm(state: LocalClusterState, heapMb: number, mainClass: string, args: string[], dir: string): string[] {
  return [
    `-Xms${Math.min(256, heapMb)}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    loggingConfiguration(releaseOf(state.kafkaVersion), state.dir).jvmFlag,
    `-Dkafka.logs.dir=${dir}`,
    '-Dzookeeper.admin.enableServer=false',
    '-cp',
    state.classpath,
    mainClass,
    ...args,
  ];
}

function spawnJava(state: LocalClusterState, args: string[], logFile: string, env: NodeJS.ProcessEnv): number {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(state.java, args, { detached: true, stdio: ['ignore', log, log], env });
  fs.closeSync(log);
  child.unref();
  if (!child.pid) throw new KfeedError('prerequisite', `could not start ${state.java}`, { hint: 'check the Java install' });
  return child.pid;
}

function lastLines(file: string, count: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}

/** Starts one broker process of the cluster (it must be configured already). */
export function startBroker(state: LocalClusterState, id: number, env: NodeJS.ProcessEnv): void {
  const broker = state.brokers.find((b) => b.id === id);
  if (!broker) throw new KfeedError('usage', `cluster ${state.name} has no broker ${id}`, { hint: `brokers are ${state.brokers.map((b) => b.id).join(', ')}` });
  if (brokerAlive(broker)) return;
  broker.pid = spawnJava(state, jvm(state, 768, 'kafka.Kafka', [brokerConfigFile(broker)], broker.dir), brokerLogFile(broker), env);
  saveState(state);
}

/** Stops one broker: SIGTERM (a clean shutdown) or SIGKILL (a crash), and waits for it. */
export async function stopBroker(state: LocalClusterState, id: number, options: { kill?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const broker = state.brokers.find((b) => b.id === id);
  if (!broker) throw new KfeedError('usage', `cluster ${state.name} has no broker ${id}`);
  await stopProcess(broker.pid, brokerConfigFile(broker), options);
  broker.pid = undefined;
  saveState(state);
}

async function stopProcess(pid: number | undefined, marker: string, options: { kill?: boolean; timeoutMs?: number }): Promise<void> {
  if (!processAlive(pid, marker)) return;
  process.kill(pid!, options.kill ? 'SIGKILL' : 'SIGTERM');
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (processAlive(pid, marker)) {
    if (Date.now() > deadline) {
      process.kill(pid!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Refuses a SCRAM user the cluster cannot have: one needs KRaft (credentials are written when
 * the storage is formatted), and the storage tool's argument syntax takes no quotes, backslashes
 * or spaces. Callers check before asking for the password, and before anything is written.
 */
export function checkScramUser(mode: ClusterMode, user: string, password = ''): void {
  if (mode !== 'kraft') {
    throw new KfeedError('usage', 'a SCRAM user needs a KRaft cluster (its credentials are written when the storage is formatted)', { hint: 'drop --mode zookeeper or --scram-user' });
  }
  if (/["'\\\s]/.test(user + password)) {
    throw new KfeedError('usage', 'the SCRAM user and password may not contain quotes, backslashes or spaces', { hint: 'choose others' });
  }
}

/**
 * Makes (or re-uses) the cluster called `name`: jars, certificates, configs, processes;
 * returns once every broker answers over mTLS.
 */
export async function startLocalCluster(options: StartOptions): Promise<{ state: LocalClusterState; reused: boolean }> {
  const dir = clusterDir(options.dataDir, options.name);
  if (options.scram) checkScramUser(options.mode, options.scram.user, options.scram.password);
  const requested = options.kafkaVersion;
  const version = chooseKafkaVersion({ requested, mode: options.mode, kafkaHome: options.env.KAFKA_HOME });
  const existing = readClusterState(options.dataDir, options.name);
  if (existing) {
    const running = existing.brokers.filter(brokerAlive).length;
    if (running === existing.brokers.length) {
      if (existing.mode !== options.mode || existing.brokers.length !== options.brokers || existing.requireAcls !== options.requireAcls || existing.scramUser !== options.scram?.user ||
        (requested && existing.kafkaVersion !== version?.text)) {
        throw new KfeedError('conflict', `cluster ${options.name} is already running as ${describeShape(existing)}`, {
          hint: `stop it with \`kfeed local down --name ${options.name}\`, or pick another --name`,
        });
      }
      await waitUntilServing(existing, options.timeoutMs ?? 120_000);
      return { state: existing, reused: true };
    }
    // A cluster left half-running (a crash, a reboot): start from scratch.
    await stopLocalCluster(options.dataDir, options.name);
  }
  const trustedCas = readTrustedCas(options.trustCa ?? []);
  const { java } = checkJava(options.env);
  const { env, cacheDir, pom, onProgress } = options;
  const jars = await ensureKafkaJars({ env, cacheDir, pom, version, onProgress });
  checkModeSupported(releaseOf(jars.version), options.mode); // an install in KAFKA_HOME may be 4.x
  fs.mkdirSync(dir, { recursive: true });
  options.onProgress?.('making a local CA and certificates');
  const certs = makeCertificates(dir, options.name);
  if (trustedCas.length) certs.files.truststore = writeTruststore(dir, certs.files.ca, trustedCas);
  const perBroker = (options.mode === 'kraft' ? 4 : 3) + (options.scram ? 1 : 0);
  const ports = await freePorts(options.brokers * perBroker + (options.mode === 'zookeeper' ? 1 : 0));
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
      },
    };
  });
  const state: LocalClusterState = {
    name: options.name,
    mode: options.mode,
    dir,
    kafkaVersion: jars.version,
    classpath: jars.classpath,
    java,
    requireAcls: options.requireAcls,
    ...(options.scram ? { scramUser: options.scram.user } : {}),
    clusterId: crypto.randomBytes(16).toString('base64url').slice(0, 22),
    brokers,
    zookeeper: options.mode === 'zookeeper' ? { port: ports[ports.length - 1], dir: path.join(dir, 'zookeeper') } : undefined,
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

  try {
    if (state.zookeeper) {
      options.onProgress?.('starting ZooKeeper');
      const zk = state.zookeeper;
      fs.mkdirSync(path.join(zk.dir, 'data'), { recursive: true });
      zk.pid = spawnJava(
        state,
        jvm(state, 256, 'org.apache.zookeeper.server.ZooKeeperServerMain', [String(zk.port), path.join(zk.dir, 'data')], zk.dir),
        path.join(zk.dir, 'zookeeper.log'),
        options.env,
      );
      saveState(state);
      if (!(await waitForPort('127.0.0.1', zk.port, 60_000, () => zookeeperAlive(state)))) {
        throw new KfeedError('internal', `ZooKeeper did not start: ${lastLines(path.join(zk.dir, 'zookeeper.log'), 3)}`, {
          hint: `see ${path.join(zk.dir, 'zookeeper.log')}`,
        });
      }
    } else {
      options.onProgress?.('formatting KRaft storage');
      for (const broker of brokers) {
        // StorageTool takes SCRAM credentials only as arguments. The java launcher reads the
        // main class and its arguments from an @argfile (0600, removed after), so the password
        // never shows in `ps`.
        const args = ['format', '-t', state.clusterId, '-c', brokerConfigFile(broker), '--ignore-formatted'];
        if (options.scram) args.push('--add-scram', `SCRAM-SHA-512=[name="${options.scram.user}",password="${options.scram.password}"]`);
        const argfile = path.join(broker.dir, 'format.args');
        writeFileAtomic(argfile, ['kafka.tools.StorageTool', ...args].map((a) => `'${a}'`).join(' ') + '\n', { mode: 0o600 });
        const result = await runCaptured(state.java, jvm(state, 256, `@${argfile}`, [], broker.dir), options.env).finally(() => fs.rmSync(argfile, { force: true }));
        if (result.code !== 0) {
          throw new KfeedError('internal', `formatting KRaft storage failed: ${result.text.trim().split('\n').pop()}`, { hint: `see ${brokerConfigFile(broker)}` });
        }
      }
    }
    options.onProgress?.(`starting ${brokers.length} Kafka ${jars.version} broker${brokers.length > 1 ? 's' : ''} (${options.mode})`);
    for (const broker of brokers) startBroker(state, broker.id, options.env);
    options.onProgress?.('waiting for the brokers to serve over mTLS');
    await waitUntilServing(state, options.timeoutMs ?? 120_000);
  } catch (error) {
    await stopLocalCluster(options.dataDir, options.name, { keepFiles: true });
    throw error;
  }
  return { state, reused: false };
}

function describeShape(state: LocalClusterState): string {
  return `${state.mode}, ${state.brokers.length} broker${state.brokers.length > 1 ? 's' : ''}${state.requireAcls ? ', ACLs required' : ''}${state.scramUser ? `, SCRAM user ${state.scramUser}` : ''}, Kafka ${state.kafkaVersion}`;
}

/** Waits until every broker is registered and answers a metadata request over mTLS. */
export async function waitUntilServing(state: LocalClusterState, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const settings = adminConnection(state);
  let lastError = '';
  while (Date.now() < deadline) {
    const dead = state.brokers.find((b) => !brokerAlive(b));
    if (dead) {
      throw new KfeedError('internal', `broker ${dead.id} of cluster ${state.name} exited: ${lastLines(brokerLogFile(dead), 2)}`, {
        hint: `see ${brokerLogFile(dead)} (kfeed local logs --broker ${dead.id})`,
      });
    }
    // Each broker is asked on its own: in ZooKeeper mode a broker's view of the cluster lags
    // behind the controller's, and a client that meets a lagging broker sees fewer brokers.
    const views = await Promise.all(settings.brokers.map((address) => brokerView({ ...settings, brokers: [address] })));
    const lagging = views.find((v) => typeof v === 'string' || v.brokers !== state.brokers.length || v.controller < 0);
    if (!lagging) return;
    lastError = typeof lagging === 'string' ? lagging : `${lagging.brokers} of ${state.brokers.length} brokers registered`;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new KfeedError('connection', `cluster ${state.name} did not become ready in ${Math.round(timeoutMs / 1000)} s (${lastError})`, {
    hint: `see the logs: kfeed local logs --name ${state.name}`,
  });
}

/** What one broker reports about the cluster, or why it could not be asked. */
async function brokerView(settings: ConnectionSettings): Promise<{ brokers: number; controller: number } | string> {
  const admin = (await createKafka(settings, { retries: 0, connectionTimeoutMs: 2000, requestTimeoutMs: 5000 })).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { brokers: cluster.brokers.length, controller: cluster.controller ?? -1 };
  } catch (error) {
    return (error as Error).message;
  } finally {
    await admin.disconnect().catch(() => undefined);
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
    zookeeper: state.zookeeper ? { running: zookeeperAlive(state), port: state.zookeeper.port, pid: state.zookeeper.pid } : undefined,
  };
}

/** Stops every process of the cluster, then deletes its folder unless `keepFiles`. */
export async function stopLocalCluster(dataDir: string, name: string, options: { keepFiles?: boolean } = {}): Promise<boolean> {
  const state = readClusterState(dataDir, name);
  const dir = clusterDir(dataDir, name);
  if (!state) {
    if (!options.keepFiles) fs.rmSync(dir, { recursive: true, force: true });
    return false;
  }
  // The data goes too, so a clean shutdown buys nothing; a short grace period is enough.
  await Promise.all(state.brokers.map((b) => stopProcess(b.pid, brokerConfigFile(b), { timeoutMs: 5000, kill: !options.keepFiles })));
  if (state.zookeeper) await stopProcess(state.zookeeper.pid, state.zookeeper.dir, { timeoutMs: 5000 });
  if (!options.keepFiles) fs.rmSync(dir, { recursive: true, force: true });
  return true;
}
