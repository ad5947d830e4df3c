import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../config/files.js';
import { KfeedError } from '../errors.js';
import type { LocalIamState } from './iam.js';

export type ClusterMode = 'kraft' | 'zookeeper';

export interface BrokerState {
  id: number;
  pid?: number;
  dir: string;
  ports: {
    client: number;
    clientSecure: number;
    replication: number;
    controller?: number;
    sasl?: number;
    iam?: number;
  };
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
  /** The IAM (OAUTHBEARER) listener's settings and access key id (`local up --iam`). */
  iam?: LocalIamState;
  clusterId: string;
  brokers: BrokerState[];
  zookeeper?: { pid?: number; port: number; dir: string };
  files: {
    ca: string;
    caKey: string;
    brokerKeystore: string;
    clientCert: string;
    clientKey: string;
    truststore?: string;
  };
  principals: { broker: string; admin: string };
  createdAt: string;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export function clusterDir(dataDir: string, name: string): string {
  if (!NAME.test(name)) {
    throw new KfeedError('usage', `"${name}" is not a valid cluster name`, {
      hint: 'use lower-case letters, digits, "-" and "_" (at most 32)',
    });
  }
  return path.join(dataDir, 'clusters', name);
}

export function stateFile(dir: string): string {
  return path.join(dir, 'state.json');
}

/** The cluster's saved state, or undefined when there is no such cluster. */
export function readClusterState(dataDir: string, name: string): LocalClusterState | undefined {
  const file = stateFile(clusterDir(dataDir, name));
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseClusterState(text, name, file);
}

/**
 * Parses a state file and checks every field kfeed relies on, so that a corrupt or foreign
 * file is one clear error here rather than a TypeError somewhere later.
 */
export function parseClusterState(text: string, name: string, file: string): LocalClusterState {
  const bad = (why: string) =>
    new KfeedError('config', `${file} is not the state of local cluster ${name} (${why})`, {
      hint: `remove the folder ${path.dirname(file)} (stop any Kafka process of it first), then run \`kfeed local up\``,
    });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  const problem = stateProblem(value, name);
  if (problem) throw bad(problem);
  return value as LocalClusterState;
}

type Check = [string, (v: unknown) => boolean];
const isString = (v: unknown) => typeof v === 'string' && v.length > 0;
const isPort = (v: unknown) => Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536;
const isPid = (v: unknown) => v === undefined || v === null || (Number.isInteger(v) && (v as number) > 0);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function firstFailing(value: Record<string, unknown>, checks: Check[], prefix = ''): string | undefined {
  const failed = checks.find(([key, ok]) => !ok(value[key]));
  return failed ? `bad or missing ${prefix}${failed[0]}` : undefined;
}

/** What is wrong with a parsed state, or undefined when it is whole. */
function stateProblem(value: unknown, name: string): string | undefined {
  if (!isObject(value)) return 'not an object';
  const top = firstFailing(value, [
    ['name', (v) => v === name],
    ['mode', (v) => v === 'kraft' || v === 'zookeeper'],
    ['dir', isString],
    ['kafkaVersion', isString],
    ['classpath', isString],
    ['java', isString],
    ['requireAcls', (v) => typeof v === 'boolean'],
    ['scramUser', (v) => v === undefined || isString(v)],
    ['iam', (v) => v === undefined || isObject(v)],
    ['clusterId', isString],
    ['brokers', (v) => Array.isArray(v) && v.length > 0],
    ['zookeeper', (v) => v === undefined || isObject(v)],
    ['files', isObject],
    ['principals', isObject],
  ]);
  if (top) return top;
  for (const [i, broker] of (value.brokers as unknown[]).entries()) {
    if (!isObject(broker) || !isObject(broker.ports)) return `bad brokers[${i}]`;
    const problem =
      firstFailing(
        broker,
        [
          ['id', Number.isInteger],
          ['pid', isPid],
          ['dir', isString],
        ],
        `brokers[${i}].`,
      ) ??
      firstFailing(
        broker.ports,
        [
          ['client', isPort],
          ['clientSecure', isPort],
          ['replication', isPort],
          ['controller', (v) => v === undefined || isPort(v)],
          ['sasl', (v) => v === undefined || isPort(v)],
          ['iam', (v) => v === undefined || isPort(v)],
        ],
        `brokers[${i}].ports.`,
      );
    if (problem) return problem;
  }
  if (value.mode === 'kraft' && (value.brokers as BrokerState[]).some((b) => b.ports.controller === undefined)) {
    return 'a KRaft broker without a controller port';
  }
  if (value.mode === 'zookeeper') {
    if (!isObject(value.zookeeper)) return 'bad or missing zookeeper';
    const problem = firstFailing(
      value.zookeeper,
      [
        ['port', isPort],
        ['pid', isPid],
        ['dir', isString],
      ],
      'zookeeper.',
    );
    if (problem) return problem;
  }
  const files: Check[] = ['ca', 'caKey', 'brokerKeystore', 'clientCert', 'clientKey'].map((key) => [key, isString]);
  files.push(['truststore', (v) => v === undefined || isString(v)]);
  return (
    firstFailing(value.files as Record<string, unknown>, files, 'files.') ??
    firstFailing(
      value.principals as Record<string, unknown>,
      [
        ['broker', isString],
        ['admin', isString],
      ],
      'principals.',
    )
  );
}

export function listClusterNames(dataDir: string): string[] {
  const root = path.join(dataDir, 'clusters');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).filter((n) => fs.existsSync(stateFile(path.join(root, n))));
}

export function saveState(state: LocalClusterState): void {
  writeFileAtomic(stateFile(state.dir), JSON.stringify(state, null, 2) + '\n');
}

/** "kraft, 1 broker, ACLs required": what a cluster is, for messages. */
export function describeShape(
  state: Pick<LocalClusterState, 'mode' | 'brokers' | 'requireAcls' | 'scramUser' | 'kafkaVersion'>,
): string {
  const count = state.brokers.length;
  return (
    `${state.mode}, ${count} broker${count > 1 ? 's' : ''}` +
    `${state.requireAcls ? ', ACLs required' : ''}${state.scramUser ? `, SCRAM user ${state.scramUser}` : ''}` +
    `, Kafka ${state.kafkaVersion}`
  );
}
