import type { ConsumeControl, FeedBatch, FeedConsumer } from './consumer.js';
import type { FeedProducer, ProducerStats } from './producer.js';
import { parseMarketEvent, type FeedRecord, type MarketEvent } from './schema.js';
import type { ObjectFormat } from './sinks/formats.js';
import { S3Sink, type S3Connection, type S3Location, type S3SinkStats } from './sinks/s3.js';
import type { FeedSource } from './sources/source.js';

/** A stop for one run: aborts when `signal` does, after `seconds` (if given) or on `stop()`. */
export interface RunStop {
  readonly signal: AbortSignal;
  stop(): void;
  /** Clears the timer and stops listening to the outer signal. */
  dispose(): void;
}

export function runStop(signal: AbortSignal, seconds?: number): RunStop {
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) stop();
  const timer = seconds ? setTimeout(stop, seconds * 1000) : undefined;
  return {
    signal: controller.signal,
    stop,
    dispose() {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', stop);
    },
  };
}

export interface PumpOptions {
  /** Ends the run (Ctrl-C, or a caller's own stop). */
  signal: AbortSignal;
  /** Stop after this many records. */
  count?: number;
  /** Stop after this many seconds. */
  durationSeconds?: number;
}

export interface PumpResult {
  stats: ProducerStats;
  elapsedMs: number;
  /** What ended the run early (the source or a delivery failed); the stats still count what went out. */
  failure?: unknown;
}

/**
 * Sends what `source` emits to `producer` until the source ends, `count` records are sent,
 * `durationSeconds` pass or `signal` aborts; then closes the producer, which flushes. A
 * failure is returned with the stats rather than thrown, so that the caller can report both.
 */
export async function pumpFeed(source: FeedSource, producer: FeedProducer, options: PumpOptions): Promise<PumpResult> {
  const stop = runStop(options.signal, options.durationSeconds);
  const began = Date.now();
  const limit = options.count ?? Infinity;
  let emitted = 0;
  const emit = async (records: FeedRecord[]) => {
    if (stop.signal.aborted) return;
    const room = limit - emitted;
    const taken = records.length > room ? records.slice(0, room) : records;
    emitted += taken.length;
    await producer.send(taken);
    if (emitted >= limit) stop.stop();
  };

  let failure: unknown;
  try {
    await source.run(emit, stop.signal);
  } catch (error) {
    failure = error;
  } finally {
    stop.dispose();
  }
  try {
    await producer.close();
  } catch (error) {
    failure ??= error;
  }
  return { stats: producer.stats(), elapsedMs: Date.now() - began, failure };
}

export interface ConsumeLoopOptions {
  signal: AbortSignal;
  /** Stop after this many records. */
  limit?: number;
}

/**
 * Hands batches, cut to `limit`, to `handle` until the limit, the signal or the consumer ends; returns how many
 * records it handed over.
 */
async function consumeUpTo(
  consumer: FeedConsumer,
  options: ConsumeLoopOptions & { beforeStop?: () => Promise<void> },
  handle: (batch: FeedBatch, control: ConsumeControl) => Promise<void>,
): Promise<number> {
  const limit = options.limit ?? Infinity;
  let count = 0;
  await consumer.consume(
    async (batch, control) => {
      const records = batch.records.slice(0, Math.max(0, limit - count));
      if (!records.length) return control.stop();
      count += records.length;
      await handle({ ...batch, records }, control);
      if (count >= limit) control.stop();
    },
    options.signal,
    { beforeStop: options.beforeStop },
  );
  return count;
}

/**
 * Hands each batch to `handle`, then commits it: what was handled is consumed, and the
 * group continues after it next time. Returns how many records were handled.
 */
export function consumeCommitted(
  consumer: FeedConsumer,
  options: ConsumeLoopOptions,
  handle: (batch: FeedBatch) => Promise<void> | void,
): Promise<number> {
  return consumeUpTo(consumer, options, async (batch, control) => {
    await handle(batch);
    await control.commit(
      batch.topic,
      batch.partition,
      (BigInt(batch.records[batch.records.length - 1].offset) + 1n).toString(),
    );
  });
}

/** What the ticker keeps: one update per market event (undefined: a record outside the schema). */
export interface MarketBoard {
  update(event: MarketEvent | undefined, at: number): void;
}

/** Reads market events into `board` (committing them), calling `onUpdate` after each batch. */
export function consumeIntoBoard(
  consumer: FeedConsumer,
  board: MarketBoard,
  options: ConsumeLoopOptions & { onUpdate?: () => void },
): Promise<number> {
  return consumeCommitted(consumer, options, (batch) => {
    const now = Date.now();
    for (const record of batch.records) board.update(parseMarketEvent(record.value), now);
    options.onUpdate?.();
  });
}

export interface S3SinkRunOptions extends ConsumeLoopOptions {
  location: S3Location;
  /** The consumer group the sink commits in (recorded in each object's metadata). */
  group: string;
  /** Records per object at most. */
  batchSize: number;
  /** An object is written once its oldest record waited this long. */
  batchSeconds: number;
  /** What the objects are (default JSON lines). */
  format?: ObjectFormat;
}

/**
 * Writes what the consumer reads to S3 objects; the sink commits offsets once their object
 * is written. A clean stop writes what is buffered, so nothing waits for the next run.
 */
export async function consumeToS3(
  consumer: FeedConsumer,
  s3: S3Connection,
  options: S3SinkRunOptions,
): Promise<S3SinkStats> {
  const sink = new S3Sink(s3, {
    location: options.location,
    group: options.group,
    batchSize: options.batchSize,
    batchSeconds: options.batchSeconds,
    format: options.format,
    commit: (topic, partition, offset) => consumer.commit(topic, partition, offset),
    owner: (topic, partition) => consumer.owner(topic, partition),
    committed: (topic, partition) => consumer.committed(topic, partition),
    rewind: () => consumer.rewind(),
  });
  await sink.checkPrefixOwner();
  let timerFailure: unknown;
  let stopConsumer: (() => void) | undefined;
  const timer = setInterval(() => {
    sink.flushDue().catch((error) => {
      timerFailure ??= error;
      stopConsumer?.();
    });
  }, 1000);
  try {
    await consumeUpTo(
      consumer,
      {
        signal: options.signal,
        limit: options.limit,
        beforeStop: async () => {
          clearInterval(timer);
          if (!timerFailure) await sink.flushAll();
        },
      },
      async (batch, control) => {
        stopConsumer = control.stop;
        await sink.add(batch);
      },
    );
  } finally {
    clearInterval(timer);
  }
  if (timerFailure) throw timerFailure;
  return sink.stats;
}
