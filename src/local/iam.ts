import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../config/files.js';
import { KfeedError } from '../errors.js';
import { copyMavenDependencies } from './jars.js';
import { checkMaven } from './prerequisites.js';
import { runCaptured } from './run.js';

/**
 * `kfeed local up --iam`: a SASL_SSL listener named as MSK names it (CLIENT_IAM) whose
 * OAUTHBEARER tokens are checked by a small Java callback handler (resources/iam/src), which
 * recomputes the SigV4 signature with AWS's own Java signer and the access key this cluster
 * was given. The handler is compiled against the broker's jars on first use and cached.
 */
export const IAM_LISTENER = 'CLIENT_IAM';
const VALIDATOR_CLASS = 'dev.kfeed.iam.IamTokenValidator';

export interface LocalIamOptions {
  region: string;
  /**
   * How long a session lasts before the client must re-authenticate (the listener's
   * connections.max.reauth.ms), at most MSK's 900 s. A token itself is good until its own
   * X-Amz-Expires (at most 900 s), as on MSK.
   */
  lifetimeSeconds: number;
}

export interface LocalIamState extends LocalIamOptions {
  accessKeyId: string;
  /** AWS shared-credentials format, 0600: `AWS_SHARED_CREDENTIALS_FILE=... AWS_PROFILE=<profile>`. */
  credentialsFile: string;
  profile: string;
  /** The Kafka principal the key authenticates as (for ACLs): `User:<identity>`. */
  principal: string;
  /** The validator's classes and AWS's signer jars, to append to the broker's classpath. */
  classpath: string;
}

export interface PrepareIamInput {
  kafkaClasspath: string;
  kafkaVersion: string;
  java: string;
  cacheDir: string;
  /** resources/iam (the pom and the Java source). */
  resourcesDir: string;
  env: NodeJS.ProcessEnv;
  options: LocalIamOptions;
  onProgress?: (text: string) => void;
}

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function checkLocalIamOptions(options: LocalIamOptions): void {
  if (!AWS_REGION.test(options.region)) {
    throw new KfeedError('usage', `"${options.region}" is not an AWS region`, {
      hint: 'use a region code such as us-east-1',
    });
  }
  if (!Number.isInteger(options.lifetimeSeconds) || options.lifetimeSeconds < 5 || options.lifetimeSeconds > 900) {
    throw new KfeedError('usage', '--iam-token-lifetime must be between 5 and 900 seconds', {
      hint: 'MSK sessions and tokens last at most 900 s',
    });
  }
}

/** javac, or one line saying which JDK to install (a JRE runs the broker but cannot compile). */
export function checkJavac(java: string, env: NodeJS.ProcessEnv): string {
  const javac = env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'javac') : path.join(path.dirname(java), 'javac');
  const candidates = [javac, 'javac'];
  for (const candidate of candidates) {
    if (candidate.includes(path.sep) ? fs.existsSync(candidate) : onPath(candidate, env)) return candidate;
  }
  throw new KfeedError('prerequisite', 'a JDK (javac) is needed to build the IAM token validator of `local up --iam`', {
    hint: 'install a JDK 17+ (e.g. `apt-get install openjdk-17-jdk-headless`) or point JAVA_HOME at one',
  });
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, command)));
}

/** AWS's signer jars (resources/iam/pom.xml), fetched once into the cache like the broker's. */
async function ensureSignerJars(input: PrepareIamInput): Promise<string> {
  const pom = path.join(input.resourcesDir, 'pom.xml');
  const version = /<awssdk\.version>([^<]+)<\/awssdk\.version>/.exec(fs.readFileSync(pom, 'utf8'))?.[1];
  if (!version) throw new Error(`no awssdk.version in ${pom}`);
  const libs = path.join(input.cacheDir, `aws-sdk-java-signer-${version}`, 'libs');
  if (fs.existsSync(path.join(libs, '.complete'))) return libs;
  const mvn = checkMaven(input.env);
  input.onProgress?.(`fetching AWS's Java signer ${version} from Maven Central (once)`);
  const failure = await copyMavenDependencies({ mvn, env: input.env, pom, libs });
  if (failure !== undefined) {
    const line = failure.split('\n').find((l) => /ERROR/.test(l)) ?? failure.split('\n')[0];
    throw new KfeedError('prerequisite', `Maven could not fetch AWS's Java signer: ${line.trim()}`, {
      hint: 'check access to Maven Central (or a mirror in ~/.m2/settings.xml)',
    });
  }
  return libs;
}

/** Compiles the validator against the broker's and the signer's jars, once per source and versions. */
async function ensureValidatorClasses(input: PrepareIamInput, signerLibs: string): Promise<string> {
  const source = path.join(input.resourcesDir, 'src', ...VALIDATOR_CLASS.split('.')) + '.java';
  const digest = crypto
    .createHash('sha256')
    .update(fs.readFileSync(source))
    .update(input.kafkaVersion)
    .update(signerLibs)
    .digest('hex')
    .slice(0, 16);
  const classes = path.join(input.cacheDir, 'iam-validator', digest);
  if (fs.existsSync(path.join(classes, '.complete'))) return classes;
  const javac = checkJavac(input.java, input.env);
  input.onProgress?.('compiling the IAM token validator (once)');
  const staging = `${classes}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const classpath = [input.kafkaClasspath, path.join(signerLibs, '*')].join(path.delimiter);
  const result = await runCaptured(
    javac,
    ['-nowarn', '-Xlint:-deprecation', '-d', staging, '-cp', classpath, source],
    input.env,
  );
  if (result.code !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new KfeedError('internal', `compiling the IAM token validator failed: ${result.text.trim().split('\n')[0]}`, {
      hint: `see ${source}`,
    });
  }
  fs.writeFileSync(path.join(staging, '.complete'), new Date().toISOString());
  fs.rmSync(classes, { recursive: true, force: true });
  fs.renameSync(staging, classes);
  return classes;
}

/** A fresh access key for the cluster: an id shaped like AWS's and a 40-character secret. */
function newAccessKey(): { accessKeyId: string; secretAccessKey: string } {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = Array.from(crypto.randomBytes(16), (b) => alphabet[b % 32]).join('');
  return {
    accessKeyId: `AKIA${id}`,
    secretAccessKey: crypto.randomBytes(30).toString('base64').replace(/[+/]/g, 'x'),
  };
}

/** AWS's signer jars and the compiled validator: the classpath to add to the broker's. Writes only to the cache. */
export async function prepareIamValidator(input: PrepareIamInput): Promise<string> {
  checkLocalIamOptions(input.options);
  const signerLibs = await ensureSignerJars(input);
  const classes = await ensureValidatorClasses(input, signerLibs);
  return [classes, path.join(signerLibs, '*')].join(path.delimiter);
}

/** The cluster's access key, written 0600 under its folder (never overwritten). */
export function makeLocalIamKey(input: {
  clusterName: string;
  clusterDir: string;
  options: LocalIamOptions;
  classpath: string;
}): LocalIamState {
  const { region, lifetimeSeconds } = input.options;
  const credentialsFile = path.join(input.clusterDir, 'iam', 'credentials');
  const profile = `kfeed-local-${input.clusterName}`;
  if (fs.existsSync(credentialsFile)) {
    throw new KfeedError('conflict', `${credentialsFile} already exists`, {
      hint: `stop the cluster with \`kfeed local down --name ${input.clusterName}\` first`,
    });
  }
  const key = newAccessKey();
  // The shared-credentials format serves both AWS's tools and the validator (a Java properties reader).
  const text = `[${profile}]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`;
  writeFileAtomic(credentialsFile, text, { mode: 0o600 });
  return {
    region,
    lifetimeSeconds,
    accessKeyId: key.accessKeyId,
    credentialsFile,
    profile,
    principal: `User:${profile}`,
    classpath: input.classpath,
  };
}

/** The CLIENT_IAM listener's broker properties (the listener itself is added with the others). */
export function iamListenerProperties(iam: LocalIamState): Record<string, string | number> {
  const prefix = `listener.name.${IAM_LISTENER.toLowerCase()}`;
  const jaas = [
    'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required',
    `keysFile="${iam.credentialsFile}"`,
    `identity="${iam.principal.replace(/^User:/, '')}"`,
    `region="${iam.region}"`,
    // The broker's own login token (unused: brokers talk over mTLS) comes from Kafka's unsecured handler.
    'unsecuredLoginStringClaim_sub="kfeed-broker";',
  ].join(' ');
  return {
    // The token authenticates the client; TLS only protects the line, as on MSK's 9098.
    [`${prefix}.ssl.client.auth`]: 'none',
    [`${prefix}.sasl.enabled.mechanisms`]: 'OAUTHBEARER',
    [`${prefix}.oauthbearer.sasl.jaas.config`]: jaas,
    [`${prefix}.oauthbearer.sasl.server.callback.handler.class`]: VALIDATOR_CLASS,
    // The session length, apart from the token's: a session ends at whichever comes first, then
    // the client re-authenticates (Java clients on the same connection, others reconnect).
    [`${prefix}.connections.max.reauth.ms`]: iam.lifetimeSeconds * 1000,
  };
}

/** What `local up` / `local status` show of the IAM listener: no secret, no classpath. */
export function localIamView(iam: LocalIamState) {
  return {
    region: iam.region,
    tokenLifetimeSeconds: iam.lifetimeSeconds,
    accessKeyId: iam.accessKeyId,
    credentialsFile: iam.credentialsFile,
    awsProfile: iam.profile,
    principal: iam.principal,
  };
}
