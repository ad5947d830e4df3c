import path from 'node:path';
import { Option, type Command } from 'commander';
import { kafkaPrincipalOfCertificate } from '../../certs/principal.js';
import { readUserFile } from '../../config/files.js';
import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { usageError } from '../../errors.js';
import { grantRole, revokeRole, ROLES, type AclBinding, type Role } from '../../kafka/acls.js';
import { withAdmin } from '../../kafka/client.js';
import { checkTopicName } from '../../kafka/topics.js';
import { connectionFlags, withConnectionOptions } from '../options.js';
import { refuseAclsOnIam } from '../../aws/msk-iam.js';

/** What `acl grant` and `acl revoke` share: the same flags name the client, role and topic. */
export interface AclChangeOptions extends ConnectionFlags {
  principal?: string;
  /** The certificate of the client being granted (not the connection's own). */
  cert?: string;
  adminCert?: string;
  adminKey?: string;
  role: Role;
  topic: string;
  group?: string;
  prefixed?: boolean;
}

export interface AclChangeResult {
  principal: string;
  role: Role;
  topic: string;
  /** `granted` for acl grant, `revoked` for acl revoke: the bindings created or removed. */
  bindings: AclBinding[];
}

export function aclChangeFlags(command: Command, verb: 'grant' | 'revoke'): Command {
  // Here --cert names the client being granted; the connection's own is --admin-cert.
  return withConnectionOptions(
    command
      .option('--cert <file>', 'PEM certificate of the client: its subject becomes the principal')
      .option('--principal <principal>', 'principal, e.g. User:CN=client,O=Example Corp')
      .addOption(
        new Option('--role <role>', verb === 'grant' ? 'what the client may do' : 'the role to take back')
          .choices([...ROLES])
          .makeOptionMandatory(),
      )
      .requiredOption('--topic <topic>', 'topic name (or prefix with --prefixed; "*" for all topics)')
      .option('--group <group>', 'consumer group for consumer/read roles', '*')
      .option('--prefixed', 'treat --topic and --group as name prefixes'),
    { certFlags: 'admin' },
  );
}

/** The checks that need no file or broker: the client is named exactly once, the topic is a topic name. */
export function validateAclChange(options: AclChangeOptions): void {
  if (Boolean(options.principal) === Boolean(options.cert)) {
    throw usageError('name the client once: --cert FILE or --principal User:...', 'see `kfeed acl grant --help`');
  }
  if (options.topic !== '*') checkTopicName(options.topic);
}

export function principalFrom(options: { principal?: string; cert?: string }, cwd: string): string {
  if (options.principal) return options.principal;
  const text = readUserFile(path.resolve(cwd, options.cert!), 'certificate');
  if (!/-----BEGIN (X509 )?CERTIFICATE-----/.test(text)) {
    throw usageError(
      `no certificate found in ${options.cert}`,
      "pass the client's PEM certificate (BEGIN CERTIFICATE), e.g. client_cert.pem",
    );
  }
  return kafkaPrincipalOfCertificate(text);
}

export async function changeAcls(
  ctx: Context,
  verb: 'grant' | 'revoke',
  options: AclChangeOptions,
): Promise<AclChangeResult> {
  const principal = principalFrom(options, ctx.cwd);
  const settings = await ctx.connection(connectionFlags(options, 'admin'));
  refuseAclsOnIam(settings);
  const { role, topic, group, prefixed } = options;
  const input = { principal, role, topic, group, prefixed };
  const change = verb === 'grant' ? grantRole : revokeRole;
  const bindings = await withAdmin(settings, (admin) => change(admin, input));
  return { principal, role: options.role, topic: options.topic, bindings };
}
