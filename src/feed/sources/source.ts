import type { FeedRecord } from '../schema.js';

/** Hands records to the producer; resolves when they are queued (this is the back-pressure). */
export type Emit = (records: FeedRecord[]) => Promise<void>;

/**
 * A source of records. `run` resolves when the source is exhausted or `signal` aborts; it
 * throws a KfeedError when the source fails for good (bad credentials, a refused
 * subscription), after retrying what can be retried.
 */
export interface FeedSource {
  readonly name: string;
  run(emit: Emit, signal: AbortSignal): Promise<void>;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
