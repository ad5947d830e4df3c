// One whole client process for bench/engines/compare.ts: produces or consumes through one Kafka
// engine (kafkajs 2.2.4 or @platformatic/kafka) with minimal options of its own, so engines are
// compared as libraries, before kfeed wraps them. Prints one JSON line on stdout.
//
//   node dist/bench-tools/engine-client.js --engine platformatic --mode produce --topic T \
//     --brokers host:port --ca ca.pem --cert cert.pem --key key.pem [--count N] [--size B]
//     [--batch 1000] [--in-flight 1] [--max-bytes-per-partition N]
//
// produce: idempotent, acks=all, null keys, the quote-shaped payloads of `kfeed bench`, `--batch`
// records a send with up to `--in-flight` sends outstanding; every send must be acknowledged.
// consume: every partition from the start in a fresh group until `--count` records are read.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { quoteMessages } from '../../src/bench/payload.js';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string' },
    mode: { type: 'string' },
    topic: { type: 'string' },
    brokers: { type: 'string' },
    ca: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    count: { type: 'string', default: '500000' },
    size: { type: 'string', default: '200' },
    batch: { type: 'string', default: '1000' },
    'in-flight': { type: 'string', default: '1' },
    'max-bytes': { type: 'string' },
    'max-bytes-per-partition': { type: 'string' },
  },
});

const COUNT = Number(args.count);
const BATCH = Number(args.batch);
const IN_FLIGHT = Number(args['in-flight']);
const brokers = (args.brokers ?? '').split(',');
const tls = {
  ca: fs.readFileSync(args.ca!, 'utf8'),
  cert: fs.readFileSync(args.cert!, 'utf8'),
  key: fs.readFileSync(args.key!, 'utf8'),
};
const topic = args.topic!;
const values = quoteMessages(Number(args.size), 1024).map((m) => m.value);

interface Engine {
  /** Sends `records` values, resolves when acknowledged. */
  send(batch: Buffer[]): Promise<void>;
  close(): Promise<void>;
}

/** Keeps up to IN_FLIGHT sends of BATCH records outstanding until COUNT are acknowledged. */
async function produce(engine: Engine): Promise<number> {
  let next = 0;
  let acknowledged = 0;
  const lane = async () => {
    while (next < COUNT) {
      const n = Math.min(BATCH, COUNT - next);
      const batch = new Array<Buffer>(n);
      for (let i = 0; i < n; i++) batch[i] = values[(next + i) % values.length];
      next += n;
      await engine.send(batch);
      acknowledged += n;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  await engine.close();
  return acknowledged;
}

/** The KafkaJS-style client API kafkajs has and @confluentinc/kafka-javascript copies. */
interface KafkaJsLike {
  producer(config: Record<string, unknown>): {
    connect(): Promise<void>;
    send(record: Record<string, unknown>): Promise<unknown>;
    disconnect(): Promise<void>;
  };
  consumer(config: Record<string, unknown>): {
    connect(): Promise<void>;
    subscribe(subscription: { topics: string[]; fromBeginning?: boolean }): Promise<void>;
    run(config: Record<string, unknown>): Promise<void>;
    disconnect(): Promise<void>;
  };
}

/**
 * A client that is not a dependency of kfeed, from the node_modules folder `env` names (default:
 * the repository's): `npm install --no-save kafkajs@2.2.4` brings the replaced client back.
 */
async function loadOptional(name: string, env: string): Promise<unknown> {
  const { createRequire } = await import('node:module');
  const dir = process.env[env] ?? `${process.cwd()}/node_modules`;
  try {
    return createRequire(`${dir}/`)(name);
  } catch {
    throw new Error(`${name} is not installed in ${dir} (set ${env}, or npm install --no-save ${name})`);
  }
}

/** Reads COUNT records with a KafkaJS-style consumer, batch by batch. */
async function consumeKafkaJsStyle(kafka: KafkaJsLike, config: Record<string, unknown>, fromBeginning?: boolean) {
  const consumer = kafka.consumer(config);
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], ...(fromBeginning ? { fromBeginning } : {}) });
  let read = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      ...(config.groupId ? { autoCommit: false } : {}),
      eachBatch: async ({ batch }: { batch: { messages: unknown[] } }) => {
        read += batch.messages.length;
        if (read >= COUNT) resolve();
      },
    });
  });
  await consumer.disconnect();
  return read;
}

async function kafkajs(): Promise<number> {
  const { Kafka, logLevel } = (await loadOptional('kafkajs', 'KAFKAJS_MODULES')) as {
    Kafka: new (config: Record<string, unknown>) => KafkaJsLike;
    logLevel: { NOTHING: number };
  };
  const kafka = new Kafka({ clientId: 'engine-bench', brokers, ssl: tls, logLevel: logLevel.NOTHING });
  if (args.mode === 'produce') {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: IN_FLIGHT });
    await producer.connect();
    return produce({
      send: async (batch) => {
        await producer.send({ topic, acks: -1, messages: batch.map((value) => ({ value })) });
      },
      close: () => producer.disconnect(),
    });
  }
  return consumeKafkaJsStyle(kafka, { groupId: `engine-bench-${Date.now()}`, maxWaitTimeInMs: 250 }, true);
}

/**
 * @confluentinc/kafka-javascript (librdkafka) through its KafkaJS-style API, from the folder
 * CKJS_MODULES names (its install fetches prebuilt binaries from GitHub; offline it compiles
 * its own librdkafka against the headers of `node`).
 */
async function confluent(): Promise<number> {
  const { KafkaJS } = (await loadOptional('@confluentinc/kafka-javascript', 'CKJS_MODULES')) as {
    KafkaJS: { Kafka: new (config: Record<string, unknown>) => KafkaJsLike };
  };
  const kafka = new KafkaJS.Kafka({
    'bootstrap.servers': brokers.join(','),
    'security.protocol': 'ssl',
    'ssl.ca.pem': tls.ca,
    'ssl.certificate.pem': tls.cert,
    'ssl.key.pem': tls.key,
    'client.id': 'engine-bench',
  });
  if (args.mode === 'produce') {
    const producer = kafka.producer({ 'enable.idempotence': true, acks: -1 });
    await producer.connect();
    return produce({
      send: async (batch) => {
        await producer.send({ topic, messages: batch.map((value) => ({ value })) });
      },
      close: () => producer.disconnect(),
    });
  }
  return consumeKafkaJsStyle(kafka, {
    'group.id': `engine-bench-${Date.now()}`,
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': false,
  });
}

async function platformatic(): Promise<number> {
  const { Producer, Consumer, ProduceAcks } = await import('@platformatic/kafka');
  const base = { clientId: 'engine-bench', bootstrapBrokers: brokers, tls };
  if (args.mode === 'produce') {
    const producer = new Producer({ ...base, idempotent: true, acks: ProduceAcks.ALL });
    return produce({
      send: async (batch) => {
        await producer.send({ messages: batch.map((value) => ({ topic, value })) });
      },
      close: () => producer.close(),
    });
  }
  const fetchSizes = {
    ...(args['max-bytes'] ? { maxBytes: Number(args['max-bytes']) } : {}),
    ...(args['max-bytes-per-partition'] ? { maxBytesPerPartition: Number(args['max-bytes-per-partition']) } : {}),
  };
  const consumer = new Consumer({ ...base, groupId: `engine-bench-${Date.now()}`, maxWaitTime: 250, ...fetchSizes });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  let read = 0;
  for await (const message of stream) {
    void message;
    if (++read >= COUNT) break;
  }
  await stream.close();
  await consumer.close(true);
  return read;
}

const began = process.hrtime.bigint();
const records =
  args.engine === 'kafkajs' ? await kafkajs() : args.engine === 'confluent' ? await confluent() : await platformatic();
const seconds = Number(process.hrtime.bigint() - began) / 1e9;
const cpu = process.cpuUsage();
process.stdout.write(
  JSON.stringify({
    engine: args.engine,
    mode: args.mode,
    records,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
  }) + '\n',
);
process.exit(records >= COUNT ? 0 : 1);
