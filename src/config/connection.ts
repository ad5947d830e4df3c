import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isEncryptedPem } from '../certs/keys.js';
import { parseAuthMethod, resolveIamAuth, type IamAuth } from '../aws/msk-iam.js';
import { KfeedError } from '../errors.js';
import { readUserFile } from './files.js';
import { ProfileStore, unknownProfile, type Profile, type SaslMechanism, type SecurityProtocol } from './profiles.js';

/** The connection flags every Kafka command accepts (commander's camel-cased names). */
export interface ConnectionFlags {
  profile?: string;
  brokers?: string;
  ca?: string;
  cert?: string;
  key?: string;
  plaintext?: boolean;
  saslUser?: string;
  saslMechanism?: string;
  /** `iam`: MSK IAM (SASL/OAUTHBEARER with AWS credentials). */
  auth?: string;
  /** The AWS region IAM tokens are signed for. */
  region?: string;
}

/** Everything needed to open a Kafka connection, with files already read. */
export interface ConnectionSettings {
  brokers: string[];
  security: SecurityProtocol;
  /** PEM texts; absent CA means the system's public roots (what MSK broker certificates chain to). */
  tls?: { ca?: string; cert?: string; key?: string; passphrase?: string };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  /** MSK IAM: tokens are made per connection from these (see src/aws/msk-iam.ts). */
  iam?: IamAuth;
  /** Which layer gave each setting: for `profile show --resolved` and error messages. */
  origin: Record<string, string>;
  files: { ca?: string; cert?: string; key?: string };
  profileName?: string;
  /**
   * The command's stop (Ctrl-C, SIGTERM): reaching the cluster ends as soon as it fires,
   * whatever the broker does (src/kafka/client.ts `reach`).
   */
  signal?: AbortSignal;
}

export interface SecretSource {
  /** Asks for a secret without echo; undefined when no one can be asked. */
  password(message: string): Promise<string | undefined>;
}

export interface ResolveInput {
  flags: ConnectionFlags;
  env: NodeJS.ProcessEnv;
  cwd: string;
  profiles: ProfileStore;
  secrets: SecretSource;
}

/** The file names the original tools read from the working folder. */
export const LEGACY_FILES = { key: 'private_key.pem', cert: 'client_cert.pem', ca: 'truststore.pem' } as const;

const SECURITY: SecurityProtocol[] = ['ssl', 'plaintext', 'sasl_ssl', 'sasl_plaintext'];
const MECHANISMS: SaslMechanism[] = ['scram-sha-512', 'scram-sha-256'];

/**
 * Turns flags > environment > profile into connection settings. The environment layer is
 * what the original tools used: TLSBROKERS, PK_PASSWORD, and private_key.pem /
 * client_cert.pem / truststore.pem in the working folder when they exist.
 */
export async function resolveConnection(input: ResolveInput): Promise<ConnectionSettings> {
  const { flags, env, cwd } = input;
  const origin: Record<string, string> = {};
  const profileName = flags.profile ?? env.KFEED_PROFILE ?? input.profiles.defaultName();
  let profile: Profile | undefined;
  if (profileName) {
    const data = input.profiles.read();
    profile = data.profiles[profileName];
    // Only a profile the user asked for by name must exist; a stale default is ignored.
    if (!profile && (flags.profile || env.KFEED_PROFILE)) throw unknownProfile(profileName, data);
  }

  const pick = <T>(name: string, layers: Array<[string, T | undefined]>): T | undefined => {
    for (const [layer, value] of layers) {
      if (value !== undefined && value !== '') {
        origin[name] = layer;
        return value;
      }
    }
    return undefined;
  };
  const legacy = (file: string) => {
    const full = path.join(cwd, file);
    return fs.existsSync(full) ? full : undefined;
  };
  const fromProfile = `profile ${profileName}`;

  const brokerList = pick<string | string[]>('brokers', [
    ['--brokers', flags.brokers],
    ['TLSBROKERS', env.TLSBROKERS],
    [fromProfile, profile?.brokers],
  ]);
  if (!brokerList || (Array.isArray(brokerList) && brokerList.length === 0)) {
    throw new KfeedError('config', 'no brokers given', {
      hint: 'pass --brokers host:port, set TLSBROKERS, or create a profile (`kfeed local up` makes one)',
    });
  }
  const brokers = parseBrokerList(brokerList);
  // Settings of two clusters are never mixed: a default profile (not named by --profile or
  // KFEED_PROFILE) counts only when it also gave the brokers; brokers from --brokers or
  // TLSBROKERS may be another cluster, whose CA, certificate and user the profile does not know.
  const namedProfile = Boolean(flags.profile || env.KFEED_PROFILE);
  if (profile && !namedProfile && origin.brokers !== fromProfile) profile = undefined;

  const explicitSecurity = flags.plaintext
    ? ((origin.security = '--plaintext'), flags.saslUser ? 'sasl_plaintext' : 'plaintext')
    : undefined;
  const saslUser = pick('saslUser', [
    ['--sasl-user', flags.saslUser],
    ['KFEED_SASL_USER', env.KFEED_SASL_USER],
    [fromProfile, profile?.saslUser],
  ]);
  let security: SecurityProtocol =
    (explicitSecurity as SecurityProtocol | undefined) ??
    (origin.brokers === fromProfile ? profile?.security : undefined) ??
    'ssl';
  if (!SECURITY.includes(security)) {
    throw new KfeedError('config', `profile ${profileName} has an unknown security protocol "${security}"`, {
      hint: `use one of ${SECURITY.join(', ')}`,
    });
  }
  if (saslUser && security === 'ssl') security = 'sasl_ssl';
  if (saslUser && security === 'plaintext') security = 'sasl_plaintext';
  const authValue = pick('auth', [
    ['--auth', flags.auth],
    ['KFEED_AUTH', env.KFEED_AUTH],
    [fromProfile, profile?.auth],
  ]);
  const auth = authValue ? parseAuthMethod(authValue, origin.auth) : undefined;
  if (auth === 'iam') {
    if (saslUser) {
      const message = `--auth iam and the SASL user ${saslUser} (from ${origin.saslUser}) exclude each other`;
      throw new KfeedError('usage', message, {
        hint: 'IAM uses AWS credentials: drop the SASL user',
      });
    }
    security = security === 'plaintext' || security === 'sasl_plaintext' ? 'sasl_plaintext' : 'sasl_ssl';
  }

  const settings: ConnectionSettings = {
    brokers,
    security,
    origin,
    files: {},
    profileName: profile ? profileName : undefined,
  };

  if (security === 'ssl' || security === 'sasl_ssl') {
    // Files named by flags are relative to the command's folder.
    const fromFlag = (file: string | undefined) => (file ? path.resolve(cwd, file) : undefined);
    const caFile = pick('ca', [
      ['--ca', fromFlag(flags.ca)],
      [LEGACY_FILES.ca, legacy(LEGACY_FILES.ca)],
      [fromProfile, profile?.ca],
    ]);
    // A client certificate only makes sense for mTLS; SASL over TLS authenticates by password.
    const wantsClientCert = security === 'ssl';
    const certFile = wantsClientCert
      ? pick('cert', [
          ['--cert', fromFlag(flags.cert)],
          [LEGACY_FILES.cert, legacy(LEGACY_FILES.cert)],
          [fromProfile, profile?.cert],
        ])
      : fromFlag(flags.cert);
    const keyFile = wantsClientCert
      ? pick('key', [
          ['--key', fromFlag(flags.key)],
          [LEGACY_FILES.key, legacy(LEGACY_FILES.key)],
          [fromProfile, profile?.key],
        ])
      : fromFlag(flags.key);
    if (Boolean(certFile) !== Boolean(keyFile)) {
      throw new KfeedError(
        'config',
        certFile ? `certificate ${certFile} given without its key` : `key ${keyFile} given without its certificate`,
        {
          hint: 'pass both --cert and --key (or neither)',
        },
      );
    }
    settings.files = { ca: caFile, cert: certFile, key: keyFile };
    const tls: NonNullable<ConnectionSettings['tls']> = {};
    if (caFile) tls.ca = readUserFile(caFile, 'CA file');
    if (certFile && keyFile) {
      tls.cert = readUserFile(certFile, 'certificate');
      tls.key = readUserFile(keyFile, 'key');
      if (isEncryptedPem(tls.key)) {
        tls.passphrase = env.PK_PASSWORD || (await input.secrets.password(`Password for ${keyFile}`));
        if (!tls.passphrase) {
          throw new KfeedError('config', `key ${keyFile} is encrypted and no password was given`, {
            hint: 'set PK_PASSWORD or run in a terminal to be asked',
          });
        }
      }
    }
    if (tls.cert && tls.key) checkKeyPair(tls.cert, tls.key, tls.passphrase, { cert: certFile!, key: keyFile! });
    settings.tls = tls;
  }

  if (saslUser) {
    const mechanism = (flags.saslMechanism ?? profile?.saslMechanism ?? 'scram-sha-512').toLowerCase() as SaslMechanism;
    if (!MECHANISMS.includes(mechanism)) {
      throw new KfeedError('usage', `unknown SASL mechanism "${mechanism}"`, {
        hint: `use ${MECHANISMS.join(' or ')}`,
      });
    }
    const password = env.KFEED_SASL_PASSWORD || (await input.secrets.password(`SASL password for ${saslUser}`));
    if (!password) {
      throw new KfeedError('config', `no SASL password for ${saslUser}`, {
        hint: 'set KFEED_SASL_PASSWORD or run in a terminal to be asked',
      });
    }
    settings.sasl = { mechanism, username: saslUser, password };
  }
  if (auth === 'iam') {
    const regions = { regionFlag: flags.region, profileRegion: profile?.region, profileLabel: fromProfile };
    settings.iam = resolveIamAuth({ ...regions, env, brokers });
    origin.region = settings.iam.regionOrigin;
    // Names the source only (a variable, profile or role), never a secret.
    origin.credentials = settings.iam.credentialSource.description;
  }
  return settings;
}

/**
 * Reads the key and compares it with the certificate before any connection, so a wrong
 * password or a mismatched pair is named as such rather than as a failed handshake.
 */
export function checkKeyPair(
  certPem: string,
  keyPem: string,
  passphrase: string | undefined,
  files: { cert: string; key: string },
): void {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: keyPem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
  } catch {
    throw new KfeedError(
      'config',
      `the private key ${files.key} could not be read: ${passphrase ? 'wrong password, or ' : ''}not a PEM private key`,
      {
        hint: passphrase ? 'check PK_PASSWORD and --key' : 'check --key',
      },
    );
  }
  let certKey: crypto.KeyObject;
  try {
    certKey = new crypto.X509Certificate(certPem).publicKey;
  } catch {
    throw new KfeedError('config', `${files.cert} is not a PEM certificate`, { hint: 'check --cert' });
  }
  const spki = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' });
  if (!spki(crypto.createPublicKey(key)).equals(spki(certKey))) {
    throw new KfeedError('config', `certificate ${files.cert} does not belong to key ${files.key}`, {
      hint: 'pass the key the certificate was issued for',
    });
  }
}

/**
 * Where the client's identity came from, when it is the old tools' convention: client_cert.pem
 * and private_key.pem picked up from the working folder. Errors about that identity say so, since
 * a folder holding someone else's files (a subscriber's) silently changes who kfeed connects as.
 */
export function identityFromWorkingFolder(
  settings: Partial<Pick<ConnectionSettings, 'origin' | 'files'>>,
): string | undefined {
  if (settings.origin?.cert !== LEGACY_FILES.cert) return undefined;
  return `connected as ${settings.files?.cert ?? LEGACY_FILES.cert}, found in the working folder`;
}

/** Accepts "h1:p1,h2:p2" (the MSK bootstrap string form) or a list; checks each entry. */
export function parseBrokerList(value: string | string[]): string[] {
  const entries = (Array.isArray(value) ? value : value.split(/[,\s]+/)).map((b) => b.trim()).filter(Boolean);
  for (const entry of entries) {
    const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) {
      throw new KfeedError('usage', `"${entry}" is not a broker address`, {
        hint: 'write brokers as host:port[,host:port...]',
      });
    }
  }
  if (entries.length === 0)
    throw new KfeedError('usage', 'the broker list is empty', { hint: 'write brokers as host:port[,host:port...]' });
  return entries;
}
