/**
 * Consumer lag, from what the group module reads: the committed offset, the log end and the
 * time of the first record the group has not read. Pure, so every rule is tested alone.
 */

/**
 * One partition: `lag` in messages (null when the group committed nothing there or the end is
 * unknown); `lagSeconds` is `now` minus the first unread record's timestamp (0 when caught up,
 * null when that record could not be read), in milliseconds' precision.
 */
export function partitionLag(input: {
  committed: number | null;
  end: number | undefined;
  /** Timestamp (ms) of the record at the committed offset, when it was read. */
  firstUnreadTimestamp: number | undefined;
  now: number;
}): { lag: number | null; lagSeconds: number | null } {
  const { committed, end, firstUnreadTimestamp: ts } = input;
  const lag = committed === null || end === undefined ? null : Math.max(0, end - committed);
  if (lag === 0) return { lag, lagSeconds: 0 };
  if (lag === null || ts === undefined) return { lag, lagSeconds: null };
  return { lag, lagSeconds: Math.max(0, Math.round(input.now - ts) / 1000) };
}

/** A group (or a subscriber's groups): messages summed over its parts, seconds of the furthest behind. */
export function totalLag(parts: Array<{ lag: number | null; lagSeconds: number | null }>): {
  lag: number;
  lagSeconds: number | null;
} {
  const seconds = parts.map((p) => p.lagSeconds).filter((s): s is number => s !== null);
  return {
    lag: parts.reduce((sum, p) => sum + (p.lag ?? 0), 0),
    lagSeconds: seconds.length ? Math.max(...seconds) : null,
  };
}
