import { performance } from 'node:perf_hooks';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { sleep } from '../wait.js';
import type { FeedProducer } from '../feed/producer.js';
import type { FeedConsumer } from '../feed/consumer.js';
import type { FeedRecord } from '../feed/schema.js';
import { recordsDue } from '../feed/pacing.js';
import type { BenchMessage } from './payload.js';
import {
  SENT_AT_HEADER,
  type BenchInput,
  type BenchMode,
  type BenchProgress,
  type BenchSettings,
  type ThroughputResult,
} from './types.js';

export const clock = () => performance.timeOrigin + performance.now();
export const seconds = (ms: number) => Math.round(ms) / 1000;
export const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024, 1);
const PROGRESS_MS = 500;

export function settingsOf(input: BenchInput): BenchSettings {
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
export async function withTopic<T>(
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

export async function openProducer(input: BenchInput): Promise<FeedProducer> {
  const { createFeedProducer } = await import('../feed/producer.js');
  return createFeedProducer(input.settings, { ...input.producer, clientId: 'kfeed-bench' });
}

/** Reports progress every PROGRESS_MS from a counter, until stopped. */
export function progressTicker(
  input: BenchInput,
  phase: BenchProgress['phase'],
  messages: () => number,
  target?: number,
) {
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
export async function unlessStopped(wait: Promise<unknown>): Promise<void> {
  try {
    await wait;
  } catch (error) {
    if (error instanceof KfeedError && (error.kind === 'interrupted' || error.kind === 'terminated')) return;
    throw error;
  }
}

export interface SendPlan {
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
export async function sendMessages(plan: SendPlan): Promise<{ sent: number; began: number }> {
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

export function throughput(
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
    // Whole ms rounded down, so that it never exceeds `seconds` (rounded to 0.1 ms) when every
    // record came in the first fetch.
    ...(run.firstRecordMs !== undefined ? { firstRecordMs: Math.floor(run.firstRecordMs) } : {}),
    peakRssMb: peakRssMb(),
    interrupted: Boolean(input.signal?.aborted),
    settings: mode === 'consume' && !run.temporary ? null : settingsOf(input),
  };
}

export async function openConsumer(
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
