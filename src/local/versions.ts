import path from 'node:path';
import { KfeedError } from '../errors.js';

/**
 * What differs between the Apache Kafka releases a local cluster can run (3.9.x and 4.x):
 * defaults, the logging backend the jars need and its configuration, and ZooKeeper support.
 * Pure functions: nothing here starts a process or touches the disk.
 *
 * What does not differ (checked by running 4.1.2 with what cluster.ts writes): the KRaft broker
 * properties (StandardAuthorizer, listeners, SSL PEM stores, SCRAM listener), the storage tool's
 * `format -t ID -c FILE --ignore-formatted [--add-scram ...]` with a static controller.quorum.voters,
 * and the main classes kafka.Kafka and kafka.tools.StorageTool. Only ZooKeeper mode
 * (zookeeper.connect, AclAuthorizer, ZooKeeper's main class) is 3.9-only.
 */

export type MetadataMode = 'kraft' | 'zookeeper';

/** The newest 4.1.x (a version Amazon MSK runs); KRaft clusters use it unless told otherwise. */
export const DEFAULT_KRAFT_KAFKA_VERSION = '4.1.2';
/** The newest 3.9.x: the last line with ZooKeeper mode. */
export const DEFAULT_ZOOKEEPER_KAFKA_VERSION = '3.9.2';

export interface KafkaVersion {
  text: string;
  major: number;
  minor: number;
  patch: number;
}

const RELEASE = /^(\d+)\.(\d+)\.(\d+)$/;

/** A release number kfeed can run locally: 3.9.x or any 4.x. */
export function parseKafkaVersion(text: string): KafkaVersion {
  const match = RELEASE.exec(text.trim());
  if (!match) {
    throw new KfeedError('usage', `"${text}" is not an Apache Kafka release number`, {
      hint: `give one like ${DEFAULT_KRAFT_KAFKA_VERSION} or ${DEFAULT_ZOOKEEPER_KAFKA_VERSION}`,
    });
  }
  const [major, minor, patch] = match.slice(1).map(Number);
  if (!(major === 4 || (major === 3 && minor === 9))) {
    throw new KfeedError('usage', `Kafka ${text} is not supported by kfeed local`, {
      hint: `choose a 3.9.x or 4.x release (default ${DEFAULT_KRAFT_KAFKA_VERSION})`,
    });
  }
  return { text: `${major}.${minor}.${patch}`, major, minor, patch };
}

/** Any release number (as an install in KAFKA_HOME may be older), without the support check. */
export function releaseOf(text: string): KafkaVersion {
  const match = RELEASE.exec(text.trim());
  if (!match) throw new KfeedError('internal', `"${text}" is not an Apache Kafka release number`);
  const [major, minor, patch] = match.slice(1).map(Number);
  return { text: `${major}.${minor}.${patch}`, major, minor, patch };
}

/** ZooKeeper mode was removed in Kafka 4.0. */
export function supportsZooKeeper(version: KafkaVersion): boolean {
  return version.major < 4;
}

/**
 * The release a new local cluster runs: the one asked for, else the default for the mode.
 * Undefined when KAFKA_HOME is set: then the install there decides, and asking for a version
 * as well is a usage error (kfeed would not run what was asked for).
 */
export function chooseKafkaVersion(options: {
  requested?: string;
  mode: MetadataMode;
  kafkaHome?: string;
}): KafkaVersion | undefined {
  if (options.kafkaHome) {
    if (options.requested) {
      const message = '--kafka-version cannot be used with KAFKA_HOME (the install there decides the version)';
      throw new KfeedError('usage', message, {
        hint: 'unset KAFKA_HOME to fetch the jars of that version, or drop --kafka-version',
      });
    }
    return undefined;
  }
  const fallback = options.mode === 'zookeeper' ? DEFAULT_ZOOKEEPER_KAFKA_VERSION : DEFAULT_KRAFT_KAFKA_VERSION;
  const version = parseKafkaVersion(options.requested ?? fallback);
  checkModeSupported(version, options.mode);
  return version;
}

/** Refuses ZooKeeper mode on a release without it (also for an install in KAFKA_HOME). */
export function checkModeSupported(version: KafkaVersion, mode: MetadataMode): void {
  if (mode === 'zookeeper' && !supportsZooKeeper(version)) {
    throw new KfeedError('usage', `Kafka ${version.text} has no ZooKeeper mode (it was removed in 4.0)`, {
      hint: `drop --mode zookeeper, or use --kafka-version ${DEFAULT_ZOOKEEPER_KAFKA_VERSION}`,
    });
  }
}

/** The version of a Kafka install, read from the name of its core jar (kafka_2.13-4.1.2.jar). */
export function versionOfCoreJar(fileName: string): KafkaVersion | undefined {
  const match = /^kafka_2\.\d+-(\d+\.\d+\.\d+)\.jar$/.exec(fileName);
  return match ? releaseOf(match[1]) : undefined;
}

export type LoggingBackend = 'reload4j' | 'log4j2';

/** 3.9 logs through the log4j 1 API (reload4j); 4.x through log4j2. */
export function loggingBackend(version: KafkaVersion): LoggingBackend {
  return version.major >= 4 ? 'log4j2' : 'reload4j';
}

/** What Maven is told on top of the pom: the release and the profile of its logging backend. */
export function mavenProperties(version: KafkaVersion): string[] {
  return [`-Dkafka.version=${version.text}`, `-Dkafka.logging=${loggingBackend(version)}`];
}

/** The cache folder of one release's jars. */
export function jarCacheFolder(cacheDir: string, version: KafkaVersion): string {
  return path.join(cacheDir, `kafka-${version.text}`, 'libs');
}

// Quiet loggers: Kafka's request log, ZooKeeper's client, the log cleaner, state changes.
const QUIET = ['kafka.request.logger', 'org.apache.zookeeper', 'kafka.log.LogCleaner', 'state.change.logger'];
const PATTERN = '[%d] %p %m (%c)%n';

/** The logging configuration of the JVMs: its file name, text, and the flag that points at it. */
export function loggingConfiguration(
  version: KafkaVersion,
  dir: string,
): { file: string; text: string; jvmFlag: string } {
  if (loggingBackend(version) === 'reload4j') {
    const file = path.join(dir, 'log4j.properties');
    const text = [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      `log4j.appender.stdout.layout.ConversionPattern=${PATTERN}`,
      ...QUIET.map((logger) => `log4j.logger.${logger}=WARN`),
    ];
    return { file, text: text.join('\n') + '\n', jvmFlag: `-Dlog4j.configuration=file:${file}` };
  }
  // log4j2's properties format is read by log4j-core itself (YAML would need Jackson's).
  const file = path.join(dir, 'log4j2.properties');
  const text = [
    'appender.stdout.type=Console',
    'appender.stdout.name=STDOUT',
    'appender.stdout.layout.type=PatternLayout',
    `appender.stdout.layout.pattern=${PATTERN}`,
    'rootLogger.level=INFO',
    'rootLogger.appenderRef.stdout.ref=STDOUT',
    ...QUIET.flatMap((logger, i) => [`logger.quiet${i}.name=${logger}`, `logger.quiet${i}.level=WARN`]),
  ];
  return { file, text: text.join('\n') + '\n', jvmFlag: `-Dlog4j2.configurationFile=${file}` };
}
