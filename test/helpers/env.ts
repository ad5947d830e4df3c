import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject, onTestFinished } from 'vitest';
import { getCurrentTest } from 'vitest/suite';

/** The environment tests run kfeed with: the suite's own XDG folders, no ambient Kafka settings. */
export function testEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['TLSBROKERS', 'PK_PASSWORD', 'KFEED_PROFILE', 'KFEED_SASL_PASSWORD', 'ACM_PCA_ARN', 'CI'])
    delete env[name];
  return { ...env, ...extra };
}

/**
 * A fresh empty folder in the temp folder (so legacy files in the repo never leak in), removed
 * when it is no longer needed, pass or fail: made in a test (or its beforeEach), when that test
 * ends; made at file or describe level or in a beforeAll, when the test file ends.
 */
export function tempDir(prefix = 'kfeed-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  removeWhenDone(dir);
  return dir;
}

/** What was made outside a test: removed after the file's last test (test/setup/temp-files.ts). */
const madeOutsideTests = new Set<string>();

/** Removes `target` (a file or a folder) when the current test ends, or else when the file ends. */
function removeWhenDone(target: string): void {
  if (getCurrentTest()) onTestFinished(() => fs.rmSync(target, { recursive: true, force: true }));
  else madeOutsideTests.add(target);
}

/** Removes what was made outside a test; the setup file calls it after each test file. */
export function removeFileScopedTemps(): void {
  for (const target of madeOutsideTests) fs.rmSync(target, { recursive: true, force: true });
  madeOutsideTests.clear();
}

/**
 * A command-line tool the suite needs. Missing, it fails the test with what to install:
 * the suite never skips for a missing prerequisite.
 */
export function requireTool(command: string, install: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`${command} is required by this test and was not found: ${install}`);
  return found.stdout.trim();
}

export interface SharedCluster {
  name: string;
  profile: string;
  tlsBrokers: string[];
  plaintextBrokers: string[];
  ca: string;
  adminCert: string;
  adminKey: string;
  caKey: string;
  /** The Apache Kafka release of this pass of the suite. */
  kafkaVersion: string;
}

/** The KRaft cluster (ACLs required) that the global setup started for the whole suite. */
export function sharedCluster(): SharedCluster {
  return inject('sharedCluster') as SharedCluster;
}

/**
 * The Kafka release this pass of the suite runs (`npm test` runs 4.1.x, then 3.9.x): tests that
 * start their own cluster pass it as --kafka-version.
 */
export function suiteKafkaVersion(): string {
  return sharedCluster().kafkaVersion;
}

declare module 'vitest' {
  export interface ProvidedContext {
    sharedCluster: SharedCluster;
  }
}
