import fs from 'node:fs';
import path from 'node:path';
import { KfeedError } from '../errors.js';
import { writeFileAtomic } from './files.js';

/**
 * A named set of connection settings. Secrets are never stored: key and SASL passwords come
 * from the environment or a prompt each time.
 */
export interface Profile {
  brokers: string[];
  /** `ssl` (default), `plaintext`, `sasl_ssl` or `sasl_plaintext`. */
  security?: SecurityProtocol;
  ca?: string;
  cert?: string;
  key?: string;
  saslUser?: string;
  saslMechanism?: SaslMechanism;
  /** `iam`: MSK IAM authentication with the AWS credential chain. */
  auth?: 'iam';
  /** AWS region for IAM tokens. */
  region?: string;
  /** Free-form facts kept with the profile (cluster ARN, region, local cluster name...). */
  meta?: Record<string, string>;
}

export type SecurityProtocol = 'ssl' | 'plaintext' | 'sasl_ssl' | 'sasl_plaintext';
export type SaslMechanism = 'scram-sha-256' | 'scram-sha-512';

export interface ProfileFile {
  defaultProfile?: string;
  profiles: Record<string, Profile>;
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new KfeedError('usage', `"${name}" is not a valid profile name`, {
      hint: 'use letters, digits, ".", "_" or "-" (at most 64)',
    });
  }
  return name;
}

/** The profiles file (`profiles.json` in the config folder), read and written whole. */
export class ProfileStore {
  readonly file: string;

  constructor(configDir: string) {
    this.file = path.join(configDir, 'profiles.json');
  }

  read(): ProfileFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as ProfileFile;
      if (!parsed || typeof parsed !== 'object' || typeof parsed.profiles !== 'object')
        throw new Error('no "profiles" object');
      return parsed;
    } catch (error) {
      throw new KfeedError('config', `${this.file} is not a valid profiles file (${(error as Error).message})`, {
        hint: 'fix or remove it',
      });
    }
  }

  get(name: string): Profile | undefined {
    return this.read().profiles[name];
  }

  /** The profile to use when none is named: the default, or the only one there is. */
  defaultName(): string | undefined {
    const data = this.read();
    if (data.defaultProfile && data.profiles[data.defaultProfile]) return data.defaultProfile;
    const names = Object.keys(data.profiles);
    return names.length === 1 ? names[0] : undefined;
  }

  /**
   * Saves a profile. It becomes the default when asked (`makeDefault`) or when there was none;
   * otherwise the profile that was the default stays so, even one that was so only by being the
   * only profile (adding a second must not silently change where commands connect).
   */
  put(name: string, profile: Profile, options: { makeDefault?: boolean } = {}): void {
    checkProfileName(name);
    const before = this.defaultName();
    const data = this.read();
    data.profiles[name] = profile;
    if (options.makeDefault || !before) data.defaultProfile = name;
    else data.defaultProfile = before;
    this.write(data);
  }

  remove(name: string): void {
    const data = this.read();
    if (!data.profiles[name]) throw unknownProfile(name, data);
    delete data.profiles[name];
    if (data.defaultProfile === name) delete data.defaultProfile;
    this.write(data);
  }

  use(name: string): void {
    const data = this.read();
    if (!data.profiles[name]) throw unknownProfile(name, data);
    data.defaultProfile = name;
    this.write(data);
  }

  private write(data: ProfileFile): void {
    writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  }
}

export function unknownProfile(name: string, data: ProfileFile): KfeedError {
  const names = Object.keys(data.profiles);
  return new KfeedError('config', `no profile named "${name}"`, {
    hint: names.length
      ? `known profiles: ${names.join(', ')}`
      : 'create one with `kfeed profile add` or `kfeed local up`',
  });
}
