import type { AnyCommandSpec } from './command.js';

export type SpecLoader = () => Promise<{ default: AnyCommandSpec }>;

export interface VerbEntry {
  name: string;
  load: SpecLoader;
  /** Old spellings that keep working for scripts, not shown in help. */
  hidden?: boolean;
}

export interface Entry {
  name: string;
  summary: string;
  /** A single-word command (or a card name such as `create-topic`) in the command shape. */
  load?: SpecLoader;
  /** A noun whose verbs are loaded when the noun is named. */
  verbs?: VerbEntry[];
  hidden?: boolean;
}

const topicCreate: SpecLoader = () => import('./topic/create.js');
const topicList: SpecLoader = () => import('./topic/list.js');
const topicDescribe: SpecLoader = () => import('./topic/describe.js');
const topicDelete: SpecLoader = () => import('./topic/delete.js');
const certImport: SpecLoader = () => import('./cert/import.js');

/**
 * Every top-level command, loaded only when named on the command line, so that
 * `kfeed --help` reads this list and nothing else (no Kafka, AWS or crypto libraries).
 * Commands are `noun verb`; the names on the user's card (create-topic, update-listeners,
 * makecsr, issuecert, produce, consume) are kept as top-level commands.
 */
export const COMMANDS: Entry[] = [
  {
    name: 'local',
    summary: 'run a real Apache Kafka with mTLS on this machine (up, status, logs, down)',
    verbs: [
      { name: 'up', load: () => import('./local/up.js') },
      { name: 'status', load: () => import('./local/status.js') },
      { name: 'logs', load: () => import('./local/logs.js') },
      { name: 'down', load: () => import('./local/down.js') },
    ],
  },
  {
    name: 'profile',
    summary: 'manage connection profiles (list, show, use, add, import, remove)',
    verbs: [
      { name: 'list', load: () => import('./profile/list.js') },
      { name: 'show', load: () => import('./profile/show.js') },
      { name: 'use', load: () => import('./profile/use.js') },
      { name: 'add', load: () => import('./profile/add.js') },
      { name: 'import', load: () => import('./profile/import.js') },
      { name: 'remove', load: () => import('./profile/remove.js') },
    ],
  },
  {
    name: 'topic',
    summary: 'create, list, describe and delete topics',
    verbs: [
      { name: 'create', load: topicCreate },
      { name: 'list', load: topicList },
      { name: 'describe', load: topicDescribe },
      { name: 'delete', load: topicDelete },
    ],
  },
  { name: 'create-topic', summary: 'create a topic (same as `topic create`)', load: topicCreate },
  { name: 'list-topics', summary: 'list topics and ACLs (same as `topic list`)', load: topicList, hidden: true },
  { name: 'describe-topic', summary: 'describe a topic (same as `topic describe`)', load: topicDescribe, hidden: true },
  {
    name: 'delete-topic',
    summary: 'delete a topic and its ACLs (same as `topic delete`)',
    load: topicDelete,
    hidden: true,
  },
  {
    name: 'subscriber',
    summary:
      "onboard, list, renew, repair, suspend, limit and cut off the feed's clients " +
      '(certificate, ACLs, quota, bundle, registry, history)',
    verbs: [
      { name: 'add', load: () => import('./subscriber/add.js') },
      { name: 'list', load: () => import('./subscriber/list.js') },
      { name: 'show', load: () => import('./subscriber/show.js') },
      { name: 'renew', load: () => import('./subscriber/renew.js') },
      { name: 'remove', load: () => import('./subscriber/remove.js') },
      { name: 'repair', load: () => import('./subscriber/repair.js') },
      { name: 'suspend', load: () => import('./subscriber/suspend.js') },
      { name: 'resume', load: () => import('./subscriber/resume.js') },
      { name: 'set', load: () => import('./subscriber/set.js') },
    ],
  },
  {
    name: 'group',
    summary: 'consumer groups: list and describe with lag in messages and seconds, reset offsets, delete',
    verbs: [
      { name: 'list', load: () => import('./group/list.js') },
      { name: 'describe', load: () => import('./group/describe.js') },
      { name: 'reset-offsets', load: () => import('./group/reset-offsets.js') },
      { name: 'delete', load: () => import('./group/delete.js') },
      { name: 'delete-offsets', load: () => import('./group/delete-offsets.js') },
    ],
  },
  {
    name: 'acl',
    summary: 'grant, revoke and list ACLs by certificate or principal',
    verbs: [
      { name: 'grant', load: () => import('./acl/grant.js') },
      { name: 'revoke', load: () => import('./acl/revoke.js') },
      { name: 'list', load: () => import('./acl/list.js') },
    ],
  },
  {
    name: 'iam',
    summary: 'MSK IAM access control: the least-privilege policy for a client',
    verbs: [{ name: 'policy', load: () => import('./iam/policy.js') }],
  },
  {
    name: 'produce',
    summary: 'send records from stdin, a simulated market, Alpaca or Twelve Data',
    load: () => import('./produce.js'),
  },
  {
    name: 'consume',
    summary: 'read records: print them, show a live ticker, or write them to S3',
    load: () => import('./consume.js'),
  },
  {
    name: 'sink',
    summary: 'the S3 sink: table definitions (Athena, DuckDB) for its Parquet objects',
    verbs: [{ name: 'ddl', load: () => import('./sink/ddl.js') }],
  },
  {
    name: 'demo',
    summary: 'local broker, simulated market and a live ticker over mTLS, in one command',
    load: () => import('./demo.js'),
  },
  {
    name: 'makecsr',
    summary: 'make a private key, a CSR and a truststore for an mTLS client',
    load: () => import('./makecsr.js'),
  },
  {
    name: 'issuecert',
    summary: 'have a CSR signed by AWS Private CA (or a local CA)',
    load: () => import('./issuecert.js'),
  },
  {
    name: 'cert',
    summary: 'inspect a certificate (principal for ACLs), verify certificate, key and chain, import it for Java',
    verbs: [
      { name: 'inspect', load: () => import('./cert/inspect.js') },
      { name: 'verify', load: () => import('./cert/verify.js') },
      { name: 'import', load: certImport },
    ],
  },
  {
    name: 'importcert',
    summary: 'PKCS#12 keystore, truststore and client.properties (same as `cert import`)',
    load: certImport,
    hidden: true,
  },
  {
    name: 'ca',
    summary: 'make a local CA for development (ca init)',
    verbs: [{ name: 'init', load: () => import('./ca/init.js') }],
  },
  {
    name: 'msk',
    summary: 'Amazon MSK: discover a cluster (state, brokers, bootstrap strings), save a profile',
    verbs: [{ name: 'discover', load: () => import('./msk/discover.js') }],
  },
  {
    name: 'update-listeners',
    summary: 'add a per-broker listener for an NLB / PrivateLink (plan, --apply, --revert, --print-nlb, --msk)',
    load: () => import('./update-listeners.js'),
  },
  {
    name: 'completion',
    summary: 'print the shell completion script (bash, zsh or fish)',
    load: () => import('./completion.js'),
  },
  {
    name: 'bench',
    summary: 'measure msg/s, MB/s and end-to-end latency (produce, consume, e2e)',
    verbs: [
      { name: 'produce', load: () => import('./bench/produce.js') },
      { name: 'consume', load: () => import('./bench/consume.js') },
      { name: 'e2e', load: () => import('./bench/e2e.js') },
    ],
  },
];

export function findCommand(name: string | undefined): Entry | undefined {
  return COMMANDS.find((entry) => entry.name === name);
}
