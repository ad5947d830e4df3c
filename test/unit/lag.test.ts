import { describe, expect, it } from 'vitest';
import { partitionLag, totalLag } from '../../src/kafka/lag.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('consumer lag', () => {
  it('messages: the log end minus the committed offset, never below 0; null without both', () => {
    const lag = (committed: number | null, end: number | undefined) =>
      partitionLag({ committed, end, firstUnreadTimestamp: NOW - 1000, now: NOW }).lag;
    expect(lag(3, 10)).toBe(7);
    expect(lag(10, 10)).toBe(0);
    expect(lag(12, 10)).toBe(0);
    expect(lag(null, 10)).toBeNull();
    expect(lag(3, undefined)).toBeNull();
    expect(lag(0, 0)).toBe(0);
  });

  it('seconds: now minus the first unread record, to the millisecond; 0 when caught up; null when unknown', () => {
    const seconds = (committed: number | null, end: number | undefined, ts: number | undefined) =>
      partitionLag({ committed, end, firstUnreadTimestamp: ts, now: NOW }).lagSeconds;
    expect(seconds(3, 10, NOW - 90_500)).toBe(90.5);
    expect(seconds(3, 10, NOW - 1)).toBe(0.001);
    // A record stamped in the future (clock skew) is not negative lag.
    expect(seconds(3, 10, NOW + 5000)).toBe(0);
    expect(seconds(10, 10, undefined)).toBe(0);
    expect(seconds(10, 10, NOW - 90_000)).toBe(0);
    expect(seconds(3, 10, undefined)).toBeNull();
    expect(seconds(null, 10, NOW - 1000)).toBeNull();
  });

  it('a group: messages summed (unknown counts 0), seconds of the furthest behind (null when none is known)', () => {
    expect(
      totalLag([
        { lag: 7, lagSeconds: 30 },
        { lag: null, lagSeconds: null },
        { lag: 3, lagSeconds: 90.5 },
        { lag: 0, lagSeconds: 0 },
      ]),
    ).toEqual({ lag: 10, lagSeconds: 90.5 });
    expect(totalLag([{ lag: 4, lagSeconds: null }])).toEqual({ lag: 4, lagSeconds: null });
    expect(totalLag([{ lag: 0, lagSeconds: 0 }])).toEqual({ lag: 0, lagSeconds: 0 });
    expect(totalLag([])).toEqual({ lag: 0, lagSeconds: null });
  });
});
