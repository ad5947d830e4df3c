import fs from 'node:fs';
import path from 'node:path';
import { KfeedError } from '../errors.js';
import { checkMaven } from './prerequisites.js';
import { runCaptured } from './run.js';

export interface KafkaDistribution {
  /** Java classpath for the broker and tools. */
  classpath: string;
  version: string;
  source: 'KAFKA_HOME' | 'maven';
}

/** The Kafka version the project's pom pins. */
export function pinnedKafkaVersion(pom: string): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(fs.readFileSync(pom, 'utf8'));
  if (!match) throw new Error(`no kafka.version in ${pom}`);
  return match[1];
}

/**
 * The Apache Kafka jars: from KAFKA_HOME when set, else resolved once from Maven Central
 * through the pom kept in the project, into the cache folder. A download is made into a
 * temporary folder and renamed into place, so an interrupted one is never taken as whole.
 */
export async function ensureKafkaJars(options: {
  env: NodeJS.ProcessEnv;
  cacheDir: string;
  pom: string;
  onProgress?: (text: string) => void;
  /** Ends the download: Maven is killed and the partial folder removed. */
  signal?: AbortSignal;
}): Promise<KafkaDistribution> {
  const { env } = options;
  if (env.KAFKA_HOME) {
    const libs = path.join(env.KAFKA_HOME, 'libs');
    const core = fs.existsSync(libs) ? fs.readdirSync(libs).find((f) => /^kafka_2\.\d+-[\d.]+\.jar$/.test(f)) : undefined;
    if (!core) {
      throw new KfeedError('prerequisite', `KAFKA_HOME=${env.KAFKA_HOME} is not an Apache Kafka install (no libs/kafka_2.*.jar)`, {
        hint: 'point KAFKA_HOME at an unpacked Kafka release, or unset it to fetch the jars with Maven',
      });
    }
    return { classpath: path.join(libs, '*'), version: /-([\d.]+)\.jar$/.exec(core)![1], source: 'KAFKA_HOME' };
  }
  const version = pinnedKafkaVersion(options.pom);
  const libs = path.join(options.cacheDir, `kafka-${version}`, 'libs');
  const marker = path.join(libs, '.complete');
  if (!fs.existsSync(marker)) {
    const mvn = checkMaven(env);
    options.onProgress?.(`fetching Apache Kafka ${version} jars from Maven Central (once)`);
    const staging = `${libs}.partial-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    const mvnArgs = ['-B', '-q', '-f', options.pom, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'];
    const output = await runCaptured(mvn, mvnArgs, env, options.signal).catch((error: unknown) => {
      fs.rmSync(staging, { recursive: true, force: true });
      throw error;
    });
    if (output.code !== 0) {
      fs.rmSync(staging, { recursive: true, force: true });
      const last = output.text.trim().split('\n').filter((l) => /ERROR/.test(l)).slice(0, 1)[0] ?? output.text.trim().split('\n').pop();
      throw new KfeedError('prerequisite', `Maven could not fetch the Kafka jars: ${last ?? 'exit ' + output.code}`, {
        hint: 'check access to Maven Central (or a mirror in ~/.m2/settings.xml), or set KAFKA_HOME',
      });
    }
    fs.writeFileSync(path.join(staging, '.complete'), new Date().toISOString());
    fs.rmSync(libs, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(libs), { recursive: true });
    fs.renameSync(staging, libs);
  }
  return { classpath: path.join(libs, '*'), version, source: 'maven' };
}
