import path from 'node:path';
import { Option, type Command } from 'commander';
import { readUserFile } from '../../config/files.js';
import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { kafkaPrincipalOfCertificate } from '../../certs/principal.js';
import { usageError } from '../../errors.js';
import { grantRole, listAcls, revokeRole, ROLES, type Role } from '../../kafka/acls.js';
import { refuseAclsOnIam } from '../../aws/msk-iam.js';
import { withAdmin } from '../../kafka/client.js';
import { checkTopicName } from '../../kafka/topics.js';
import { ACL_COLUMNS } from '../../render/acls.js';
import { connectionFlags, withConnectionOptions } from '../options.js';

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

export function register(program: Command, ctx: Context): void {
  const acl = program.command('acl').description('grant, revoke and list ACLs');
  for (const verb of ['grant', 'revoke'] as const) {
    // Here --cert names the client being granted; the connection's own is --admin-cert.
    withConnectionOptions(
      acl
        .command(verb)
        .description(verb === 'grant' ? 'allow a client (by certificate or principal) a role on a topic' : 'remove what `acl grant` allowed')
        .option('--cert <file>', 'PEM certificate of the client: its subject becomes the principal')
        .option('--principal <principal>', 'principal, e.g. User:CN=client,O=Example Corp')
        .addOption(new Option('--role <role>', 'what the client may do').choices([...ROLES]).makeOptionMandatory())
        .requiredOption('--topic <topic>', 'topic name (or prefix with --prefixed; "*" for all topics)')
        .option('--group <group>', 'consumer group for consumer/read roles', '*')
        .option('--prefixed', 'treat --topic and --group as name prefixes'),
      { certFlags: 'admin' },
    ).action((options: AclChangeOptions) => aclChangeRun(ctx, verb, options));
  }
  withConnectionOptions(
    acl.command('list').description('list ACLs (all, or those that apply to a topic)').option('--topic <topic>', 'only ACLs that apply to this topic'),
  ).action((options: ConnectionFlags & { topic?: string }) => aclListRun(ctx, options));
}

export function principalFrom(options: { principal?: string; cert?: string }, cwd: string): string {
  if (Boolean(options.principal) === Boolean(options.cert)) {
    throw usageError('name the client once: --cert FILE or --principal User:...', 'see `kfeed acl grant --help`');
  }
  if (options.principal) return options.principal;
  const text = readUserFile(path.resolve(cwd, options.cert!), 'certificate');
  if (!/-----BEGIN (X509 )?CERTIFICATE-----/.test(text)) {
    throw usageError(`no certificate found in ${options.cert}`, 'pass the client\'s PEM certificate (BEGIN CERTIFICATE), e.g. client_cert.pem');
  }
  return kafkaPrincipalOfCertificate(text);
}

export async function aclChangeRun(ctx: Context, verb: 'grant' | 'revoke', options: AclChangeOptions): Promise<void> {
  const principal = principalFrom(options, ctx.cwd);
  if (options.topic !== '*') checkTopicName(options.topic);
  const settings = await ctx.connection(connectionFlags(options, 'admin'));
  refuseAclsOnIam(settings);
  const input = { principal, role: options.role, topic: options.topic, group: options.group, prefixed: options.prefixed };
  const bindings = await withAdmin(settings, (admin) => (verb === 'grant' ? grantRole(admin, input) : revokeRole(admin, input)));
  if (ctx.json) return ctx.printJson({ [verb === 'grant' ? 'granted' : 'revoked']: bindings });
  if (verb === 'revoke' && bindings.length === 0) {
    ctx.print(`no ACLs of role ${options.role} on ${options.topic} for ${principal}: nothing to revoke`);
    return;
  }
  ctx.print(`${verb === 'grant' ? 'granted' : 'revoked'} ${options.role} on topic ${options.topic} ${verb === 'grant' ? 'to' : 'from'} ${principal}:`);
  ctx.printTable(bindings, ACL_COLUMNS);
}

export async function aclListRun(ctx: Context, options: ConnectionFlags & { topic?: string }): Promise<void> {
  if (options.topic && options.topic !== '*') checkTopicName(options.topic);
  const settings = await ctx.connection(connectionFlags(options));
  refuseAclsOnIam(settings);
  const acls = await withAdmin(settings, (admin) => listAcls(admin, { topic: options.topic }));
  if (ctx.json) return ctx.printJson(acls);
  ctx.printTable(acls, ACL_COLUMNS, 'no ACLs');
}
