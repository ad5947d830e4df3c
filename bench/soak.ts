/**
 * Soak: the simulated market at a steady rate into a local cluster with a consumer (JSON lines
 * read and thrown away), for a given time. Reports the RSS of the producer and the consumer
 * every minute, and at the end the records produced, consumed and held by the topics.
 *
 *   npm run soak -- --minutes 30 [--rate 2000] [--name soak] [--out bench/results/soak-....md]
 *
 * It drives the CLI as a user would (`node bin/kfeed.js ...`), so set XDG_DATA_HOME and
 * XDG_CONFIG_HOME to keep its cluster and profile apart from yours.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface SoakOptions {
  minutes: number;
  rate: number;
  name: string;
  out: string;
  sampleSeconds: number;
}

interface Sample {
  minute: number;
  producerRssMb: number;
  consumerRssMb: number;
  consumed: number;
}

const TOPICS = ['quote', 'trade', 'bar'];
const here = dirname(fileURLToPath(import.meta.url));
// dist/bench/soak.js -> the package root
const root = resolve(here, '..', '..');
const cli = join(root, 'bin', 'kfeed.js');

function parseArgs(argv: string[]): SoakOptions {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const options: SoakOptions = {
    minutes: 30,
    rate: 2000,
    name: 'soak',
    out: join(root, 'bench', 'results', `soak-${stamp}.md`),
    sampleSeconds: 60,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--minutes') options.minutes = Number(value);
    else if (flag === '--rate') options.rate = Number(value);
    else if (flag === '--name') options.name = value;
    else if (flag === '--out') options.out = resolve(value);
    else if (flag === '--sample-seconds') options.sampleSeconds = Number(value);
    else throw new Error(`unknown flag ${flag} (--minutes, --rate, --name, --out, --sample-seconds)`);
  }
  if (!(options.minutes > 0) || !(options.rate > 0) || !(options.sampleSeconds > 0))
    throw new Error('--minutes, --rate and --sample-seconds must be above 0');
  return options;
}

/** Runs the CLI to its end; its stdout, or an error with its stderr. */
function kfeed(args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise(out) : reject(new Error(`kfeed ${args.join(' ')} exited ${code}: ${err.trim()}`)),
    );
  });
}

function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 102.4) / 10 : NaN;
  } catch {
    return NaN;
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolvePromise) => child.once('close', (code) => resolvePromise(code)));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function recordsInTopics(profile: string[]): Promise<number> {
  let total = 0;
  for (const topic of TOPICS) {
    const described = JSON.parse(await kfeed(['topic', 'describe', topic, '--json', ...profile])) as {
      partitions: Array<{ low: string | number; high: string | number }>;
    };
    for (const p of described.partitions) total += Number(p.high) - Number(p.low);
  }
  return total;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const profile = ['--profile', options.name];
  mkdirSync(dirname(options.out), { recursive: true });
  const logDir = `${options.out.replace(/\.md$/, '')}-logs`;
  mkdirSync(logDir, { recursive: true });

  log(`starting cluster ${options.name}`);
  await kfeed(['local', 'up', '--name', options.name]);
  let producer: ChildProcess | undefined;
  let consumer: ChildProcess | undefined;
  try {
    for (const topic of TOPICS) await kfeed(['topic', 'create', topic, '-p', '3', ...profile]);

    // The consumer's records are counted and dropped (the equivalent of `> /dev/null`).
    consumer = spawn(
      process.execPath,
      [cli, 'consume', ...TOPICS, '--format', 'json', '--from-beginning', '-g', 'soak', ...profile],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let consumed = 0;
    consumer.stdout!.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) consumed += 1;
    });
    consumer.stderr!.pipe(createWriteStream(join(logDir, 'consumer.stderr')));

    const seconds = Math.round(options.minutes * 60);
    producer = spawn(
      process.execPath,
      [
        cli,
        'produce',
        '--source',
        'sim',
        '--rate',
        String(options.rate),
        '--duration',
        String(seconds),
        '--json',
        ...profile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let producerOut = '';
    producer.stdout!.on('data', (d: Buffer) => (producerOut += d));
    producer.stderr!.pipe(createWriteStream(join(logDir, 'producer.stderr')));
    const producerDone = exited(producer);
    log(
      `producing ${options.rate} records/s for ${options.minutes} min (producer pid ${producer.pid}, consumer pid ${consumer.pid})`,
    );

    const began = Date.now();
    const samples: Sample[] = [];
    let finished = false;
    void producerDone.then(() => (finished = true));
    while (!finished) {
      const next = began + (samples.length + 1) * options.sampleSeconds * 1000;
      while (!finished && Date.now() < next) await sleep(Math.min(1000, next - Date.now()));
      if (finished) break;
      const sample = {
        minute: ((samples.length + 1) * options.sampleSeconds) / 60,
        producerRssMb: rssMb(producer.pid),
        consumerRssMb: rssMb(consumer.pid),
        consumed,
      };
      samples.push(sample);
      log(
        `min ${sample.minute}: producer RSS ${sample.producerRssMb} MB, consumer RSS ${sample.consumerRssMb} MB, consumed ${consumed}`,
      );
    }
    const producerCode = await producerDone;
    const final = {
      minute: (Date.now() - began) / 60_000,
      producerRssMb: NaN,
      consumerRssMb: rssMb(consumer.pid),
      consumed,
    };
    let summary: { acknowledged?: number; sent?: number; errors?: number; seconds?: number } = {};
    try {
      summary = JSON.parse(producerOut);
    } catch {
      summary = {};
    }
    log(`producer exited ${producerCode}: ${producerOut.trim()}`);

    // The consumer catches up with what the topics hold (or gives up after two minutes).
    const inTopics = await recordsInTopics(profile);
    const deadline = Date.now() + 120_000;
    while (consumed < inTopics && Date.now() < deadline) await sleep(500);
    await sleep(2000); // late duplicates, if any, would show as consumed > in topics
    consumer.kill('SIGINT');
    const consumerCode = await exited(consumer);
    log(
      `consumer exited ${consumerCode}; consumed ${consumed}, in topics ${inTopics}, produced ${summary.acknowledged}`,
    );

    const baseline = samples.find((s) => s.minute >= 5) ?? samples[0];
    const later = samples.filter((s) => s.minute >= (baseline?.minute ?? 0));
    const growth = (key: 'producerRssMb' | 'consumerRssMb') => {
      if (!baseline || !later.length) return NaN;
      const max = Math.max(...later.map((s) => s[key]));
      return Math.round(((max - baseline[key]) / baseline[key]) * 1000) / 10;
    };
    const result = {
      startedAt: new Date(began).toISOString(),
      minutes: options.minutes,
      rate: options.rate,
      producerExit: producerCode,
      consumerExit: consumerCode,
      produced: summary.acknowledged ?? null,
      producerErrors: summary.errors ?? null,
      producerSeconds: summary.seconds ?? null,
      consumed,
      inTopics,
      lost: summary.acknowledged === undefined ? null : summary.acknowledged - Math.min(consumed, inTopics),
      duplicated: Math.max(0, consumed - inTopics),
      rssBaselineMinute: baseline?.minute ?? null,
      producerRssGrowthPercent: growth('producerRssMb'),
      consumerRssGrowthPercent: growth('consumerRssMb'),
      samples,
      consumerRssAtEndMb: final.consumerRssMb,
    };
    const pass =
      result.lost === 0 &&
      result.duplicated === 0 &&
      result.producerRssGrowthPercent <= 10 &&
      result.consumerRssGrowthPercent <= 10;
    const lines = [
      `# Soak: ${options.minutes} min of the simulated market at ${options.rate} records/s`,
      '',
      `Started ${result.startedAt} on a local KRaft cluster (mTLS, 3 partitions per topic); consumer \`--format json\`, output counted and dropped.`,
      `Load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}.`,
      '',
      '| minute | producer RSS (MB) | consumer RSS (MB) | consumed so far |',
      '|---:|---:|---:|---:|',
      ...samples.map((s) => `| ${s.minute} | ${s.producerRssMb} | ${s.consumerRssMb} | ${s.consumed} |`),
      '',
      `- produced (acknowledged): ${result.produced} in ${result.producerSeconds} s, ${result.producerErrors} not delivered (producer exit ${producerCode})`,
      `- consumed: ${consumed} (consumer exit ${consumerCode})`,
      `- in the topics: ${inTopics}`,
      `- lost: ${result.lost}, duplicated: ${result.duplicated}`,
      `- RSS growth after minute ${result.rssBaselineMinute} (max vs that minute): producer ${result.producerRssGrowthPercent} %, consumer ${result.consumerRssGrowthPercent} %`,
      `- verdict: ${pass ? 'PASS' : 'FAIL'} (limits: 0 lost, 0 duplicated, RSS growth ≤ 10 %)`,
      '',
      '```json',
      JSON.stringify(result, null, 2),
      '```',
      '',
    ];
    writeFileSync(options.out, lines.join('\n'));
    log(`result in ${options.out}: ${pass ? 'PASS' : 'FAIL'}`);
    if (!pass) process.exitCode = 1;
  } finally {
    for (const child of [producer, consumer])
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await kfeed(['local', 'down', '--name', options.name]).catch((error) => log(`local down failed: ${error.message}`));
  }
}

main().catch((error) => {
  process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
