import fs from 'node:fs';
import path from 'node:path';
import { KfeedError } from '../errors.js';
import { parseBrokerList } from './connection.js';
import { checkProfileFiles } from './profile-files.js';
import { checkProfileName, type Profile, type ProfileStore } from './profiles.js';

/**
 * `kfeed profile import`: a profile file as a subscriber bundle carries it (kfeed-profile.json),
 * checked field by field and its files relative to its own folder, saved under a name. An
 * existing profile of that name is kept unless `force`; the default profile stays the default
 * unless `makeDefault`.
 */
const FIELDS = ['brokers', 'security', 'ca', 'cert', 'key', 'saslUser', 'saslMechanism', 'auth', 'region', 'meta'];
const SECURITY = ['ssl', 'plaintext', 'sasl_ssl', 'sasl_plaintext'];
const MECHANISMS = ['scram-sha-256', 'scram-sha-512'];

/** Parses and checks a profile file; its `ca`, `cert` and `key` become absolute, relative to the file's folder. */
export function parseProfileFile(text: string, file: string): Profile {
  const bad = (why: string) =>
    new KfeedError('usage', `${file} is not a kfeed profile: ${why}`, {
      hint: 'import the kfeed-profile.json of a subscriber bundle, or make a profile with `kfeed profile add`',
    });
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw bad('it is not JSON');
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw bad('it is not a JSON object');
  const unknown = Object.keys(data).filter((k) => !FIELDS.includes(k));
  if (unknown.length) throw bad(`unknown field(s) ${unknown.join(', ')}`);
  if (!Array.isArray(data.brokers) || !data.brokers.every((b) => typeof b === 'string'))
    throw bad('"brokers" is not a list of host:port');
  const textField = (field: string): string | undefined => {
    const value = data[field];
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw bad(`"${field}" is not text`);
    return value as string | undefined;
  };
  const security = textField('security') ?? 'ssl';
  if (!SECURITY.includes(security)) throw bad(`security "${security}" is not one of ${SECURITY.join(', ')}`);
  const mechanism = textField('saslMechanism');
  if (mechanism !== undefined && !MECHANISMS.includes(mechanism))
    throw bad(`saslMechanism "${mechanism}" is not one of ${MECHANISMS.join(', ')}`);
  const auth = textField('auth');
  if (auth !== undefined && auth !== 'iam') throw bad(`auth "${auth}" is not iam`);
  const [ca, cert, key, saslUser, region] = ['ca', 'cert', 'key', 'saslUser', 'region'].map(textField);
  if (Boolean(cert) !== Boolean(key)) throw bad('a client certificate ("cert") needs its key ("key"), and the reverse');
  if (auth === 'iam' && (cert || saslUser)) throw bad('an IAM profile takes no client certificate or SASL user');
  if (region && auth !== 'iam') throw bad('"region" belongs to an IAM profile ("auth": "iam")');
  const meta = data.meta;
  if (
    meta !== undefined &&
    !(meta && typeof meta === 'object' && Object.values(meta).every((v) => typeof v === 'string'))
  )
    throw bad('"meta" is not an object of texts');

  const folder = path.dirname(path.resolve(file));
  const absolute = (f?: string) => (f ? path.resolve(folder, f) : undefined);
  const files = { ca: absolute(ca), cert: absolute(cert), key: absolute(key) };
  if (files.key && !fs.existsSync(files.key)) {
    throw new KfeedError('config', `key ${files.key} does not exist`, {
      hint: `put the private key you made the CSR with there (as ${path.basename(files.key)}), then import again`,
    });
  }
  // A profile that names a missing or wrong file would fail only at its first use.
  checkProfileFiles(files);
  return {
    brokers: parseBrokerList(data.brokers as string[]),
    security: security as Profile['security'],
    ...(files.ca ? { ca: files.ca } : {}),
    ...(files.cert ? { cert: files.cert, key: files.key } : {}),
    ...(saslUser ? { saslUser, saslMechanism: (mechanism ?? 'scram-sha-512') as Profile['saslMechanism'] } : {}),
    ...(auth === 'iam' ? { auth: 'iam' as const, ...(region ? { region } : {}) } : {}),
    ...(meta ? { meta: meta as Record<string, string> } : {}),
  };
}

export interface ImportedProfile {
  name: string;
  profile: Profile;
  /** An existing profile of that name was replaced (`force`). */
  replaced: boolean;
  /** The default profile after the import (undefined when there is none). */
  defaultProfile: string | undefined;
}

export function importProfile(
  store: ProfileStore,
  name: string,
  profile: Profile,
  options: { force?: boolean; makeDefault?: boolean } = {},
): ImportedProfile {
  checkProfileName(name);
  const replaced = store.get(name) !== undefined;
  if (replaced && !options.force) {
    throw new KfeedError('conflict', `profile ${name} already exists`, {
      hint: 'import it under another name with --name, or pass --force to replace it',
    });
  }
  store.put(name, profile, { makeDefault: options.makeDefault });
  return { name, profile, replaced, defaultProfile: store.defaultName() };
}
