import type { Command } from 'commander';
import type { Context } from '../context.js';

/** A command module wires its flags onto `parent` and calls its run function. */
export interface CommandModule {
  register(parent: Command, ctx: Context): void;
}

interface Entry {
  name: string;
  summary: string;
  load: () => Promise<CommandModule>;
}

/**
 * Every top-level command, loaded only when named on the command line, so that
 * `kfeed --help` reads this list and nothing else (no Kafka, AWS or crypto libraries).
 */
export const COMMANDS: Entry[] = [
  { name: 'local', summary: 'run a real Apache Kafka with mTLS on this machine (up, status, logs, down)', load: () => import('./local/index.js') },
  { name: 'profile', summary: 'manage connection profiles (list, show, use, add, remove)', load: () => import('./profile/index.js') },
  { name: 'create-topic', summary: 'create a topic', load: () => import('./topic/create.js') },
  { name: 'list-topics', summary: 'list topics and ACLs', load: () => import('./topic/list.js') },
  { name: 'describe-topic', summary: 'show partitions, leaders, replicas, ISR and configs of a topic', load: () => import('./topic/describe.js') },
  { name: 'delete-topic', summary: 'delete a topic and its ACLs', load: () => import('./topic/delete.js') },
  { name: 'acl', summary: 'grant, revoke and list ACLs by certificate or principal', load: () => import('./acl/index.js') },
  { name: 'produce', summary: 'send records from stdin, a simulated market, Alpaca or Twelve Data', load: () => import('./produce.js') },
  { name: 'consume', summary: 'read records: print them, show a live ticker, or write them to S3', load: () => import('./consume.js') },
  { name: 'demo', summary: 'local broker, simulated market and a live ticker over mTLS, in one command', load: () => import('./demo.js') },
  { name: 'makecsr', summary: 'make a private key, a CSR and a truststore for an mTLS client', load: () => import('./makecsr.js') },
  { name: 'issuecert', summary: 'have a CSR signed by AWS Private CA (or a local CA)', load: () => import('./issuecert.js') },
  { name: 'importcert', summary: 'PKCS#12 keystore, truststore and client.properties for Java Kafka clients', load: () => import('./importcert.js') },
  { name: 'cert', summary: 'inspect a certificate (principal for ACLs) or verify certificate, key and chain', load: () => import('./cert/index.js') },
  { name: 'ca', summary: 'make a local CA for development (ca init)', load: () => import('./ca/index.js') },
  { name: 'msk', summary: 'Amazon MSK: discover a cluster (state, brokers, bootstrap strings), save a profile', load: () => import('./msk/index.js') },
  { name: 'update-listeners', summary: 'add a per-broker listener for an NLB / PrivateLink (plan, --apply, --revert, --print-nlb, --msk)', load: () => import('./update-listeners.js') },
  { name: 'bench', summary: 'measure msg/s, MB/s and end-to-end latency (produce, consume, e2e)', load: () => import('./bench/index.js') },
];

export function findCommand(name: string | undefined): Entry | undefined {
  return COMMANDS.find((entry) => entry.name === name);
}
