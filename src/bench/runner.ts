import { performance } from 'node:perf_hooks';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { poll, sleep } from '../wait.js';
import type { FeedProducer, FeedProducerOptions } from '../feed/producer.js';
import type { FeedConsumer } from '../feed/consumer.js';
import type { FeedRecord } from '../feed/schema.js';
import { LatencyHistogram } from './histogram.js';
import { quoteMessages, type BenchMessage } from './payload.js';
import { recordsDue } from '../feed/pacing.js';

/** The header that carries a record's send time (ms since the epoch, µs precision) in e2e runs. */
export const SENT_AT_HEADER = 'kfeed-bench-sent';

export type BenchMode = 'produce' | 'consume' | 'e2e';

/** Checked by the bench commands before a run (count or duration, not both; e2e at a rate above 0). */
export interface BenchInput {
  settings: ConnectionSettings;
  /** An existing topic; without it a temporary topic is created and deleted afterwards. */
  topic?: string;
  /** Partitions of the temporary topic. */
  partitions: number;
  /** Bytes per message value (quote-shaped JSON). */
  size: number;
  /** Stop after this many messages ... */
  count?: number;
  /** ... or after this many seconds (produce and e2e). */
  durationSeconds?: number;
  /** Messages per second to send at; 0 sends as fast as the producer takes them. */
  rate: number;
  /** Key each message by its symbol, as the feed does; off sends null keys. */
  keyed: boolean;
  producer: Pick<FeedProducerOptions, 'idempotent' | 'acks' | 'compression' | 'lingerMs' | 'batchSize'>;
  /** e2e: seconds at the start whose messages are sent but not measured. */
  warmupSeconds?: number;
  /** Leave the temporary topic in place (for checking what the run wrote). */
  keepTopic?: boolean;
  signal?: AbortSignal;
  /** Called about twice a second while messages flow. */
  onProgress?: (progress: BenchProgress) => void;
}

export interface BenchProgress {
  phase: 'fill' | 'produce' | 'consume' | 'e2e';
  messages: number;
  /** The run's goal in messages, when it is a count. */
  target?: number;
  elapsedSeconds: number;
  /** Messages per second over the last interval. */
  rate: number;
}

export interface ThroughputResult {
  mode: BenchMode;
  topic: string;
  temporaryTopic: boolean;
  /** The temporary topic was left in place (--keep-topic). */
  keptTopic: boolean;
  partitions: number;
  messageBytes: number;
  messages: number;
  bytes: number;
  seconds: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  /** Messages the producer could not deliver (produce, e2e). */
  errors: number;
  /** consume: ms from opening the consumer (connect, group join) to the first record. */
  firstRecordMs?: number;
  /** Largest resident set of this process so far, in MB. */
  peakRssMb: number;
  interrupted: boolean;
  /** The producer's settings; null when no producer ran (consume of an existing --topic). */
  settings: BenchSettings | null;
}

export interface BenchSettings {
  acks: 'all' | '1' | '0';
  idempotent: boolean;
  compression: string;
  lingerMs: number;
  batchSize: number;
  keyed: boolean;
  rate: number;
}

export interface LatencyResult extends ThroughputResult {
  /** Messages per second asked for, and what was sent. */
  targetRate: number;
  sentPerSecond: number;
  received: number;
  /** Messages sent during the warm-up, received but not measured. */
  warmupMessages: number;
  latencyMs: {
    min: number;
    mean: number;
    p50: number;
    p95: number;
    p99: number;
    p999: number;
    max: number;
    samples: number;
  };
}

const clock = () => performance.timeOrigin + performance.now();
const seconds = (ms: number) => Math.round(ms) / 1000;
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024, 1);
const PROGRESS_MS = 500;

function settingsOf(input: BenchInput): BenchSettings {
  const idempotent = input.producer.idempotent ?? true;
  const acks = idempotent ? -1 : (input.producer.acks ?? -1);
  return {
    acks: acks === -1 ? 'all' : acks === 1 ? '1' : '0',
    idempotent,
    compression: input.producer.compression ?? 'none',
    lingerMs: input.producer.lingerMs ?? 5,
    batchSize: input.producer.batchSize ?? 1000,
    keyed: input.keyed,
    rate: input.rate,
  };
}

/** Creates the run's temporary topic (or checks the given one) and removes it afterwards. */
async function withTopic<T>(
  input: BenchInput,
  mode: BenchMode,
  work: (topic: string, partitions: number, temporary: boolean) => Promise<T>,
): Promise<T> {
  const { withAdmin } = await import('../kafka/client.js');
  const { createTopic, checkTopicName, requireTopics } = await import('../kafka/topics.js');
  if (input.topic) {
    checkTopicName(input.topic);
    const topic = input.topic;
    const partitions = await withAdmin(input.settings, async (admin) => {
      await requireTopics(admin, [topic], input.settings);
      const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
      return metadata.topics.get(topic)?.partitionsCount ?? 0;
    });
    return work(input.topic, partitions, false);
  }
  const name = `kfeed-bench-${mode}-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
  await withAdmin(input.settings, (admin) => createTopic(admin, { name, partitions: input.partitions, configs: [] }));
  try {
    return await work(name, input.partitions, true);
  } finally {
    if (!input.keepTopic) await deleteQuietly(input.settings, name);
  }
}

async function deleteQuietly(settings: ConnectionSettings, name: string): Promise<void> {
  const { withAdmin } = await import('../kafka/client.js');
  // Best effort: a failed delete must not hide the run's own result or error.
  const { deleteTopic } = await import('../kafka/topics.js');
  await withAdmin(settings, (admin) => deleteTopic(admin, name)).catch(() => undefined);
}

async function openProducer(input: BenchInput): Promise<FeedProducer> {
  const { createFeedProducer } = await import('../feed/producer.js');
  return createFeedProducer(input.settings, { ...input.producer, clientId: 'kfeed-bench' });
}

/** Reports progress every PROGRESS_MS from a counter, until stopped. */
function progressTicker(input: BenchInput, phase: BenchProgress['phase'], messages: () => number, target?: number) {
  const began = clock();
  let last = { at: began, messages: 0 };
  const timer = input.onProgress
    ? setInterval(() => {
        const now = clock();
        const current = messages();
        const rate = ((current - last.messages) * 1000) / Math.max(1, now - last.at);
        last = { at: now, messages: current };
        input.onProgress!({
          phase,
          messages: current,
          target,
          elapsedSeconds: seconds(now - began),
          rate: Math.round(rate),
        });
      }, PROGRESS_MS)
    : undefined;
  timer?.unref();
  return { stop: () => timer && clearInterval(timer) };
}

/**
 * A wait that Ctrl-C ends early without failing the run: a stopped bench still reports what
 * it measured (marked interrupted), and the CLI then exits 130 / 143.
 */
async function unlessStopped(wait: Promise<unknown>): Promise<void> {
  try {
    await wait;
  } catch (error) {
    if (error instanceof KfeedError && (error.kind === 'interrupted' || error.kind === 'terminated')) return;
    throw error;
  }
}

interface SendPlan {
  producer: FeedProducer;
  topic: string;
  messages: BenchMessage[];
  keyed: boolean;
  count?: number;
  durationSeconds?: number;
  rate: number;
  signal?: AbortSignal;
  /** Stamps each record with its send time (e2e). */
  stamp?: boolean;
  /** Called with the send time of each message (e2e: to tell warm-up from measured messages). */
  onSent?: (sent: number) => void;
}

/**
 * Hands messages to the feed producer, as fast as it takes them or paced at `rate`, until the
 * count, the duration or an abort. Returns how many were handed over and the clock at the start.
 */
async function sendMessages(plan: SendPlan): Promise<{ sent: number; began: number }> {
  const { producer, topic, messages, keyed } = plan;
  const limit = plan.count ?? Infinity;
  const began = clock();
  const deadline = plan.durationSeconds !== undefined ? began + plan.durationSeconds * 1000 : Infinity;
  // Unstamped records are built once and reused; the producer only reads them.
  const pool: FeedRecord[] = messages.map((m) => ({ topic, key: keyed ? m.key : null, value: m.value }));
  let sent = 0;
  let cursor = 0;
  const take = (n: number): FeedRecord[] => {
    const chunk: FeedRecord[] = new Array(n);
    const at = plan.stamp ? clock().toFixed(3) : undefined;
    for (let i = 0; i < n; i++) {
      const record = pool[cursor];
      chunk[i] = at ? { ...record, headers: { [SENT_AT_HEADER]: at } } : record;
      cursor = cursor + 1 === pool.length ? 0 : cursor + 1;
    }
    return chunk;
  };
  const CHUNK = 500;
  while (sent < limit && !plan.signal?.aborted) {
    const now = clock();
    if (now >= deadline) break;
    let n: number;
    if (plan.rate > 0) {
      // Everything due by now, then a 1 ms nap: a steady stream rather than bursts.
      n = Math.min(limit - sent, recordsDue(now - began, plan.rate) - sent, CHUNK);
      if (n <= 0) {
        await unlessStopped(sleep(1, plan.signal)); // an abort ends the loop
        continue;
      }
    } else n = Math.min(limit - sent, CHUNK);
    await producer.send(take(n));
    sent += n;
    plan.onSent?.(n);
  }
  return { sent, began };
}

/** kfeed bench produce: messages through the feed producer; time until the last is acknowledged. */
export async function benchProduce(input: BenchInput): Promise<ThroughputResult> {
  const messages = quoteMessages(input.size);
  return withTopic(input, 'produce', async (topic, partitions, temporary) => {
    const producer = await openProducer(input);
    const progress = progressTicker(input, 'produce', () => producer.stats().acknowledged, input.count);
    let began = clock();
    let failure: unknown;
    try {
      began = (
        await sendMessages({
          producer,
          topic,
          messages,
          keyed: input.keyed,
          count: input.count,
          durationSeconds: input.durationSeconds,
          rate: input.rate,
          signal: input.signal,
        })
      ).began;
      await producer.flush();
    } catch (error) {
      failure = error;
    } finally {
      progress.stop();
    }
    const elapsed = clock() - began;
    await producer.close().catch((error) => (failure ??= error));
    if (failure) throw failure;
    const stats = producer.stats();
    return throughput('produce', input, {
      topic,
      partitions,
      temporary,
      messages: stats.acknowledged,
      elapsedMs: elapsed,
      errors: stats.errors,
    });
  });
}

function throughput(
  mode: BenchMode,
  input: BenchInput,
  run: {
    topic: string;
    partitions: number;
    temporary: boolean;
    messages: number;
    elapsedMs: number;
    errors: number;
    firstRecordMs?: number;
  },
): ThroughputResult {
  const secs = Math.max(run.elapsedMs, 0.001) / 1000;
  const bytes = run.messages * input.size;
  // Rates come from the seconds as reported, so the printed figures agree with each other
  // even for runs of a few milliseconds.
  const shownSeconds = Math.max(round(secs, 4), 0.0001);
  return {
    mode,
    topic: run.topic,
    temporaryTopic: run.temporary,
    keptTopic: run.temporary && Boolean(input.keepTopic),
    partitions: run.partitions,
    messageBytes: input.size,
    messages: run.messages,
    bytes,
    seconds: shownSeconds,
    messagesPerSecond: Math.round(run.messages / shownSeconds),
    megabytesPerSecond: round(bytes / 1_000_000 / shownSeconds, 2),
    errors: run.errors,
    ...(run.firstRecordMs !== undefined ? { firstRecordMs: Math.round(run.firstRecordMs) } : {}),
    peakRssMb: peakRssMb(),
    interrupted: Boolean(input.signal?.aborted),
    settings: mode === 'consume' && !run.temporary ? null : settingsOf(input),
  };
}

async function openConsumer(
  settings: ConnectionSettings,
  topic: string,
  mode: BenchMode,
  exitAtEnd: boolean,
): Promise<FeedConsumer> {
  const { openFeedConsumer } = await import('../feed/consumer.js');
  return openFeedConsumer(settings, {
    topics: [topic],
    // A fresh group each run, nothing committed: every partition is read from its start
    // (an explicit offset, so no committed offsets are looked up for a group that has none).
    groupId: `kfeed-bench-${mode}-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`,
    start: { from: 'offset', offset: '0' },
    exitAtEnd,
    clientId: 'kfeed-bench',
  });
}

/**
 * kfeed bench consume: fills a temporary topic with `count` messages (not timed), or reads
 * the given topic, then reads `count` messages (or all there are) through the feed consumer.
 */
export async function benchConsume(input: BenchInput): Promise<ThroughputResult> {
  const messages = quoteMessages(input.size);
  return withTopic(input, 'consume', async (topic, partitions, temporary) => {
    if (temporary) {
      const count = input.count ?? 100_000;
      const producer = await openProducer(input);
      const progress = progressTicker(input, 'fill', () => producer.stats().acknowledged, count);
      let failure: unknown;
      try {
        await sendMessages({ producer, topic, messages, keyed: input.keyed, count, rate: 0, signal: input.signal });
      } catch (error) {
        failure = error;
      } finally {
        progress.stop();
      }
      // close() flushes; after a failed send it reports the same failure.
      await producer.close().catch((error) => (failure ??= error));
      if (failure) throw failure;
    }
    if (input.signal?.aborted) {
      return throughput('consume', input, { topic, partitions, temporary, messages: 0, elapsedMs: 0, errors: 0 });
    }
    const limit = input.count ?? Infinity;
    let received = 0;
    let bytes = 0;
    let firstAt: number | undefined;
    let lastAt = 0;
    const began = clock();
    const consumer = await openConsumer(input.settings, topic, 'consume', true);
    const progress = progressTicker(input, 'consume', () => received, input.count);
    try {
      await consumer.consume(async (batch, control) => {
        const now = clock();
        firstAt ??= now;
        const records =
          batch.records.length > limit - received ? batch.records.slice(0, limit - received) : batch.records;
        for (const record of records) bytes += record.value?.length ?? 0;
        received += records.length;
        lastAt = now;
        if (received >= limit) control.stop();
      }, input.signal);
    } finally {
      progress.stop();
      await consumer.close();
    }
    const result = throughput('consume', input, {
      topic,
      partitions,
      temporary,
      messages: received,
      elapsedMs: (lastAt || clock()) - began,
      errors: 0,
      firstRecordMs: firstAt !== undefined ? firstAt - began : undefined,
    });
    // An existing topic's messages need not be of --size: count what was read, and report
    // their real average size.
    const messageBytes = temporary ? result.messageBytes : received ? Math.round(bytes / received) : 0;
    return {
      ...result,
      messageBytes,
      bytes,
      megabytesPerSecond: round(bytes / 1_000_000 / Math.max(result.seconds, 0.001), 2),
    };
  });
}

/**
 * kfeed bench e2e: a consumer reads while the producer sends at `rate`; each message carries
 * its send time, so the latency from hand-over to the producer until the consumer has it
 * is measured on one clock. Messages sent during the warm-up are not measured.
 */
export async function benchE2e(input: BenchInput): Promise<LatencyResult> {
  const durationSeconds = input.count === undefined ? (input.durationSeconds ?? 10) : undefined;
  const warmupMs = (input.warmupSeconds ?? 1) * 1000;
  const messages = quoteMessages(input.size);
  return withTopic(input, 'e2e', async (topic, partitions, temporary) => {
    const histogram = new LatencyHistogram();
    let received = 0;
    let warmupReceived = 0;
    let measureFrom = Infinity;
    const consumer = await openConsumer(input.settings, topic, 'e2e', false);
    const stopConsumer = new AbortController();
    const onAbort = () => stopConsumer.abort();
    input.signal?.addEventListener('abort', onAbort, { once: true });
    let expected = Infinity;
    const reading = consumer.consume(async (batch) => {
      const now = clock();
      for (const record of batch.records) {
        const sentAt = Number(record.headers[SENT_AT_HEADER]);
        if (!Number.isFinite(sentAt)) continue; // not ours (an existing topic may hold other records)
        received += 1;
        if (sentAt < measureFrom) warmupReceived += 1;
        else histogram.record(now - sentAt);
      }
    }, stopConsumer.signal);
    let readFailure: unknown;
    reading.catch((error) => {
      readFailure = error;
    });

    let producer: FeedProducer | undefined;
    const progress = progressTicker(input, 'e2e', () => received, input.count);
    let sent = 0;
    let began = clock();
    let sendEnded = began;
    let failure: unknown;
    try {
      await waitForAssignment(consumer, () => readFailure, input.signal);
      producer = await openProducer(input);
      // The warm-up ends a fixed time after the first send; later stamps are measured.
      measureFrom = clock() + warmupMs;
      const run = await sendMessages({
        producer,
        topic,
        messages,
        keyed: input.keyed,
        count: input.count,
        // --duration is the whole run: the warm-up is its first part, not added to it.
        durationSeconds,
        rate: input.rate,
        signal: input.signal,
        stamp: true,
      });
      sent = run.sent;
      began = run.began;
      sendEnded = clock();
      await producer.flush();
      expected = producer.stats().acknowledged;
      // Everything acknowledged should arrive promptly; a bounded wait, then report what came.
      const late = new KfeedError('verification', 'not every acknowledged message arrived within 30 s');
      await unlessStopped(
        poll(() => (received >= expected || readFailure ? true : undefined), {
          what: 'the last messages to arrive',
          timeoutMs: 30_000,
          intervalMs: 20,
          signal: input.signal,
          onTimeout: () => late,
        }).catch((error: unknown) => {
          if (error !== late) throw error; // late messages are counted as not received
        }),
      );
    } catch (error) {
      failure = error;
    } finally {
      progress.stop();
      input.signal?.removeEventListener('abort', onAbort);
      stopConsumer.abort();
      await reading.catch(() => undefined);
      await consumer.close();
      if (producer) await producer.close().catch((error) => (failure ??= error));
    }
    if (failure) throw failure;
    if (readFailure) throw readFailure;
    const stats = producer!.stats();
    const base = throughput('e2e', input, {
      topic,
      partitions,
      temporary,
      messages: received,
      elapsedMs: sendEnded - began,
      errors: stats.errors,
    });
    return {
      ...base,
      targetRate: input.rate,
      sentPerSecond: Math.round(sent / Math.max(0.001, (sendEnded - began) / 1000)),
      received,
      warmupMessages: warmupReceived,
      latencyMs: {
        min: round(histogram.min),
        mean: round(histogram.mean),
        p50: round(histogram.percentile(50)),
        p95: round(histogram.percentile(95)),
        p99: round(histogram.percentile(99)),
        p999: round(histogram.percentile(99.9)),
        max: round(histogram.max),
        samples: histogram.count,
      },
    };
  });
}

/** The consumer must own its partitions before the first message is sent, or join time counts as latency. */
async function waitForAssignment(consumer: FeedConsumer, failed: () => unknown, signal?: AbortSignal): Promise<void> {
  const waited = poll(
    () => {
      const failure = failed();
      if (failure) return { failure };
      return [...consumer.assignment().values()].some((partitions) => partitions.length > 0)
        ? { failure: undefined }
        : undefined;
    },
    {
      what: 'the benchmark consumer to be assigned the topic',
      timeoutMs: 60_000,
      intervalMs: 20,
      signal,
      onTimeout: () =>
        new KfeedError('connection', 'the benchmark consumer was not assigned the topic within 60 s', {
          hint: 'check the group coordinator with `kfeed local logs`, or the ACLs for consumer groups',
        }),
    },
  );
  let outcome: { failure: unknown } | undefined;
  await unlessStopped(waited.then((value) => (outcome = value)));
  if (outcome?.failure) throw outcome.failure;
}
