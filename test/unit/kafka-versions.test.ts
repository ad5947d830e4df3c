import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KfeedError } from '../../src/errors.js';
import {
  chooseKafkaVersion,
  DEFAULT_KRAFT_KAFKA_VERSION,
  DEFAULT_ZOOKEEPER_KAFKA_VERSION,
  jarCacheFolder,
  loggingBackend,
  loggingConfiguration,
  mavenProperties,
  parseKafkaVersion,
  supportsZooKeeper,
  versionOfCoreJar,
} from '../../src/local/versions.js';

/** The usage error a call throws, as "message — hint". */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KfeedError);
    expect((error as KfeedError).kind).toBe('usage');
    return `${(error as KfeedError).message} — ${(error as KfeedError).hint}`;
  }
  throw new Error('expected a usage error');
}

describe('Kafka versions of local clusters', () => {
  it('defaults to the newest 4.1.x for KRaft and 3.9.x for ZooKeeper mode', () => {
    expect(DEFAULT_KRAFT_KAFKA_VERSION).toMatch(/^4\.1\.\d+$/);
    expect(DEFAULT_ZOOKEEPER_KAFKA_VERSION).toMatch(/^3\.9\.\d+$/);
    expect(chooseKafkaVersion({ mode: 'kraft' })?.text).toBe(DEFAULT_KRAFT_KAFKA_VERSION);
    expect(chooseKafkaVersion({ mode: 'zookeeper' })?.text).toBe(DEFAULT_ZOOKEEPER_KAFKA_VERSION);
    expect(chooseKafkaVersion({ mode: 'kraft', requested: '3.9.1' })).toEqual({
      text: '3.9.1',
      major: 3,
      minor: 9,
      patch: 1,
    });
    expect(chooseKafkaVersion({ mode: 'kraft', requested: '4.4.0' })?.text).toBe('4.4.0');
  });

  it('accepts 3.9.x and 4.x release numbers only', () => {
    expect(parseKafkaVersion(' 4.0.2 ')).toEqual({ text: '4.0.2', major: 4, minor: 0, patch: 2 });
    expect(usageError(() => parseKafkaVersion('4.1'))).toMatch(
      /^"4\.1" is not an Apache Kafka release number — give one like 4\.1\.\d/,
    );
    expect(usageError(() => parseKafkaVersion('4.1.2-rc1'))).toMatch(/not an Apache Kafka release number/);
    expect(usageError(() => parseKafkaVersion('3.8.1'))).toMatch(
      /^Kafka 3\.8\.1 is not supported by kfeed local — choose a 3\.9\.x or 4\.x release/,
    );
    expect(usageError(() => parseKafkaVersion('5.0.0'))).toMatch(/Kafka 5\.0\.0 is not supported/);
  });

  it('refuses ZooKeeper mode on 4.x, and a version together with KAFKA_HOME', () => {
    expect(supportsZooKeeper(parseKafkaVersion('3.9.2'))).toBe(true);
    expect(supportsZooKeeper(parseKafkaVersion('4.0.0'))).toBe(false);
    expect(usageError(() => chooseKafkaVersion({ mode: 'zookeeper', requested: '4.0.0' }))).toMatch(
      /^Kafka 4\.0\.0 has no ZooKeeper mode \(it was removed in 4\.0\) — drop --mode zookeeper, or use --kafka-version 3\.9\./,
    );
    expect(
      usageError(() => chooseKafkaVersion({ mode: 'kraft', requested: '4.1.2', kafkaHome: '/opt/kafka' })),
    ).toMatch(/^--kafka-version cannot be used with KAFKA_HOME/);
    // Without --kafka-version the install in KAFKA_HOME decides.
    expect(chooseKafkaVersion({ mode: 'kraft', kafkaHome: '/opt/kafka' })).toBeUndefined();
  });

  it('reads the version of a KAFKA_HOME install from its core jar', () => {
    expect(versionOfCoreJar('kafka_2.13-4.1.2.jar')?.text).toBe('4.1.2');
    expect(versionOfCoreJar('kafka_2.12-3.7.0.jar')?.major).toBe(3);
    expect(versionOfCoreJar('kafka-clients-4.1.2.jar')).toBeUndefined();
    expect(versionOfCoreJar('kafka_2.13-4.1.2-test.jar')).toBeUndefined();
  });

  it('fetches each release with its logging backend, into its own cache folder', () => {
    const v39 = parseKafkaVersion('3.9.2');
    const v41 = parseKafkaVersion('4.1.2');
    expect(loggingBackend(v39)).toBe('reload4j');
    expect(loggingBackend(v41)).toBe('log4j2');
    expect(mavenProperties(v39)).toEqual(['-Dkafka.version=3.9.2', '-Dkafka.logging=reload4j']);
    expect(mavenProperties(v41)).toEqual(['-Dkafka.version=4.1.2', '-Dkafka.logging=log4j2']);
    expect(jarCacheFolder('/c', v39)).toBe(path.join('/c', 'kafka-3.9.2', 'libs'));
    expect(jarCacheFolder('/c', v41)).not.toBe(jarCacheFolder('/c', parseKafkaVersion('4.1.1')));
  });

  it('writes the logging configuration each backend reads, and the JVM flag naming it', () => {
    const log4j1 = loggingConfiguration(parseKafkaVersion('3.9.2'), '/d');
    expect(log4j1.file).toBe('/d/log4j.properties');
    expect(log4j1.jvmFlag).toBe('-Dlog4j.configuration=file:/d/log4j.properties');
    expect(log4j1.text).toContain('log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n');
    expect(log4j1.text).toContain('log4j.logger.kafka.request.logger=WARN\n');
    const log4j2 = loggingConfiguration(parseKafkaVersion('4.1.2'), '/d');
    expect(log4j2.file).toBe('/d/log4j2.properties');
    expect(log4j2.jvmFlag).toBe('-Dlog4j2.configurationFile=/d/log4j2.properties');
    expect(log4j2.text).toContain('appender.stdout.type=Console\n');
    expect(log4j2.text).toMatch(/^logger\.quiet0\.name=kafka\.request\.logger\nlogger\.quiet0\.level=WARN$/m);
    expect(log4j2.text).not.toContain('log4j.');
  });
});
