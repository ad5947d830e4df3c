import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kfeedPaths } from '../../src/config/paths.js';
import { readClusterState } from '../../src/local/cluster.js';
import { copyMavenDependencies } from '../../src/local/jars.js';
import { checkMaven } from '../../src/local/prerequisites.js';
import { requireTool, testEnv } from './env.js';
import { runProcess, type ProcessResult } from './spawn.js';

const POM = path.resolve(import.meta.dirname, '../java/aws-msk-iam-auth/pom.xml');
// Kafka 4.x clients log with log4j2: this one prints when a session was (re-)authenticated and for how long.
const LOG_CONFIG = path.resolve(import.meta.dirname, '../java/aws-msk-iam-auth/log4j2.properties');

/**
 * AWS's own MSK IAM library for Java clients (aws-msk-iam-auth, test/java/aws-msk-iam-auth),
 * fetched once from Maven Central into the jar cache: an IAM client that shares no code with
 * kfeed or its signer. Returns a classpath entry.
 */
export async function awsMskIamAuthJars(): Promise<string> {
  requireTool('mvn', 'apt-get install maven');
  const version = /<aws-msk-iam-auth\.version>([^<]+)</.exec(fs.readFileSync(POM, 'utf8'))?.[1];
  if (!version) throw new Error(`no aws-msk-iam-auth.version in ${POM}`);
  const env = testEnv();
  const libs = path.join(kfeedPaths(env).cacheDir, 'test', `aws-msk-iam-auth-${version}`, 'libs');
  if (!fs.existsSync(path.join(libs, '.complete'))) {
    const failure = await copyMavenDependencies({ mvn: checkMaven(env), env, pom: POM, libs });
    if (failure !== undefined) throw new Error(`Maven could not fetch aws-msk-iam-auth ${version}: ${failure}`);
  }
  return path.join(libs, '*');
}

/**
 * A client.properties for Kafka's Java clients with MSK IAM over OAUTHBEARER, in one of the two
 * set-ups AWS documents. `loginOnly`: AWS's IAMOAuthBearerLoginCallbackHandler makes the login
 * token (good for 900 s, refreshed by Kafka's login thread) and Kafka's own client handler sends
 * that token on every authentication and re-authentication. Otherwise AWS's handler is also the
 * client handler, which signs a new token for each one. Credentials and region come from AWS's
 * default chains.
 */
export function writeAwsIamClientProperties(dir: string, ca: string, options: { loginOnly: boolean }): string {
  const file = path.join(dir, options.loginOnly ? 'aws-iam-login-only.properties' : 'aws-iam-client.properties');
  const handler = 'software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler';
  fs.writeFileSync(
    file,
    [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=OAUTHBEARER',
      'sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
      `sasl.login.callback.handler.class=${handler}`,
      ...(options.loginOnly ? [] : [`sasl.client.callback.handler.class=${handler}`]),
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${ca}`,
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * Runs one of Kafka's Java tools (`mainClass`) from the local cluster's jars with AWS's library
 * on the classpath; `env` carries the AWS credentials and region for AWS's chains. Its stderr has
 * the client's authentication lines ("Finished re-authentication with session expiration in N ms").
 */
export async function runAwsIamJavaTool(
  cluster: string,
  mainClass: string,
  args: string[],
  options: { env: Record<string, string>; timeoutMs: number },
): Promise<ProcessResult> {
  requireTool('java', 'apt-get install openjdk-17-jdk-headless');
  const state = readClusterState(kfeedPaths(testEnv()).dataDir, cluster);
  if (!state) throw new Error(`no state for local cluster ${cluster}`);
  const classpath = [state.classpath, await awsMskIamAuthJars()].join(path.delimiter);
  const env = testEnv({ ...options.env, AWS_EC2_METADATA_DISABLED: 'true' });
  // Java ignores TMPDIR: what the client writes to its temp folder goes to the test's.
  const jvm = [
    '-Xmx256m',
    `-Djava.io.tmpdir=${os.tmpdir()}`,
    `-Dlog4j2.configurationFile=${LOG_CONFIG}`,
    '-cp',
    classpath,
  ];
  return runProcess(state.java, [...jvm, mainClass, ...args], {
    env,
    timeoutMs: options.timeoutMs,
  });
}
