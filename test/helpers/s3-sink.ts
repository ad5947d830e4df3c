import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { testEnv } from './env.js';
import { BIN, kfeed } from './run.js';
import { waitFor } from './wait.js';

/** `kfeed <args>` as its own process (to be killed mid-stream), its output (both streams, and stdout alone) collected. */
export function startSink(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; stdout: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: testEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (d) => {
    output += d;
    stdout += d;
  });
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, stdout: () => stdout, exited };
}

/** Members of a consumer group that own partitions, as `kfeed group describe` shows them (0: no group yet). */
export async function groupOwners(group: string): Promise<number> {
  const described = await kfeed(['group', 'describe', group, '--json']);
  if (described.code !== 0) return 0;
  const { members } = JSON.parse(described.stdout) as {
    members: Array<{ assignment: Array<{ partitions: number[] }> }>;
  };
  return members.filter((m) => m.assignment.some((a) => a.partitions.length > 0)).length;
}

/** The end offset of each partition of a topic, by partition. */
export async function highWatermarks(topic: string): Promise<number[]> {
  const described = await kfeed(['describe-topic', topic, '--json']);
  return JSON.parse(described.stdout).partitions.map((p: { high: string }) => Number(p.high));
}

export interface Listed {
  key: string;
  etag: string;
}

/** Every object under a prefix (all pages). */
export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<Listed[]> {
  const found: Listed[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) found.push({ key: o.Key!, etag: o.ETag! });
    token = page.NextContinuationToken;
  } while (token);
  return found;
}

export async function objectBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray();
}

/** Copies every object under a prefix into `dir`, keys as paths (as `aws s3 sync` would). */
export async function downloadObjects(s3: S3Client, bucket: string, prefix: string, dir: string): Promise<string[]> {
  const keys = (await listObjects(s3, bucket, prefix)).map((o) => o.key);
  for (const key of keys) {
    const file = path.join(dir, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await objectBytes(s3, bucket, key));
  }
  return keys;
}

/**
 * A simulated market streams 9,000 records into `topic` while a sink (`sinkArgs`, its own
 * process) is killed with SIGKILL once `written()` counts 6 objects, then restarted; once
 * `stored()` counts every record, the second sink is stopped with SIGINT (exit 130). Returns
 * the high watermarks and the second sink's output.
 */
export async function sinkKilledMidStream(options: {
  topic: string;
  sinkArgs: string[];
  env: Record<string, string>;
  /** More `produce --source sim` flags (a start time). */
  marketArgs?: string[];
  written: () => Promise<number>;
  stored: () => Promise<number>;
}): Promise<{ highs: number[]; output: string }> {
  const market = kfeed([
    'produce',
    '--source',
    'sim',
    '--rate',
    '1500',
    '--count',
    '9000',
    ...(options.marketArgs ?? []),
    '--topic',
    options.topic,
    '--json',
  ]);
  const first = startSink(options.sinkArgs, options.env);
  await waitFor('the first objects', async () => ((await options.written().catch(() => 0)) >= 6 ? true : undefined));
  first.child.kill('SIGKILL');
  expect(await first.exited).toBe(null);

  const second = startSink(options.sinkArgs, options.env);
  const produced = await market;
  expect(JSON.parse(produced.stdout)).toMatchObject({ acknowledged: 9000, errors: 0 });
  const highs = await highWatermarks(options.topic);
  expect(highs.reduce((a, b) => a + b, 0)).toBe(9000);
  await waitFor('every offset stored', async () => ((await options.stored()) >= 9000 ? true : undefined));
  second.child.kill('SIGINT');
  expect(await second.exited).toBe(130);
  return { highs, output: second.output() };
}
