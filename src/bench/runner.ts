import { quoteMessages } from './payload.js';
import {
  clock,
  openConsumer,
  openProducer,
  progressTicker,
  round,
  sendMessages,
  throughput,
  withTopic,
} from './run-support.js';
import type { BenchInput, ThroughputResult } from './types.js';

export { benchE2e } from './e2e.js';
export * from './types.js';

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
