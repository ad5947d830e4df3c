import { Option, type Command } from 'commander';
import type { ConnectionFlags } from '../../config/connection.js';
import { parseBrokerList } from '../../config/connection.js';
import { checkProfileName, unknownProfile, type Profile, type SecurityProtocol } from '../../config/profiles.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { connectionFlags, withConnectionOptions } from '../options.js';
import path from 'node:path';

export function register(program: Command, ctx: Context): void {
  const profile = program.command('profile').description(`manage connection profiles (kept in ${ctx.profiles.file})`);

  profile.command('list').description('list profiles; * marks the default').action(() => profileList(ctx));

  withConnectionOptions(
    profile
      .command('show')
      .description('show a profile (default: the default one)')
      .argument('[name]', 'profile name')
      .option('--resolved', 'show the connection kfeed would use now, after flags and environment, and where each setting came from'),
  ).action((name: string | undefined, options: ConnectionFlags & { resolved?: boolean }) => profileShow(ctx, name, options));

  profile.command('use').description('make a profile the default').argument('<name>').action((name: string) => profileUse(ctx, name));

  profile
    .command('add')
    .description('add or replace a profile')
    .argument('<name>')
    .requiredOption('--brokers <list>', 'bootstrap brokers host:port,...')
    .addOption(new Option('--security <protocol>', 'security protocol').choices(['ssl', 'plaintext', 'sasl_ssl', 'sasl_plaintext']).default('ssl'))
    .option('--ca <file>', 'CA certificates that signed the brokers (PEM)')
    .option('--cert <file>', 'client certificate (PEM)')
    .option('--key <file>', 'client private key (PEM)')
    .option('--sasl-user <name>', 'SASL/SCRAM user (the password is never stored)')
    .addOption(new Option('--sasl-mechanism <name>').choices(['scram-sha-512', 'scram-sha-256']))
    .option('--default', 'make it the default profile')
    .action((name: string, options: ProfileAddOptions) => profileAdd(ctx, name, options));

  profile.command('remove').description('delete a profile').argument('<name>').action((name: string) => profileRemove(ctx, name));
}

export interface ProfileAddOptions {
  brokers: string;
  security: SecurityProtocol;
  ca?: string;
  cert?: string;
  key?: string;
  saslUser?: string;
  saslMechanism?: Profile['saslMechanism'];
  default?: boolean;
}

export function profileList(ctx: Context): void {
  const data = ctx.profiles.read();
  const rows = Object.entries(data.profiles).map(([name, p]) => ({ name, ...p, isDefault: name === data.defaultProfile }));
  if (ctx.json) return ctx.printJson(rows);
  ctx.printTable(
    rows,
    [
      { header: '', value: (r) => (r.isDefault ? '*' : '') },
      { header: 'NAME', value: (r) => r.name },
      { header: 'SECURITY', value: (r) => r.security ?? 'ssl' },
      { header: 'BROKERS', value: (r) => r.brokers.join(',') },
    ],
    'no profiles (`kfeed local up` or `kfeed profile add` makes one)',
  );
}

export async function profileShow(ctx: Context, name: string | undefined, options: ConnectionFlags & { resolved?: boolean }): Promise<void> {
  if (options.resolved) {
    const settings = await ctx.connection({ ...connectionFlags(options), profile: name ?? options.profile });
    const view = {
      profile: settings.profileName ?? null,
      brokers: settings.brokers,
      security: settings.security,
      files: settings.files,
      saslUser: settings.sasl?.username ?? null,
      keyEncrypted: Boolean(settings.tls?.passphrase),
      origin: settings.origin,
    };
    if (ctx.json) return ctx.printJson(view);
    ctx.print(
      [
        `profile    ${view.profile ?? '(none)'}`,
        `brokers    ${view.brokers.join(',')}  [${view.origin.brokers}]`,
        `security   ${view.security}`,
        `CA         ${view.files.ca ?? '(system roots)'}${view.origin.ca ? `  [${view.origin.ca}]` : ''}`,
        `cert       ${view.files.cert ?? '(none)'}${view.origin.cert ? `  [${view.origin.cert}]` : ''}`,
        `key        ${view.files.key ?? '(none)'}${view.origin.key ? `  [${view.origin.key}]` : ''}`,
        ...(view.saslUser ? [`SASL user  ${view.saslUser}`] : []),
      ].join('\n'),
    );
    return;
  }
  const data = ctx.profiles.read();
  const chosen = name ?? ctx.profiles.defaultName();
  if (!chosen) {
    const none = Object.keys(data.profiles).length === 0;
    throw new KfeedError('config', none ? 'there are no profiles' : 'there is no default profile', {
      hint: none ? 'create one with `kfeed local up` or `kfeed profile add`' : 'name one: `kfeed profile show NAME`, or pick a default with `kfeed profile use NAME`',
    });
  }
  const profile = data.profiles[chosen];
  if (!profile) throw unknownProfile(chosen, data);
  if (ctx.json) return ctx.printJson({ name: chosen, default: chosen === data.defaultProfile, ...profile });
  const lines = [
    `name       ${chosen}${chosen === data.defaultProfile ? ' (default)' : ''}`,
    `brokers    ${profile.brokers.join(',')}`,
    `security   ${profile.security ?? 'ssl'}`,
    ...(profile.ca ? [`CA         ${profile.ca}`] : []),
    ...(profile.cert ? [`cert       ${profile.cert}`] : []),
    ...(profile.key ? [`key        ${profile.key}`] : []),
    ...(profile.saslUser ? [`SASL user  ${profile.saslUser} (${profile.saslMechanism ?? 'scram-sha-512'})`] : []),
    ...Object.entries(profile.meta ?? {}).map(([k, v]) => `${k.padEnd(10)} ${v}`),
  ];
  ctx.print(lines.join('\n'));
}

export function profileUse(ctx: Context, name: string): void {
  ctx.profiles.use(name);
  if (ctx.json) return ctx.printJson({ defaultProfile: name });
  ctx.print(`default profile is now ${name}`);
}

export function profileAdd(ctx: Context, name: string, options: ProfileAddOptions): void {
  checkProfileName(name);
  const absolute = (file?: string) => (file ? path.resolve(ctx.cwd, file) : undefined);
  if (Boolean(options.cert) !== Boolean(options.key)) {
    throw new KfeedError('usage', 'a client certificate needs its key (and the reverse)', { hint: 'pass both --cert and --key' });
  }
  const profile: Profile = {
    brokers: parseBrokerList(options.brokers),
    security: options.security,
    ...(options.ca ? { ca: absolute(options.ca) } : {}),
    ...(options.cert ? { cert: absolute(options.cert), key: absolute(options.key) } : {}),
    ...(options.saslUser ? { saslUser: options.saslUser, saslMechanism: options.saslMechanism ?? 'scram-sha-512' } : {}),
  };
  ctx.profiles.put(name, profile, { makeDefault: options.default });
  if (ctx.json) return ctx.printJson({ name, ...profile });
  ctx.print(`profile ${name} saved${options.default ? ' and made the default' : ''}`);
}

export function profileRemove(ctx: Context, name: string): void {
  ctx.profiles.remove(name);
  if (ctx.json) return ctx.printJson({ removed: name });
  ctx.print(`profile ${name} removed`);
}
