// The S3 sink, JSON lines against Parquet, in the same run: a local Kafka (`kfeed local up`)
// holding simulated market records, moto's S3 server, and `kfeed consume --sink` reading the
// topic from the start to its end once per format, interleaved over several rounds. It
// reports records per second (the sink's own summary: join, read, encode, upload, commit)
// and bytes per record (the objects' sizes in S3), and writes markdown and JSON under
// bench/results/ with the machine's load before and after.
//
//   npm run bench:sink -- [--records 200000] [--rounds 3] [--object-records 10000]
//
// The records are the simulator's (quotes, trades, one-minute bars on one topic), with the
// clock of a live feed of 2,000 records a second: event times cross one hour, as a live feed
// does every 7.2 million records (the unthrottled simulator's clock, 100 ms a record, would
// cross an hour every 36,000).
//
// Goals (issue #23): Parquet objects at most 25 % of the JSON-lines bytes, the Parquet sink
// at least 80 % of the JSON-lines sink's records per second.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_SIM_SYMBOLS, MarketSimulator } from '../src/feed/sources/sim.js';
import { motoS3, startMoto, type Moto } from '../test/helpers/moto.js';

// Built into dist/bench-tools/: the repository is two folders up.
const ROOT = path.resolve(import.meta.dirname, '../..');
const KFEED = path.join(ROOT, 'bin', 'kfeed.js');

const { values: args } = parseArgs({
  options: {
    name: { type: 'string', default: 'bench-sink' },
    records: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '3' },
    'object-records': { type: 'string', default: '10000' },
    out: { type: 'string', default: path.join(ROOT, 'bench', 'results') },
    'keep-cluster': { type: 'boolean', default: false },
  },
});
const RECORDS = Number(args.records);
const ROUNDS = Number(args.rounds);
const OBJECT_RECORDS = Number(args['object-records']);

const VARIANTS: Record<string, string[]> = {
  jsonl: [],
  'parquet (zstd)': ['--sink-format', 'parquet'],
  'parquet (snappy)': ['--sink-format', 'parquet', '--parquet-compression', 'snappy'],
};

const log = (text: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'kfeed-bench-sink-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  rssMb?: number;
}

/** kfeed as its own process, timed; under /usr/bin/time its peak RSS too. */
function kfeed(argv: string[], env: NodeJS.ProcessEnv = {}, stdinFile?: string): Promise<Run> {
  const rssFile = path.join(WORK, `rss-${Math.random().toString(36).slice(2)}`);
  const [command, full] = TIME
    ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, KFEED, ...argv]]
    : [process.execPath, [KFEED, ...argv]];
  return new Promise((resolve, reject) => {
    const began = process.hrtime.bigint();
    const child = spawn(command, full, {
      env: { ...process.env, ...env },
      stdio: [stdinFile ? fs.openSync(stdinFile, 'r') : 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - began) / 1e9;
      const kb = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
      fs.rmSync(rssFile, { force: true });
      if (code !== 0) reject(new Error(`kfeed ${argv.slice(0, 2).join(' ')} exited ${code}: ${stderr.trim()}`));
      else resolve({ code, stdout, stderr, seconds, rssMb: Number.isFinite(kb) ? kb / 1024 : undefined });
    });
  });
}

async function objectSizes(s3: S3Client, bucket: string, prefix: string) {
  let bytes = 0;
  let objects = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      bytes += o.Size ?? 0;
      objects += 1;
    }
    token = page.NextContinuationToken;
  } while (token);
  return { bytes, objects };
}

/** `symbol|json` lines of simulated market events, a live feed's clock (2,000 records a second). */
function writeRecords(file: string): void {
  const sim = new MarketSimulator({
    symbols: DEFAULT_SIM_SYMBOLS,
    rate: 2000,
    seed: 23,
    startTime: Date.UTC(2025, 0, 2, 14, 59, 30),
    now: () => Date.UTC(2025, 0, 2, 15, 0, 0),
  });
  const lines: string[] = [];
  while (lines.length < RECORDS)
    for (const event of sim.tick()) if (lines.length < RECORDS) lines.push(`${event.symbol}|${JSON.stringify(event)}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new Error('build kfeed first: npm run build');
  const loadBefore = uptime();
  log(`starting local cluster ${args.name}`);
  const up = JSON.parse((await kfeed(['local', 'up', '--name', args.name, '--no-profile', '--json'])).stdout) as {
    bootstrap: { tls: string[] };
    files: { ca: string; clientCert: string; clientKey: string };
  };
  const connection = [
    '--brokers',
    up.bootstrap.tls.join(','),
    '--ca',
    up.files.ca,
    '--cert',
    up.files.clientCert,
    '--key',
    up.files.clientKey,
  ];
  let moto: Moto | undefined;
  const topic = `sink-bench-${Date.now().toString(36)}`;
  try {
    moto = await startMoto();
    const s3 = motoS3(moto);
    await kfeed(['create-topic', topic, '--partitions', '1', ...connection]);
    log(`producing ${RECORDS} simulated market records to ${topic}`);
    const lines = path.join(WORK, 'records.txt');
    writeRecords(lines);
    const produced = await kfeed(
      ['produce', '-t', topic, '-K', '|', '-H', 'source=sim', '--json', ...connection],
      {},
      lines,
    );
    if (JSON.parse(produced.stdout).acknowledged !== RECORDS) throw new Error(`produce: ${produced.stdout}`);

    const runs: Array<Record<string, number | string | undefined>> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [variant, flags] of Object.entries(VARIANTS)) {
        await moto.reset();
        const bucket = 'bench';
        const sink = await kfeed(
          [
            'consume',
            topic,
            '--from-beginning',
            '--exit-at-end',
            '-g',
            `bench-${round}-${variant.replace(/\W+/g, '-')}-${Date.now().toString(36)}`,
            '--sink',
            `s3://${bucket}/run`,
            '--create-bucket',
            '--object-records',
            String(OBJECT_RECORDS),
            '--object-seconds',
            '3600',
            '--json',
            ...flags,
            ...connection,
          ],
          moto.env,
        );
        const summary = JSON.parse(sink.stdout) as { records: number; seconds: number; objects: number };
        if (summary.records !== RECORDS) throw new Error(`${variant}: ${summary.records} records, not ${RECORDS}`);
        const { bytes, objects } = await objectSizes(s3, bucket, 'run/');
        const result = {
          round,
          variant,
          records: summary.records,
          objects,
          bytes,
          sinkSeconds: summary.seconds,
          wallSeconds: sink.seconds,
          recordsPerSecond: summary.records / summary.seconds,
          bytesPerRecord: bytes / summary.records,
          rssMb: sink.rssMb,
        };
        runs.push(result);
        log(
          `${variant} round ${round}: ${Math.round(result.recordsPerSecond)} records/s, ` +
            `${result.bytesPerRecord.toFixed(1)} B/record, ${objects} objects, RSS ${sink.rssMb?.toFixed(0)} MB`,
        );
      }
    }
    const loadAfter = uptime();
    report(runs, loadBefore, loadAfter);
  } finally {
    await moto?.stop();
    if (!args['keep-cluster']) await kfeed(['local', 'down', '--name', args.name]).catch(() => undefined);
    fs.rmSync(WORK, { recursive: true, force: true });
  }
}

function report(runs: Array<Record<string, number | string | undefined>>, loadBefore: string, loadAfter: string) {
  const byVariant = Object.keys(VARIANTS).map((variant) => {
    const mine = runs.filter((r) => r.variant === variant);
    const pick = (field: string) => median(mine.map((r) => Number(r[field])));
    return {
      variant,
      recordsPerSecond: pick('recordsPerSecond'),
      bytesPerRecord: pick('bytesPerRecord'),
      objects: pick('objects'),
      rssMb: pick('rssMb'),
    };
  });
  const jsonl = byVariant[0];
  const lines = [
    `# S3 sink: JSON lines against Parquet, ${RECORDS.toLocaleString('en')} simulated market records`,
    '',
    `${new Date().toISOString()} · \`npm run bench:sink -- --records ${RECORDS} --rounds ${ROUNDS} ` +
      `--object-records ${OBJECT_RECORDS}\` · one local Kafka broker over mTLS (\`kfeed local up\`), ` +
      `one partition, moto's S3 on loopback · medians of ${ROUNDS} interleaved rounds · Node ${process.version}, ` +
      `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'})`,
    '',
    `- load before: \`${loadBefore}\``,
    `- load after: \`${loadAfter}\``,
    '',
    "The records: the simulator's quotes, trades and one-minute bars on one topic, keyed by symbol, event " +
      'times 2,000 a second from 14:59:30 (one hour crossed).',
    '',
    "records/s: the sink's own summary (`consume --sink ... --exit-at-end --json`: group join, read, encode, " +
      'upload, commit, over the records). Bytes: the objects in S3. RSS: peak of the consume process.',
    '',
    '| format | records/s | vs jsonl | bytes/record | vs jsonl | objects | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...byVariant.map(
      (v) =>
        `| ${v.variant} | ${Math.round(v.recordsPerSecond).toLocaleString('en')} | ` +
        `${((100 * v.recordsPerSecond) / jsonl.recordsPerSecond).toFixed(0)} % | ${v.bytesPerRecord.toFixed(1)} | ` +
        `${((100 * v.bytesPerRecord) / jsonl.bytesPerRecord).toFixed(1)} % | ${v.objects} | ${v.rssMb.toFixed(0)} |`,
    ),
    '',
    'Goals: Parquet bytes at most 25 % of JSON lines; Parquet records/s at least 80 % of JSON lines.',
    '',
  ];
  fs.mkdirSync(args.out!, { recursive: true });
  const file = path.join(args.out!, `sink-formats-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
  fs.writeFileSync(file, lines.join('\n'));
  fs.writeFileSync(file.replace(/\.md$/, '.json'), JSON.stringify({ loadBefore, loadAfter, runs }, null, 2) + '\n');
  console.log(lines.join('\n'));
  log(`wrote ${file}`);
}

main().catch((error) => {
  console.error(`bench:sink: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
