import { describe, expect, it } from 'vitest';
import { planReset, type ResetMode } from '../../src/kafka/reset-plan.js';

/** One partition whose log holds offsets 10 to 50 (end 50), committed at `current`. */
const log = (current: number | null, byTime?: number) => [
  { topic: 't', partition: 2, current, low: 10, high: 50, byTime },
];
const plan = (mode: ResetMode, current: number | null = 30, byTime?: number) =>
  planReset(mode, log(current, byTime))[0];

describe('group reset-offsets: where each partition goes', () => {
  it('earliest and latest are the log bounds', () => {
    expect(plan({ to: 'earliest' })).toEqual({
      topic: 't',
      partition: 2,
      currentOffset: 30,
      requestedOffset: 10,
      newOffset: 10,
      clamped: null,
    });
    expect(plan({ to: 'latest' })).toMatchObject({ requestedOffset: 50, newOffset: 50, clamped: null });
  });

  it('an offset inside the log is taken as it is; outside, it is clamped to the start or the end, and said so', () => {
    expect(plan({ to: 'offset', offset: 25 })).toMatchObject({ requestedOffset: 25, newOffset: 25, clamped: null });
    expect(plan({ to: 'offset', offset: 10 })).toMatchObject({ newOffset: 10, clamped: null });
    expect(plan({ to: 'offset', offset: 50 })).toMatchObject({ newOffset: 50, clamped: null });
    expect(plan({ to: 'offset', offset: 9 })).toMatchObject({
      requestedOffset: 9,
      newOffset: 10,
      clamped: 'log-start',
    });
    expect(plan({ to: 'offset', offset: 51 })).toMatchObject({
      requestedOffset: 51,
      newOffset: 50,
      clamped: 'log-end',
    });
  });

  it('a time goes to the first record at or after it; no such record means the end', () => {
    expect(plan({ to: 'time', timestamp: 1 }, 30, 42)).toMatchObject({ requestedOffset: 42, newOffset: 42 });
    expect(plan({ to: 'time', timestamp: 1 }, 30, 0)).toMatchObject({ requestedOffset: 0, newOffset: 10 });
    expect(plan({ to: 'time', timestamp: 1 }, 30, -1)).toMatchObject({ requestedOffset: 50, newOffset: 50 });
    expect(plan({ to: 'time', timestamp: 1 }, 30, undefined)).toMatchObject({ requestedOffset: 50, newOffset: 50 });
  });

  it('a shift moves from the committed offset, or from the end when there is none (as Kafka does)', () => {
    expect(plan({ to: 'shift', by: -5 })).toMatchObject({ currentOffset: 30, requestedOffset: 25, newOffset: 25 });
    expect(plan({ to: 'shift', by: 5 })).toMatchObject({ requestedOffset: 35, newOffset: 35 });
    expect(plan({ to: 'shift', by: -5 }, null)).toMatchObject({
      currentOffset: null,
      requestedOffset: 45,
      newOffset: 45,
    });
    expect(plan({ to: 'shift', by: -100 })).toMatchObject({
      requestedOffset: -70,
      newOffset: 10,
      clamped: 'log-start',
    });
    expect(plan({ to: 'shift', by: 100 })).toMatchObject({ requestedOffset: 130, newOffset: 50, clamped: 'log-end' });
  });

  it('every partition gets its own row, in order', () => {
    const rows = planReset({ to: 'earliest' }, [
      { topic: 'a', partition: 0, current: null, low: 0, high: 3 },
      { topic: 'a', partition: 1, current: 7, low: 5, high: 9 },
    ]);
    expect(rows.map((r) => [r.partition, r.currentOffset, r.newOffset])).toEqual([
      [0, null, 0],
      [1, 7, 5],
    ]);
  });
});
