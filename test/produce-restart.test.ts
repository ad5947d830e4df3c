import { spawn } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClusterState, startBroker, stopBroker, waitUntilServing } from '../src/local/cluster.js';
import { startInProcess } from './helpers/capture.js';
import { BIN, kfeed } from './helpers/run.js';
import { suiteKafkaVersion, testEnv } from './helpers/env.js';
import { kcat } from './helpers/kcat.js';

const NAME = 'feed-restart';
import { unique } from './helpers/unique.js';
import { waitFor } from './helpers/wait.js';
let connection: string[];
let tls: { ca: string; cert: string; key: string };
let brokers: string[];

beforeAll(async () => {
  const up = await kfeed([
    'local',
    'up',
    '--name',
    NAME,
    '--kafka-version',
    suiteKafkaVersion(),
    '--no-profile',
    '--json',
  ]);
  if (up.code !== 0) throw new Error(`local up failed: ${up.stderr}`);
  const status = JSON.parse(up.stdout);
  brokers = status.bootstrap.tls;
  tls = { ca: status.files.ca, cert: status.files.clientCert, key: status.files.clientKey };
  connection = ['--brokers', brokers.join(','), '--ca', tls.ca, '--cert', tls.cert, '--key', tls.key];
});

afterAll(async () => {
  await kfeed(['local', 'down', '--name', NAME]);
});

async function total(topic: string): Promise<number> {
  const described = await kfeed(['describe-topic', topic, '--json', ...connection]);
  return JSON.parse(described.stdout).partitions.reduce((sum: number, p: { high: string }) => sum + Number(p.high), 0);
}

describe('producing through failures', () => {
  it.each([
    ['stopped cleanly (SIGTERM)', false],
    ['killed with SIGKILL (a crash)', true],
  ])(
    'a broker %s and started again in the middle of a 100,000-message produce: none lost, none duplicated',
    async (_how, crash) => {
      const topic = unique(crash ? 'crash' : 'restart');
      expect((await kfeed(['create-topic', topic, '--partitions', '3', ...connection])).code).toBe(0);
      // Lines arrive over ~8 s, so the restart happens while records are in flight.
      const count = 100_000;
      let next = 0;
      const stdin = new Readable({ read() {} });
      const feeder = setInterval(() => {
        const chunk = [];
        for (let i = 0; i < 1250 && next < count; i++) chunk.push(`line-${next++}`);
        stdin.push(chunk.join('\n') + '\n');
        if (next >= count) {
          clearInterval(feeder);
          stdin.push(null);
        }
      }, 100);
      const produced = startInProcess(['produce', '-t', topic, '--json', ...connection], {
        env: testEnv(),
        cwd: process.cwd(),
        stdin,
      }).done;

      // Restart once the brokers hold records and more are still on their way.
      await waitFor('records in the topic before the restart', async () =>
        (await total(topic)) >= 5_000 ? true : undefined,
      );
      const state = readClusterState(path.join(process.env.XDG_DATA_HOME!, 'kfeed'), NAME)!;
      const sentBeforeStop = next;
      await stopBroker(state, 1, { kill: crash });
      startBroker(state, 1, testEnv());
      await waitUntilServing(state, 120_000);
      expect(sentBeforeStop).toBeLessThan(count);

      const result = await produced;
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(JSON.parse(result.stdout)).toMatchObject({ sent: count, acknowledged: count, errors: 0 });
      const read = await kcat(brokers, tls, ['-C', '-t', topic, '-e', '-q', '-f', '%s\\n'], { timeoutMs: 120_000 });
      const lines = read.stdout.trim().split('\n');
      expect(lines.length).toBe(count);
      expect(new Set(lines).size).toBe(count);
      expect(lines.every((l) => /^line-\d+$/.test(l))).toBe(true);
    },
    240_000,
  );

  it('a broker killed with SIGKILL and started again in the middle of a 500,000-record idempotent produce: every number exactly once', async () => {
    const topic = unique('fault');
    expect((await kfeed(['create-topic', topic, '--partitions', '6', ...connection])).code).toBe(0);
    const count = 500_000;
    // The built binary, whole, as a user runs it: numbered lines on stdin at about 100,000 a second.
    const child = spawn(process.execPath, [BIN, 'produce', '-t', topic, '--json', ...connection], {
      env: testEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let next = 0;
    const feeding = (async () => {
      while (next < count) {
        const lines: string[] = [];
        for (let i = 0; i < 25_000 && next < count; i++) lines.push(`seq-${next++}`);
        // Respect the pipe: while the broker is down the producer stops reading stdin.
        if (!child.stdin.write(lines.join('\n') + '\n')) await new Promise((r) => child.stdin.once('drain', r));
        await new Promise((r) => setTimeout(r, 250));
      }
      child.stdin.end();
    })();

    await waitFor('100,000 records in the topic before the crash', async () =>
      (await total(topic)) >= 100_000 ? true : undefined,
    );
    const state = readClusterState(path.join(process.env.XDG_DATA_HOME!, 'kfeed'), NAME)!;
    await stopBroker(state, 1, { kill: true });
    const fedAtCrash = next;
    startBroker(state, 1, testEnv());
    await waitUntilServing(state, 120_000);
    expect(fedAtCrash).toBeLessThan(count);

    await feeding;
    expect(await exited).toBe(0);
    expect(err).toBe('');
    expect(JSON.parse(out)).toMatchObject({ sent: count, acknowledged: count, errors: 0 });
    const read = await kcat(brokers, tls, ['-C', '-t', topic, '-e', '-q', '-f', '%s\\n'], { timeoutMs: 120_000 });
    const seen = new Uint8Array(count);
    let records = 0;
    for (const line of read.stdout.split('\n')) {
      if (!line) continue;
      records++;
      const n = Number(/^seq-(\d+)$/.exec(line)?.[1] ?? -1);
      expect(n, line).toBeGreaterThanOrEqual(0);
      seen[n] = Math.min(255, seen[n] + 1);
    }
    const missing = seen.filter((times) => times === 0).length;
    const duplicated = seen.filter((times) => times > 1).length;
    expect({ records, missing, duplicated }).toEqual({ records: count, missing: 0, duplicated: 0 });
  }, 300_000);

  it('SIGINT during produce: the count printed is the count in the topic', async () => {
    const topic = unique('sigint');
    expect((await kfeed(['create-topic', topic, '--partitions', '2', ...connection])).code).toBe(0);
    const child = spawn(
      process.execPath,
      [BIN, 'produce', '--source', 'sim', '--rate', '3000', '--topic', topic, '--json', ...connection],
      { env: testEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once records are flowing.
    await waitFor('500 records in the topic', async () => ((await total(topic)) >= 500 ? true : undefined));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toBe('');
    const summary = JSON.parse(out);
    expect(summary.interrupted).toBe(true);
    expect(summary.errors).toBe(0);
    expect(summary.acknowledged).toBeGreaterThanOrEqual(500);
    expect(await total(topic)).toBe(summary.acknowledged);
  });

  it('the demo: topics, a simulated market and a ticker over mTLS, then a clean stop', async () => {
    const demo = await kfeed([
      'demo',
      '--name',
      NAME,
      '--no-profile',
      '--duration',
      '6',
      '--rate',
      '300',
      '--snapshot-seconds',
      '2',
    ]);
    expect(demo.code).toBe(0);
    expect(demo.stderr).toMatch(/topics quote, trade, bar ready; streaming a simulated market for 6 s/);
    expect(demo.stderr).toMatch(
      /demo stopped: \d+ records produced, \d+ shown by the ticker; cluster feed-restart still runs/,
    );
    const snapshots = demo.stdout.split('--- ').slice(1);
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    const last = snapshots[snapshots.length - 1];
    for (const symbol of ['AAPL', 'AMZN', 'GOOGL', 'MSFT', 'NVDA', 'TSLA'])
      expect(last).toMatch(new RegExp(`^${symbol}\\s+\\d`, 'm'));
    const produced = Number(/demo stopped: (\d+) records produced/.exec(demo.stderr)![1]);
    expect(produced).toBeGreaterThan(600);
    expect((await total('quote')) + (await total('trade')) + (await total('bar'))).toBe(produced);
  });
});
