import { KfeedError } from '../errors.js';
import { poll } from '../wait.js';
import type { FeedProducer } from '../feed/producer.js';
import type { FeedConsumer } from '../feed/consumer.js';
import { LatencyHistogram } from './histogram.js';
import { quoteMessages } from './payload.js';
import {
  clock,
  openConsumer,
  openProducer,
  progressTicker,
  round,
  sendMessages,
  throughput,
  unlessStopped,
  withTopic,
} from './run-support.js';
import { SENT_AT_HEADER, type BenchInput, type LatencyResult } from './types.js';

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
