import fs from 'node:fs';
import path from 'node:path';
import { KfeedError } from '../errors.js';
import { checkMaven } from './prerequisites.js';
import { runCaptured } from './run.js';
import { jarCacheFolder, mavenProperties, versionOfCoreJar, type KafkaVersion } from './versions.js';

export interface KafkaDistribution {
  /** Java classpath for the broker and tools. */
  classpath: string;
  version: string;
  source: 'KAFKA_HOME' | 'maven';
}

/** The Kafka install in KAFKA_HOME: its classpath and version, or a one-line error. */
export function kafkaHomeDistribution(kafkaHome: string): KafkaDistribution {
  const libs = path.join(kafkaHome, 'libs');
  const names = fs.existsSync(libs) ? fs.readdirSync(libs) : [];
  const version = names.map(versionOfCoreJar).find((v) => v !== undefined);
  if (!version) {
    const message = `KAFKA_HOME=${kafkaHome} is not an Apache Kafka install (no libs/kafka_2.*.jar)`;
    throw new KfeedError('prerequisite', message, {
      hint: 'point KAFKA_HOME at an unpacked Kafka release, or unset it to fetch the jars with Maven',
    });
  }
  return { classpath: path.join(libs, '*'), version: version.text, source: 'KAFKA_HOME' };
}

/** The first line of Maven's output that says what went wrong. */
function mavenError(text: string, version: KafkaVersion): string {
  const lines = text.trim().split('\n');
  if (lines.some((l) => /Could not (resolve|find|collect)|was not found in/.test(l) && l.includes(version.text))) {
    return `Maven Central does not serve Apache Kafka ${version.text} here`;
  }
  const error = lines.find((l) => /ERROR/.test(l)) ?? lines.pop();
  return `Maven could not fetch the Kafka ${version.text} jars: ${error ?? 'no output'}`;
}

/**
 * The jars of one Apache Kafka release, resolved once from Maven Central through the pom kept
 * in the project, into the cache folder (one folder per release). A download is made into a
 * temporary folder and renamed into place, so an interrupted one is never taken as whole.
 */
export async function ensureKafkaJars(options: {
  env: NodeJS.ProcessEnv;
  cacheDir: string;
  pom: string;
  /** The release to fetch; KAFKA_HOME, when set, is used instead. */
  version?: KafkaVersion;
  onProgress?: (text: string) => void;
  /** Ends the download: Maven is killed and the partial folder removed. */
  signal?: AbortSignal;
}): Promise<KafkaDistribution> {
  const { env, version } = options;
  if (env.KAFKA_HOME) return kafkaHomeDistribution(env.KAFKA_HOME);
  if (!version) throw new Error('ensureKafkaJars: no Kafka version and no KAFKA_HOME');
  const libs = jarCacheFolder(options.cacheDir, version);
  if (!fs.existsSync(path.join(libs, '.complete'))) {
    const mvn = checkMaven(env);
    options.onProgress?.(`fetching Apache Kafka ${version.text} jars from Maven Central (once)`);
    const failure = await copyMavenDependencies({
      mvn,
      env,
      pom: options.pom,
      libs,
      mavenArgs: mavenProperties(version),
      signal: options.signal,
    });
    if (failure !== undefined) {
      throw new KfeedError('prerequisite', mavenError(failure, version), {
        hint: 'check the version and access to Maven Central (or a mirror in ~/.m2/settings.xml), or set KAFKA_HOME',
      });
    }
  }
  return { classpath: path.join(libs, '*'), version: version.text, source: 'maven' };
}

/**
 * Resolves a pom's runtime dependencies into `libs`, marked whole by a `.complete` file. The
 * download goes into a temporary folder renamed into place, so an interrupted one is never
 * taken as whole. Returns Maven's output when it failed (and leaves nothing behind).
 */
export async function copyMavenDependencies(options: {
  /** Maven, as `checkMaven` found it. */
  mvn: string;
  env: NodeJS.ProcessEnv;
  pom: string;
  libs: string;
  /** More Maven arguments, e.g. -D properties the pom reads. */
  mavenArgs?: string[];
  signal?: AbortSignal;
}): Promise<string | undefined> {
  const { libs } = options;
  const staging = `${libs}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const args = ['-B', '-q', '-f', options.pom, ...(options.mavenArgs ?? []), 'dependency:copy-dependencies'];
  const output = await runCaptured(
    options.mvn,
    [...args, `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'],
    options.env,
    options.signal,
  ).catch((error: unknown) => {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  });
  if (output.code !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    // Leave no empty folder behind for what was never fetched.
    if (!fs.existsSync(libs)) fs.rmSync(path.dirname(libs), { recursive: true, force: true });
    return output.text || `exit ${output.code}`;
  }
  fs.writeFileSync(path.join(staging, '.complete'), new Date().toISOString());
  fs.rmSync(libs, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(libs), { recursive: true });
  fs.renameSync(staging, libs);
  return undefined;
}
