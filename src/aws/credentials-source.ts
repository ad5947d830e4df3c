import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the AWS default credential chain would take credentials from, named for people
 * (`profile show --resolved`). It follows the chain's order (environment keys, the shared
 * files' profile: SSO, assumed role, process, static keys; web identity; container; instance
 * role) by looking at variables and files only: nothing is fetched and no secret is returned.
 */
export interface CredentialSource {
  /** env | sso | assume-role | process | shared-file | web-identity | container | instance-role */
  kind: string;
  /** One line: the variable, profile or file it comes from, and the access key id's last 4 characters at most. */
  description: string;
  /** kind `process`: the profile's credential_process command line (never shown: it may carry arguments). */
  command?: string;
}

export interface SourceInput {
  env: NodeJS.ProcessEnv;
  /** Reads a file's text, undefined when it does not exist (tests pass their own). */
  readFile?: (file: string) => string | undefined;
}

type IniSections = Record<string, Record<string, string>>;

/** The shared config / credentials file format: `[section]` then `key = value` lines. */
export function parseIni(text: string): IniSections {
  const sections: IniSections = {};
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+|\s+$/g, '');
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = sections[header[1].trim()] ??= {};
      continue;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair && current) current[pair[1].trim()] = pair[2].trim();
  }
  return sections;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The profile of the shared files in use, and its settings from both files (credentials file first). */
export function sharedProfile(input: SourceInput): {
  name: string;
  settings: Record<string, string>;
  files: string[];
} {
  const { env } = input;
  const read = input.readFile ?? readText;
  const home = env.HOME ?? os.homedir();
  const name = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default';
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config');
  const files: string[] = [];
  const settings: Record<string, string> = {};
  const fromCredentials = parseIni(read(credentialsFile) ?? '')[name];
  const configSections = parseIni(read(configFile) ?? '');
  const fromConfig = configSections[name === 'default' ? 'default' : `profile ${name}`] ?? configSections[name];
  if (fromConfig) {
    Object.assign(settings, fromConfig);
    files.push(configFile);
  }
  if (fromCredentials) {
    Object.assign(settings, fromCredentials);
    files.push(credentialsFile);
  }
  return { name, settings, files };
}

const keyTail = (id: string | undefined) => (id ? ` (access key …${id.slice(-4)})` : '');

export function describeCredentialSource(input: SourceInput): CredentialSource {
  const { env } = input;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const temporary = env.AWS_SESSION_TOKEN ? ' with a session token' : '';
    return {
      kind: 'env',
      description: `environment AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY${temporary}${keyTail(env.AWS_ACCESS_KEY_ID)}`,
    };
  }
  const profile = sharedProfile(input);
  const s = profile.settings;
  const where = `profile "${profile.name}"${profile.files.length ? ` in ${profile.files.join(' and ')}` : ''}`;
  if (s.sso_session || s.sso_start_url) {
    return {
      kind: 'sso',
      description: `AWS IAM Identity Center (SSO) session ${s.sso_session ?? s.sso_start_url}, ${where}`,
    };
  }
  if (s.role_arn) {
    const via = s.source_profile
      ? `source profile "${s.source_profile}"`
      : s.credential_source
        ? s.credential_source
        : 'web identity';
    return { kind: 'assume-role', description: `assumed role ${s.role_arn} via ${via}, ${where}` };
  }
  if (s.credential_process) {
    return { kind: 'process', description: `credential_process of ${where}`, command: s.credential_process };
  }
  if (s.aws_access_key_id && s.aws_secret_access_key) {
    return { kind: 'shared-file', description: `static keys of ${where}${keyTail(s.aws_access_key_id)}` };
  }
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) {
    return {
      kind: 'web-identity',
      description: `web identity token ${env.AWS_WEB_IDENTITY_TOKEN_FILE} for role ${env.AWS_ROLE_ARN}`,
    };
  }
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    return {
      kind: 'container',
      description: 'the container credentials endpoint (ECS / EKS Pod Identity task role)',
    };
  }
  return { kind: 'instance-role', description: 'the EC2 instance role (instance metadata), if this machine has one' };
}

/** The region of the shared config file's profile in use, for when neither flag nor variable names one. */
export function configFileRegion(input: SourceInput): { region: string; origin: string } | undefined {
  const profile = sharedProfile(input);
  const region = profile.settings.region;
  return region ? { region, origin: `AWS config profile "${profile.name}"` } : undefined;
}
