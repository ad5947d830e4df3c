import type { ConnectionFlags, ConnectionSettings } from '../../config/connection.js';
import { unknownProfile, type Profile } from '../../config/profiles.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { connectionFlags, withConnectionOptions } from '../options.js';

export interface ProfileShowOptions extends ConnectionFlags {
  name?: string;
  resolved?: boolean;
}

/** A stored profile, as written in the profiles file. */
export type StoredProfileView = Profile & { resolved: false; name: string; isDefault: boolean };

/** The connection kfeed would use now, and which layer gave each setting. */
export interface ResolvedProfileView {
  resolved: true;
  profile: string | null;
  brokers: string[];
  security: ConnectionSettings['security'];
  files: ConnectionSettings['files'];
  saslUser: string | null;
  keyEncrypted: boolean;
  /** MSK IAM: the region tokens are signed for and where the AWS credentials come from (never a secret). */
  iam: { region: string; credentials: string } | null;
  origin: Record<string, string>;
}

export type ProfileShowResult = StoredProfileView | ResolvedProfileView;

export default defineCommand<ProfileShowOptions, ProfileShowResult>({
  name: 'show',
  summary: 'show a profile (default: the default one)',
  args: [{ key: 'name', syntax: '[name]', description: 'profile name' }],
  flags: (command) =>
    withConnectionOptions(
      command.option(
        '--resolved',
        'show the connection kfeed would use now, after flags and environment, and where each setting came from',
      ),
    ),
  run: async (ctx, options) => (options.resolved ? resolvedView(ctx, options) : storedView(ctx, options.name)),
  render: (view) => (view.resolved ? renderResolved(view) : renderStored(view)),
  // The `resolved` tag is how the two shapes are told apart here; scripts know which they asked for.
  json: ({ resolved: _tag, ...fields }) => fields,
});

async function resolvedView(ctx: Context, options: ProfileShowOptions): Promise<ResolvedProfileView> {
  const settings = await ctx.connection({ ...connectionFlags(options), profile: options.name ?? options.profile });
  return {
    resolved: true,
    profile: settings.profileName ?? null,
    brokers: settings.brokers,
    security: settings.security,
    files: settings.files,
    saslUser: settings.sasl?.username ?? null,
    keyEncrypted: Boolean(settings.tls?.passphrase),
    iam: settings.iam ? { region: settings.iam.region, credentials: settings.iam.credentialSource.description } : null,
    origin: settings.origin,
  };
}

function storedView(ctx: Context, name: string | undefined): StoredProfileView {
  const data = ctx.profiles.read();
  const chosen = name ?? ctx.profiles.defaultName();
  if (!chosen) {
    const none = Object.keys(data.profiles).length === 0;
    throw new KfeedError('config', none ? 'there are no profiles' : 'there is no default profile', {
      hint: none
        ? 'create one with `kfeed local up` or `kfeed profile add`'
        : 'name one: `kfeed profile show NAME`, or pick a default with `kfeed profile use NAME`',
    });
  }
  const profile = data.profiles[chosen];
  if (!profile) throw unknownProfile(chosen, data);
  return { resolved: false, name: chosen, isDefault: chosen === data.defaultProfile, ...profile };
}

function renderResolved(view: ResolvedProfileView): string {
  const origin = (key: string) => (view.origin[key] ? `  [${view.origin[key]}]` : '');
  return [
    `profile    ${view.profile ?? '(none)'}`,
    `brokers    ${view.brokers.join(',')}  [${view.origin.brokers}]`,
    `security   ${view.security}`,
    `CA         ${view.files.ca ?? '(system roots)'}${origin('ca')}`,
    `cert       ${view.files.cert ?? '(none)'}${origin('cert')}`,
    `key        ${view.files.key ?? '(none)'}${origin('key')}`,
    ...(view.saslUser ? [`SASL user  ${view.saslUser}`] : []),
    ...(view.iam
      ? [
          `auth       iam${origin('auth')}`,
          `region     ${view.iam.region}${origin('region')}`,
          `credentials ${view.iam.credentials}`,
        ]
      : []),
  ].join('\n');
}

function renderStored(profile: StoredProfileView): string {
  return [
    `name       ${profile.name}${profile.isDefault ? ' (default)' : ''}`,
    `brokers    ${profile.brokers.join(',')}`,
    `security   ${profile.security ?? 'ssl'}`,
    ...(profile.ca ? [`CA         ${profile.ca}`] : []),
    ...(profile.cert ? [`cert       ${profile.cert}`] : []),
    ...(profile.key ? [`key        ${profile.key}`] : []),
    ...(profile.saslUser ? [`SASL user  ${profile.saslUser} (${profile.saslMechanism ?? 'scram-sha-512'})`] : []),
    ...Object.entries(profile.meta ?? {}).map(([k, v]) => `${k.padEnd(10)} ${v}`),
  ].join('\n');
}
