/**
 * `group reset-offsets`: where each partition's committed offset goes, from the reset mode and
 * the log's bounds. Pure: the group module reads the offsets and commits the plan.
 */

export type ResetMode =
  | { to: 'earliest' }
  | { to: 'latest' }
  | { to: 'offset'; offset: number }
  | { to: 'time'; timestamp: number }
  | { to: 'shift'; by: number };

export interface ResetRow {
  topic: string;
  partition: number;
  currentOffset: number | null;
  /** Where the mode points before clamping. */
  requestedOffset: number;
  newOffset: number;
  /** Set when the requested offset lay outside the log and was moved to its start or end. */
  clamped: 'log-start' | 'log-end' | null;
}

/**
 * Where each partition's offset goes. `low`/`high` are the log's start and end; `byTime` the
 * first offset at or after the time (-1 or absent: no such record, i.e. the end).
 */
export function planReset(
  mode: ResetMode,
  partitions: Array<{
    topic: string;
    partition: number;
    current: number | null;
    low: number;
    high: number;
    byTime?: number;
  }>,
): ResetRow[] {
  return partitions.map((p) => {
    let requested: number;
    switch (mode.to) {
      case 'earliest':
        requested = p.low;
        break;
      case 'latest':
        requested = p.high;
        break;
      case 'offset':
        requested = mode.offset;
        break;
      case 'time':
        requested = p.byTime === undefined || p.byTime < 0 ? p.high : p.byTime;
        break;
      case 'shift':
        // Kafka's tool shifts from the committed offset, or from the end when there is none.
        requested = (p.current ?? p.high) + mode.by;
        break;
    }
    const newOffset = Math.min(p.high, Math.max(p.low, requested));
    const clamped = requested < p.low ? 'log-start' : requested > p.high ? 'log-end' : null;
    return {
      topic: p.topic,
      partition: p.partition,
      currentOffset: p.current,
      requestedOffset: requested,
      newOffset,
      clamped,
    };
  });
}
