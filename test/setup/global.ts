import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startInProcess } from '../helpers/capture.js';
import type { LocalClusterState } from '../../src/local/state.js';
import type { SharedCluster } from '../helpers/env.js';

const NAME = 'suite';

/**
 * Starts the suite's shared KRaft cluster with `kfeed local up --require-acls` (the same
 * code users run) and stops it at the end. Tests that need another shape start their own.
 */
export default async function setup(project: TestProject) {
  const env = { ...process.env, ...(project.config.env as Record<string, string>) };
  delete env.TLSBROKERS;
  delete env.KFEED_PROFILE;
  // Tests also run the built binary: bundle the current sources first (esbuild, under a second).
  const bundled = spawnSync('npm', ['run', '--silent', 'bundle'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    encoding: 'utf8',
  });
  if (bundled.status !== 0) throw new Error(`bundling kfeed failed: ${bundled.error?.message ?? bundled.stderr}`);
  // A fresh root for the suite's clusters and profiles; `tmp` holds the tiers' temp folders,
  // which test/setup/temp-check.ts owns (the unit tier's may be in use).
  fs.mkdirSync(env.KFEED_TEST_ROOT!, { recursive: true });
  for (const entry of fs.readdirSync(env.KFEED_TEST_ROOT!))
    if (entry !== 'tmp') fs.rmSync(path.join(env.KFEED_TEST_ROOT!, entry), { recursive: true, force: true });
  const run = (args: string[]) => startInProcess(args, { env, cwd: env.KFEED_TEST_ROOT! }).done;
  // KFEED_TEST_KAFKA_VERSION picks the release of this pass (npm test runs 4.1.x, then 3.9.x).
  const version = env.KFEED_TEST_KAFKA_VERSION ? ['--kafka-version', env.KFEED_TEST_KAFKA_VERSION] : [];
  const up = await run(['local', 'up', '--name', NAME, '--require-acls', ...version, '--json']);
  if (up.code !== 0) throw new Error(`the suite's Kafka cluster did not start (exit ${up.code}): ${up.stderr}`);
  const status = JSON.parse(up.stdout) as {
    bootstrap: { tls: string[]; plaintext: string[] };
    files: LocalClusterState['files'];
    kafkaVersion: string;
  };
  const shared: SharedCluster = {
    name: NAME,
    profile: NAME,
    tlsBrokers: status.bootstrap.tls,
    plaintextBrokers: status.bootstrap.plaintext,
    ca: status.files.ca,
    caKey: status.files.caKey,
    adminCert: status.files.clientCert,
    adminKey: status.files.clientKey,
    kafkaVersion: status.kafkaVersion,
  };
  project.provide('sharedCluster', shared);
  return async () => {
    const down = await run(['local', 'down', '--name', NAME]);
    if (down.code !== 0) console.error(`stopping the suite's cluster failed: ${down.stderr}`);
  };
}
